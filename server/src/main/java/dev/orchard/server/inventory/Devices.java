package dev.orchard.server.inventory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The devices and device_apps tables. */
@Repository
class Devices {

    private final JdbcClient jdbc;

    Devices(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts or replaces each device's attributes; returns how many were new. */
    int upsert(List<Device> devices, Instant now) {
        int created = 0;
        Timestamp ts = Timestamp.from(now);
        for (Device d : devices) {
            int updated = jdbc.sql("""
                    update devices set udid = ?, platform = ?, os_version = ?, model = ?, country = ?, shared_ipad = ?,
                        enrollment_type = ?, owner_user_id = ?, status = ?, updated_at = ?,
                        retired_at = case when ? = 'RETIRED' then coalesce(retired_at, ?) else null end
                    where serial_number = ?
                    """).params(d.udid(), d.platform().name(), d.osVersion(), d.model(), d.country(), d.sharedIpad(),
                    d.enrollment().name(), d.ownerUserId(), d.status().name(), ts, d.status().name(), ts, d.serialNumber())
                    .update();
            if (updated == 0) {
                jdbc.sql("""
                        insert into devices (serial_number, udid, platform, os_version, model, country, shared_ipad,
                            enrollment_type, owner_user_id, status, created_at, updated_at, retired_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """).params(d.serialNumber(), d.udid(), d.platform().name(), d.osVersion(), d.model(), d.country(),
                        d.sharedIpad(), d.enrollment().name(), d.ownerUserId(), d.status().name(), ts, ts,
                        d.active() ? null : ts).update();
                created++;
            }
        }
        return created;
    }

    Optional<Device> find(String serial) {
        return jdbc.sql("select * from devices where serial_number = ?").param(serial).query(Devices::map).optional();
    }

    /**
     * Keyset page in serial order; {@code search} is a prefix of the serial (in upper case or as typed), the model or
     * the owner (as typed), or a part of the serial anywhere in it. The serial branch walks the primary key; model and owner prefixes use their indexes and sort only what
     * matches, so a search stays fast over hundreds of thousands of devices unless the prefix matches most of them.
     */
    List<Device> page(String search, Device.Status status, String afterSerial, int limit) {
        String after = afterSerial == null ? "" : afterSerial;
        String state = status == null ? null : status.name();
        if (search == null || search.isBlank()) {
            return jdbc.sql("select * from devices where serial_number > ? and (cast(? as varchar) is null or status = ?) "
                    + "order by serial_number limit ?").params(after, state, state, limit).query(Devices::map).list();
        }
        String prefix = search.strip();
        // each branch is an index range (LIKE alone is not one for H2) walked in serial order up to the page size;
        // the union is at most four pages
        String branch = "(select * from devices where %1$s >= ? and %1$s < ? and serial_number > ? "
                + "and (cast(? as varchar) is null or status = ?) order by serial_number limit ?)";
        String upper = prefix.toUpperCase(java.util.Locale.ROOT); // Apple's serials are upper case; others as typed
        // admins type the last digits of a serial, as printed on a label: a serial also matches anywhere (this branch
        // walks the primary key in order, filtering, and stops at the page size)
        String anywhere = "(select * from devices where serial_number like ? escape '\\' and serial_number > ? "
                + "and (cast(? as varchar) is null or status = ?) order by serial_number limit ?)";
        String contained = "%" + upper.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return jdbc.sql("select * from (" + branch.formatted("serial_number") + " union " + branch.formatted("serial_number")
                        + " union " + branch.formatted("model") + " union " + branch.formatted("owner_user_id")
                        + " union " + anywhere + ") d order by serial_number limit ?")
                .params(upper, upper + Character.MAX_VALUE, after, state, state, limit,
                        prefix, prefix + Character.MAX_VALUE, after, state, state, limit,
                        prefix, prefix + Character.MAX_VALUE, after, state, state, limit,
                        prefix, prefix + Character.MAX_VALUE, after, state, state, limit,
                        contained, after, state, state, limit, limit)
                .query(Devices::map).list();
    }

    /** The devices these users own, whatever their status. */
    List<Device> ownedBy(Collection<String> users) {
        return inChunks(users, chunk -> jdbc.sql("select * from devices where owner_user_id in (:users)").param("users", chunk)
                .query(Devices::map).list());
    }

    /** The owners these devices have now (before a change). */
    Set<String> ownersOf(Collection<String> serials) {
        return new HashSet<>(inChunks(serials, chunk -> jdbc.sql("select distinct owner_user_id from devices "
                + "where serial_number in (:s) and owner_user_id is not null").param("s", chunk).query(String.class).list()));
    }

    /** These devices, whatever their status. */
    List<Device> find(Collection<String> serials) {
        return inChunks(serials, chunk -> jdbc.sql("select * from devices where serial_number in (:s)").param("s", chunk)
                .query(Devices::map).list());
    }

    /** Runs a query per thousand keys (an IN list stays small enough for every database's plan cache). */
    private static <T> List<T> inChunks(Collection<String> keys, Function<List<String>, List<T>> query) {
        List<String> all = List.copyOf(keys);
        List<T> found = new ArrayList<>();
        for (int i = 0; i < all.size(); i += 1000) {
            found.addAll(query.apply(all.subList(i, Math.min(all.size(), i + 1000))));
        }
        return found;
    }

    boolean retire(String serial, Instant now) {
        return jdbc.sql("update devices set status = 'RETIRED', retired_at = ?, updated_at = ? where serial_number = ? "
                + "and status <> 'RETIRED'").params(Timestamp.from(now), Timestamp.from(now), serial).update() == 1;
    }

    List<InstalledApp> apps(String serial) {
        return jdbc.sql("select bundle_id, version, managed from device_apps where serial_number = ? order by bundle_id")
                .param(serial).query((rs, n) -> new InstalledApp(rs.getString(1), rs.getString(2), rs.getBoolean(3))).list();
    }

    void replaceApps(String serial, List<InstalledApp> apps, Instant now) {
        jdbc.sql("delete from device_apps where serial_number = ?").param(serial).update();
        var seen = new java.util.HashSet<String>();
        for (InstalledApp a : apps) {
            if (seen.add(a.bundleId())) {
                jdbc.sql("insert into device_apps (serial_number, bundle_id, version, managed) values (?, ?, ?, ?)")
                        .params(serial, a.bundleId(), a.version(), a.managed()).update();
            }
        }
        jdbc.sql("update devices set apps_reported_at = ? where serial_number = ?").params(Timestamp.from(now), serial).update();
    }

    void forgetApps(String serial) {
        jdbc.sql("delete from device_apps where serial_number = ?").param(serial).update();
        jdbc.sql("update devices set apps_reported_at = null where serial_number = ?").param(serial).update();
    }

    long count(Device.Status status) {
        return jdbc.sql("select count(*) from devices where status = ?").param(status.name()).query(Long.class).single();
    }

    static Device map(ResultSet rs, int n) throws SQLException {
        Timestamp reported = rs.getTimestamp("apps_reported_at");
        return new Device(rs.getString("serial_number"), rs.getString("udid"), Platform.valueOf(rs.getString("platform")),
                rs.getString("os_version"), rs.getString("model"), rs.getString("country"), rs.getBoolean("shared_ipad"),
                Device.Enrollment.valueOf(rs.getString("enrollment_type")), rs.getString("owner_user_id"),
                Device.Status.valueOf(rs.getString("status")), reported == null ? null : reported.toInstant());
    }
}
