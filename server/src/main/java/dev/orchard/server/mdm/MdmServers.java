package dev.orchard.server.mdm;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The mdm_servers table. Secrets are handled as ciphertexts here; {@link MdmServerService} encrypts them. */
@Repository
class MdmServers {

    private final JdbcClient jdbc;

    MdmServers(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<MdmServer> all() {
        return jdbc.sql("select * from mdm_servers order by name").query(MdmServers::map).list();
    }

    Optional<MdmServer> find(long id) {
        return jdbc.sql("select * from mdm_servers where id = ?").param(id).query(MdmServers::map).optional();
    }

    Optional<MdmServer> byDefault() {
        return jdbc.sql("select * from mdm_servers where is_default = true").query(MdmServers::map).optional();
    }

    Optional<String> apiKeyCiphertext(long id) {
        return jdbc.sql("select api_key_ciphertext from mdm_servers where id = ?").param(id).query(String.class).optional();
    }

    /** (id, ciphertext) of every NanoMDM server with an events secret. */
    List<Object[]> eventSecrets() {
        return jdbc.sql("select id, events_secret_ciphertext from mdm_servers where kind = 'NANOMDM' "
                + "and events_secret_ciphertext is not null order by id")
                .query((rs, n) -> new Object[] {rs.getLong(1), rs.getString(2)}).list();
    }

    long insert(String name, MdmServer.Kind kind, String url, String apiKey, String eventsSecret, boolean isDefault,
                MdmServer.UrlForm form, boolean licenseOnly, Instant now) {
        var keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
        jdbc.sql("insert into mdm_servers (name, kind, url, api_key_ciphertext, events_secret_ciphertext, is_default, "
                + "url_form, license_only, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").params(name, kind.name(),
                url, apiKey, eventsSecret, isDefault, form.name(), licenseOnly, Timestamp.from(now), Timestamp.from(now))
                .update(keys, "id");
        return keys.getKey().longValue();
    }

    void update(long id, String name, String url, String apiKey, String eventsSecret, boolean isDefault, MdmServer.UrlForm form,
                boolean licenseOnly, Instant now) {
        jdbc.sql("update mdm_servers set name = ?, url = ?, api_key_ciphertext = coalesce(?, api_key_ciphertext), "
                + "events_secret_ciphertext = coalesce(?, events_secret_ciphertext), is_default = ?, url_form = ?, "
                + "license_only = ?, updated_at = ? where id = ?")
                .params(name, url, apiKey, eventsSecret, isDefault, form.name(), licenseOnly, Timestamp.from(now), id).update();
    }

    void clearDefault(long exceptId) {
        jdbc.sql("update mdm_servers set is_default = false where id <> ? and is_default = true").param(exceptId).update();
    }

    boolean nameTaken(String name, long exceptId) {
        return jdbc.sql("select count(*) from mdm_servers where lower(name) = lower(?) and id <> ?").params(name, exceptId)
                .query(Integer.class).single() > 0;
    }

    boolean delete(long id) {
        return jdbc.sql("delete from mdm_servers where id = ?").param(id).update() == 1;
    }

    private static MdmServer map(ResultSet rs, int n) throws SQLException {
        return new MdmServer(rs.getLong("id"), rs.getString("name"), MdmServer.Kind.valueOf(rs.getString("kind")),
                rs.getString("url"), rs.getBoolean("is_default"), rs.getString("api_key_ciphertext") != null,
                rs.getString("events_secret_ciphertext") != null, MdmServer.UrlForm.valueOf(rs.getString("url_form")),
                rs.getBoolean("license_only"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(), instant(rs.getTimestamp("unreachable_since")),
                rs.getString("unreachable_error"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** The server took no request of this round: unreachable since the first such round (kept while it lasts). */
    void unreachable(long id, String error, Instant now) {
        jdbc.sql("update mdm_servers set unreachable_since = coalesce(unreachable_since, ?), unreachable_error = ? where id = ?")
                .params(Timestamp.from(now), error.length() > 1000 ? error.substring(0, 1000) : error, id).update();
    }

    /** A request reached the server: clears what {@link #unreachable} recorded (a write only when there is something to clear). */
    void reached(long id) {
        jdbc.sql("update mdm_servers set unreachable_since = null, unreachable_error = null where id = ? "
                + "and unreachable_since is not null").param(id).update();
    }
}
