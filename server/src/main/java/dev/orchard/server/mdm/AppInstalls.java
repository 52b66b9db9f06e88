package dev.orchard.server.mdm;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The mdm_app_installs table (per device and app: REQUESTED, INSTALLED, FAILED, REMOVED) and the reads that decide
 * what to install: licenses Apple confirmed (the ledger), the catalog's bundle ids and versions, and what devices
 * report installed.
 */
@Repository
class AppInstalls {

    /** An app to install on a device, because of a license held by the device or by its user. */
    record Wanted(String serialNumber, String adamId, boolean userLicense) {
    }

    /** An app's identity and current version in the catalog. */
    record AppInfo(String adamId, String bundleId, String version) {
    }

    /** A device-licensed app whose installed version is older than the catalog's. */
    record Outdated(String serialNumber, String adamId, String bundleId, String installed, String current) {
    }

    private final JdbcClient jdbc;

    AppInstalls(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    // driven from the enrolments into the ledger's holder indexes, never a walk of every license
    private static final String ENROLLED = "select d.serial_number, l.adam_id from mdm_enrollments e "
            + "join devices d on d.serial_number = e.serial_number and d.status = 'ACTIVE' ";
    // devices of a license-only MDM server get their apps from another tool
    private static final String CONDITIONS = " left join app_settings s on s.adam_id = l.adam_id where e.state = 'ENROLLED' "
            + "and not exists (select 1 from mdm_servers ms where ms.license_only and ms.id = coalesce(e.server_id, "
            + "(select dflt.id from mdm_servers dflt where dflt.is_default))) "
            + "and coalesce(s.auto_install, true) and l.origin = 'ORCHARD' and l.confirmed "
            + "and not exists (select 1 from mdm_app_installs i where i.serial_number = e.serial_number and i.adam_id = l.adam_id) "
            + "limit ?";
    // no order: with "order by d.serial_number" H2 (100,000 devices) walked every device in key order and, for a
    // device without an owner, every user license's null holder; without it the enrolments drive the join
    static final String DUE_DEVICE_INSTALLS = ENROLLED + "join ledger_licenses l on l.serial_number = d.serial_number" + CONDITIONS;
    // the owner is looked up per enrolment: joined to devices by owner, H2 read every active device at each sweep
    static final String DUE_USER_INSTALLS = "select e.serial_number, l.adam_id from mdm_enrollments e "
            + "join ledger_licenses l on l.client_user_id = (select d.owner_user_id from devices d "
            + "where d.serial_number = e.serial_number and d.status = 'ACTIVE' and d.shared_ipad = false)"
            + CONDITIONS;

    /**
     * Licenses this Orchard assigned and Apple confirmed, for apps set to install automatically, whose enrolled
     * device never got an install request: device licenses on their device, user licenses on the user's devices
     * (never a Shared iPad, which takes device licenses only).
     */
    List<Wanted> dueInstalls(int limit) {
        var list = new java.util.ArrayList<Wanted>(jdbc.sql(DUE_DEVICE_INSTALLS).param(limit)
                .query((rs, n) -> new Wanted(rs.getString(1), rs.getString(2), false)).list());
        if (list.size() < limit) {
            list.addAll(jdbc.sql(DUE_USER_INSTALLS).param(limit - list.size())
                    .query((rs, n) -> new Wanted(rs.getString(1), rs.getString(2), true)).list());
        }
        return list;
    }

    /** Apps the device holds a confirmed device license for (rule R10 re-installs exactly these). */
    List<String> deviceLicensedApps(String serial, boolean onlyInstallOnRegistration) {
        return jdbc.sql("select l.adam_id from ledger_licenses l left join app_settings s on s.adam_id = l.adam_id "
                + "where l.serial_number = ? and l.confirmed "
                + "and (? = false or coalesce(s.install_on_registration, false)) order by l.adam_id")
                .params(serial, onlyInstallOnRegistration).query(String.class).list();
    }

    /** Apps the device, or its user, holds a confirmed license for. */
    List<String> licensedApps(String serial) {
        return jdbc.sql("select distinct adam_id from ledger_licenses where confirmed and "
                + "(serial_number = ? or client_user_id = (select owner_user_id from devices where serial_number = ?)) "
                + "order by adam_id").params(serial, serial).query(String.class).list();
    }

    /** Whether the device (or its owner, for a user license) holds a confirmed license for the app. */
    Optional<Boolean> licensed(String serial, String adamId) {
        var holders = jdbc.sql("""
                select case when l.serial_number is not null then 'D' else 'U' end from ledger_licenses l
                where l.adam_id = ? and l.confirmed
                  and (l.serial_number = ? or l.client_user_id = (select owner_user_id from devices where serial_number = ?))
                """).params(adamId, serial, serial).query(String.class).list();
        return holders.isEmpty() ? Optional.empty() : Optional.of(!holders.contains("D"));
    }

    /** Devices holding a confirmed device license for the app, after {@code afterSerial}. */
    List<String> holders(String adamId, String afterSerial, int limit) {
        return jdbc.sql("select serial_number from ledger_licenses where adam_id = ? and serial_number > ? and confirmed "
                + "order by serial_number limit ?").params(adamId, afterSerial, limit)
                .query(String.class).list();
    }

    Map<String, AppInfo> apps(Collection<String> adamIds) {
        Map<String, AppInfo> map = new HashMap<>();
        if (!adamIds.isEmpty()) {
            jdbc.sql("select adam_id, bundle_id, version from app_metadata where adam_id in (:ids)").param("ids", adamIds)
                    .query((rs, n) -> map.put(rs.getString(1), new AppInfo(rs.getString(1), rs.getString(2), rs.getString(3))))
                    .list();
        }
        return map;
    }

    Optional<String> adamIdOf(String bundleId) {
        return jdbc.sql("select adam_id from app_metadata where bundle_id = ? order by adam_id").param(bundleId)
                .query(String.class).list().stream().findFirst();
    }

    /**
     * Installed device-licensed apps whose reported version differs from the catalog's (the caller keeps the older
     * ones), optionally for one device and/or app, in keyset order after (serial, adamId).
     */
    List<Outdated> versionMismatches(String serial, String adamId, String after, int limit) {
        return jdbc.sql("""
                select a.serial_number, m.adam_id, m.bundle_id, a.version, m.version from device_apps a
                join app_metadata m on m.bundle_id = a.bundle_id
                join ledger_licenses l on l.serial_number = a.serial_number and l.adam_id = m.adam_id and l.held
                join devices d on d.serial_number = a.serial_number and d.status = 'ACTIVE'
                where a.version is not null and m.version is not null and a.version <> m.version
                  and (cast(? as varchar) is null or a.serial_number = ?) and (cast(? as varchar) is null or m.adam_id = ?)
                  and a.serial_number || '/' || m.adam_id > ?
                order by a.serial_number || '/' || m.adam_id limit ?
                """).params(serial, serial, adamId, adamId, after == null ? "" : after, limit)
                .query((rs, n) -> new Outdated(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5))).list();
    }

    Optional<String[]> find(String serial, String adamId) {
        return jdbc.sql("select state, version, command_uuid from mdm_app_installs where serial_number = ? and adam_id = ?")
                .params(serial, adamId).query((rs, n) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}).optional();
    }

    void record(String serial, String adamId, String state, String commandUuid, String version, String reason, String detail,
                Instant now) {
        Timestamp ts = Timestamp.from(now);
        String capped = detail == null || detail.length() <= 1000 ? detail : detail.substring(0, 1000);
        if (jdbc.sql("update mdm_app_installs set state = ?, command_uuid = coalesce(?, command_uuid), version = coalesce(?, version), "
                + "reason = coalesce(?, reason), detail = ?, updated_at = ? where serial_number = ? and adam_id = ?")
                .params(state, commandUuid, version, reason, capped, ts, serial, adamId).update() == 0) {
            jdbc.sql("insert into mdm_app_installs (serial_number, adam_id, state, command_uuid, version, reason, detail, updated_at) "
                    + "values (?, ?, ?, ?, ?, ?, ?, ?)").params(serial, adamId, state, commandUuid, version, reason, capped, ts).update();
        }
    }

    /** The device was erased: nothing Orchard installed is on it any more. */
    void allRemoved(String serial, String why, Instant now) {
        jdbc.sql("update mdm_app_installs set state = 'REMOVED', detail = ?, updated_at = ? where serial_number = ?")
                .params(why, Timestamp.from(now), serial).update();
    }

    /** What Orchard asked a device's MDM to install, app by app, and where each install stands. */
    public record Install(String adamId, String state, String commandUuid, String version, String reason, String detail,
                          Instant updatedAt) {
    }

    List<Install> ofDevice(String serial) {
        return jdbc.sql("select adam_id, state, command_uuid, version, reason, detail, updated_at from mdm_app_installs "
                + "where serial_number = ? order by adam_id").param(serial).query((rs, n) -> new Install(rs.getString("adam_id"),
                rs.getString("state"), rs.getString("command_uuid"), rs.getString("version"), rs.getString("reason"),
                rs.getString("detail"), rs.getTimestamp("updated_at").toInstant())).list();
    }
}
