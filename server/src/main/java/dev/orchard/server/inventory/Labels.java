package dev.orchard.server.inventory;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/** Labels with their targets and apps, and per-app settings. */
@Repository
class Labels {

    private final JdbcClient jdbc;

    Labels(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long insert(Label l, Instant now) {
        var keys = new GeneratedKeyHolder();
        jdbc.sql("insert into labels (kind, name, account_id, created_at, updated_at) values (?, ?, ?, ?, ?)")
                .params(l.kind().name(), l.name(), l.accountId(), Timestamp.from(now), Timestamp.from(now)).update(keys, "id");
        long id = keys.getKey().longValue();
        writeParts(id, l);
        return id;
    }

    boolean replace(long id, Label l, Instant now) {
        if (jdbc.sql("update labels set name = ?, account_id = ?, updated_at = ? where id = ? and kind = ?")
                .params(l.name(), l.accountId(), Timestamp.from(now), id, l.kind().name()).update() == 0) {
            return false;
        }
        jdbc.sql("delete from label_targets where label_id = ?").param(id).update();
        jdbc.sql("delete from label_apps where label_id = ?").param(id).update();
        writeParts(id, l);
        return true;
    }

    private void writeParts(long id, Label l) {
        for (LabelTarget t : l.named()) {
            jdbc.sql("insert into label_targets (label_id, target_type, target_value, platform, shared_ipad, enrollment_type, "
                    + "excluded) values (?, ?, ?, ?, ?, ?, ?)").params(id, t.type().name(), t.value(),
                    t.platform() == null ? null : t.platform().name(), t.sharedIpad(),
                    t.enrollment() == null ? null : t.enrollment().name(), l.exclusions().contains(t)).update();
        }
        for (String adamId : l.adamIds()) {
            jdbc.sql("insert into label_apps (label_id, adam_id) values (?, ?)").params(id, adamId).update();
        }
    }

    boolean delete(long id) {
        return jdbc.sql("delete from labels where id = ?").param(id).update() == 1;
    }

    boolean nameTaken(String name, long exceptId) {
        return jdbc.sql("select count(*) from labels where name = ? and id <> ?").params(name, exceptId)
                .query(Integer.class).single() > 0;
    }

    /** One label, read alone (it used to be picked out of {@link #all}: a tenth of the test suite's CPU). */
    Optional<Label> find(long id) {
        return read(" where id = ?", " where label_id = ?", id).stream().findFirst();
    }

    /** Every label with its targets and apps (labels are few; the policy reads them once per pass). */
    List<Label> all() {
        return read("", "");
    }

    /** The labels (and their targets and apps) that {@code labelsWhere} and {@code rowsWhere} choose. */
    private List<Label> read(String labelsWhere, String rowsWhere, Object... params) {
        Map<Long, List<LabelTarget>> targets = new HashMap<>();
        Map<Long, List<LabelTarget>> exclusions = new HashMap<>();
        jdbc.sql("select * from label_targets" + rowsWhere + " order by id").params(params).query((rs, n) -> (rs.getBoolean("excluded") ? exclusions : targets)
                .computeIfAbsent(rs.getLong("label_id"), k -> new ArrayList<>())
                .add(new LabelTarget(LabelTarget.Type.valueOf(rs.getString("target_type")), rs.getString("target_value"),
                        rs.getString("platform") == null ? null : Platform.valueOf(rs.getString("platform")),
                        (Boolean) rs.getObject("shared_ipad", Boolean.class),
                        rs.getString("enrollment_type") == null ? null : Device.Enrollment.valueOf(rs.getString("enrollment_type")))))
                .list();
        Map<Long, List<String>> apps = new HashMap<>();
        jdbc.sql("select label_id, adam_id from label_apps" + rowsWhere + " order by adam_id").params(params).query((rs, n) -> apps
                .computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2))).list();
        return jdbc.sql("select * from labels" + labelsWhere + " order by kind, name").params(params).query((rs, n) -> new Label(rs.getLong("id"),
                Label.Kind.valueOf(rs.getString("kind")), rs.getString("name"), (Long) rs.getObject("account_id", Long.class),
                targets.getOrDefault(rs.getLong("id"), List.of()), apps.getOrDefault(rs.getLong("id"), List.of()),
                exclusions.getOrDefault(rs.getLong("id"), List.of()))).list();
    }

    Map<String, AppSettings> settings() {
        Map<String, AppSettings> all = new HashMap<>();
        jdbc.sql("select * from app_settings").query((rs, n) -> all.put(rs.getString("adam_id"), new AppSettings(
                rs.getString("adam_id"), AppSettings.LicenseType.valueOf(rs.getString("license_type")),
                rs.getBoolean("auto_install"), rs.getBoolean("install_on_registration"), rs.getBoolean("auto_update"),
                rs.getBoolean("remove_on_unenroll"), rs.getBoolean("prevent_backup")))).list();
        return all;
    }

    void saveSettings(AppSettings s, Instant now) {
        Timestamp ts = Timestamp.from(now);
        if (jdbc.sql("update app_settings set license_type = ?, auto_install = ?, install_on_registration = ?, auto_update = ?, "
                + "remove_on_unenroll = ?, prevent_backup = ?, updated_at = ? where adam_id = ?").params(s.licenseType().name(),
                s.autoInstall(), s.installOnRegistration(), s.autoUpdate(), s.removeOnUnenroll(), s.preventBackup(), ts,
                s.adamId()).update() == 0) {
            jdbc.sql("insert into app_settings (adam_id, license_type, auto_install, install_on_registration, auto_update, "
                    + "remove_on_unenroll, prevent_backup, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)").params(s.adamId(),
                    s.licenseType().name(), s.autoInstall(), s.installOnRegistration(), s.autoUpdate(), s.removeOnUnenroll(),
                    s.preventBackup(), ts).update();
        }
    }
}
