package dev.orchard.server.inventory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/** The directory_sources table; the bind password is a ciphertext here, {@link DirectorySourceService} encrypts it. */
@Repository
class DirectorySources {

    private static final String COLUMNS = "name, kind, url, start_tls, bind_dn, user_base_dn, user_filter, group_base_dn, "
            + "group_filter, user_id_attribute, email_attribute, managed_apple_id_attribute, display_name_attribute, "
            + "group_id_attribute, group_name_attribute, member_attribute, page_size, sync_minutes, on_delete, enabled, ca_certificate";

    private final JdbcClient jdbc;

    DirectorySources(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<DirectorySource> all() {
        return jdbc.sql("select * from directory_sources order by name").query(DirectorySources::map).list();
    }

    Optional<DirectorySource> find(long id) {
        return jdbc.sql("select * from directory_sources where id = ?").param(id).query(DirectorySources::map).optional();
    }

    Optional<String> bindPasswordCiphertext(long id) {
        return jdbc.sql("select bind_password_ciphertext from directory_sources where id = ?").param(id).query(String.class)
                .optional().filter(c -> c != null);
    }

    Optional<String> changedSince(long id) {
        return jdbc.sql("select changed_since from directory_sources where id = ?").param(id).query(String.class).optional()
                .filter(c -> c != null);
    }

    long insert(DirectorySource s, String password, Instant now) {
        var keys = new GeneratedKeyHolder();
        jdbc.sql("insert into directory_sources (" + COLUMNS + ", bind_password_ciphertext, created_at, updated_at) values "
                        + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(values(s, password, now, now)).update(keys, "id");
        return keys.getKey().longValue();
    }

    /** Replaces the settings; a null password keeps the stored one. */
    void update(long id, DirectorySource s, String password, Instant now) {
        jdbc.sql("update directory_sources set name = ?, kind = ?, url = ?, start_tls = ?, bind_dn = ?, user_base_dn = ?, "
                        + "user_filter = ?, group_base_dn = ?, group_filter = ?, user_id_attribute = ?, email_attribute = ?, "
                        + "managed_apple_id_attribute = ?, display_name_attribute = ?, group_id_attribute = ?, "
                        + "group_name_attribute = ?, member_attribute = ?, page_size = ?, sync_minutes = ?, on_delete = ?, "
                        + "enabled = ?, ca_certificate = ?, bind_password_ciphertext = coalesce(?, bind_password_ciphertext), updated_at = ? "
                        + "where id = ?")
                .params(java.util.stream.Stream.concat(java.util.Arrays.stream(values(s, password, now, null)),
                        java.util.stream.Stream.of(id)).toArray()).update();
    }

    private static Object[] values(DirectorySource s, String password, Instant now, Instant created) {
        var list = new java.util.ArrayList<Object>(List.of(s.name(), s.kind().name(), s.url(), s.startTls()));
        list.add(s.bindDn());
        list.addAll(List.of(s.userBaseDn(), s.userFilter(), s.groupBaseDn(), s.groupFilter(), s.userIdAttribute()));
        list.add(s.emailAttribute());
        list.add(s.managedAppleIdAttribute());
        list.add(s.displayNameAttribute());
        list.addAll(List.of(s.groupIdAttribute(), s.groupNameAttribute(), s.memberAttribute(), s.pageSize(), s.syncMinutes(),
                s.onDelete().name(), s.enabled()));
        list.add(s.caCertificate());
        list.add(password);
        if (created != null) {
            list.add(Timestamp.from(created));
        }
        list.add(Timestamp.from(now));
        return list.toArray();
    }

    void requestFull(long id) {
        jdbc.sql("update directory_sources set full_requested = true where id = ?").param(id).update();
    }

    boolean fullRequested(long id) {
        return jdbc.sql("select full_requested from directory_sources where id = ?").param(id).query(Boolean.class).optional()
                .orElse(false);
    }

    boolean nameTaken(String name, long exceptId) {
        return jdbc.sql("select count(*) from directory_sources where lower(name) = lower(?) and id <> ?").params(name, exceptId)
                .query(Integer.class).single() > 0;
    }

    boolean delete(long id) {
        return jdbc.sql("delete from directory_sources where id = ?").param(id).update() == 1;
    }

    /** How a sync ended: OK with a summary and the counts, or FAILED with the error (counts kept). */
    void finished(long id, boolean full, String result, String error, String summary, String changedSince, Instant now) {
        jdbc.sql("update directory_sources set last_sync_at = ?, last_full_sync_at = case when ? then ? else last_full_sync_at end, "
                        + "full_requested = case when ? then false else full_requested end, "
                        + "last_result = ?, last_error = ?, last_summary = coalesce(?, last_summary), "
                        + "changed_since = coalesce(?, changed_since), "
                        + "user_count = (select count(*) from directory_users where source_id = ?), "
                        + "group_count = (select count(*) from directory_groups where source_id = ?) where id = ?")
                .params(Timestamp.from(now), full, Timestamp.from(now), full && "OK".equals(result), result, error == null ? null
                        : error.length() > 1000 ? error.substring(0, 1000) : error, summary, changedSince, id, id, id).update();
    }

    private static DirectorySource map(ResultSet rs, int n) throws SQLException {
        return new DirectorySource(rs.getLong("id"), rs.getString("name"), DirectorySource.Kind.valueOf(rs.getString("kind")),
                rs.getString("url"), rs.getBoolean("start_tls"), rs.getString("bind_dn"),
                rs.getString("bind_password_ciphertext") != null, rs.getString("user_base_dn"), rs.getString("user_filter"),
                rs.getString("group_base_dn"), rs.getString("group_filter"), rs.getString("user_id_attribute"),
                rs.getString("email_attribute"), rs.getString("managed_apple_id_attribute"), rs.getString("display_name_attribute"),
                rs.getString("group_id_attribute"), rs.getString("group_name_attribute"), rs.getString("member_attribute"),
                rs.getInt("page_size"), rs.getInt("sync_minutes"), DirectorySource.OnDelete.valueOf(rs.getString("on_delete")),
                rs.getBoolean("enabled"), rs.getString("ca_certificate"), instant(rs.getTimestamp("last_sync_at")), instant(rs.getTimestamp("last_full_sync_at")),
                rs.getString("last_result"), rs.getString("last_error"), rs.getString("last_summary"), rs.getLong("user_count"),
                rs.getLong("group_count"), rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
