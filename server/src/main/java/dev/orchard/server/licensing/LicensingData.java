package dev.orchard.server.licensing;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.orchard.server.licensing.AssignmentPolicy.HolderType;
import dev.orchard.server.ledger.LicenseLedger;

/**
 * What the licensing engine reads (pools, held licenses, Apple users: the ledger's tables, which only {@link LicenseLedger}
 * writes) and writes (the waitlist, opt-outs and its pass state).
 */
@Repository
class LicensingData {

    /** A pool as the engine sees it; {@code available} already net of Orchard's unconfirmed assignments. */
    record PoolRow(long accountId, String adamId, String pricingParam, boolean book, long available, boolean unlimited,
                   boolean deviceAssignable, Set<String> platforms) {
    }

    /** A license in the ledger. */
    record HeldRow(long id, long accountId, String adamId, String pricingParam, String serialNumber, String clientUserId,
                   String origin, String intent, String reclaimRule) {
        /** Held, or in flight and still wanted: what a reclaim trigger applies to (see {@link LicenseLedger}'s table). */
        boolean reclaimable() {
            return id >= 0 && (intent == null || "ASSIGN".equals(intent) && reclaimRule == null);
        }

        /** In flight, but its holder no longer wants it: reclaimed once Apple confirms it. */
        boolean unwanted() {
            return "ASSIGN".equals(intent) && reclaimRule != null;
        }

        HolderType type() {
            return serialNumber != null ? HolderType.DEVICE : HolderType.USER;
        }

        String holder() {
            return serialNumber != null ? serialNumber : clientUserId;
        }

        LicenseLedger.Key key() {
            return new LicenseLedger.Key(adamId, pricingParam, serialNumber, clientUserId);
        }
    }

    private final JdbcClient jdbc;

    LicensingData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<PoolRow> pools() {
        Map<String, Long> pending = new HashMap<>();
        jdbc.sql("""
                select account_id, adam_id, pricing_param, count(*) from licenses where intent = 'ASSIGN'
                group by account_id, adam_id, pricing_param
                """).query((rs, n) -> pending.put(rs.getLong(1) + "/" + rs.getString(2) + "/" + rs.getString(3), rs.getLong(4)))
                .list();
        return jdbc.sql("select * from pools").query((rs, n) -> {
            String key = rs.getLong("account_id") + "/" + rs.getString("adam_id") + "/" + rs.getString("pricing_param");
            long available = rs.getLong("available_count") - pending.getOrDefault(key, 0L);
            String platforms = rs.getString("platforms");
            return new PoolRow(rs.getLong("account_id"), rs.getString("adam_id"), rs.getString("pricing_param"),
                    "Book".equalsIgnoreCase(rs.getString("product_type")), available, rs.getBoolean("unlimited"),
                    rs.getBoolean("device_assignable"),
                    platforms == null || platforms.isBlank() ? Set.of() : Set.of(platforms.split(",")));
        }).list();
    }

    /** Licenses held by these devices or users (any account, any app). */
    List<HeldRow> held(Collection<String> serials, Collection<String> users) {
        var rows = new java.util.ArrayList<HeldRow>();
        if (!serials.isEmpty()) {
            rows.addAll(jdbc.sql("select * from licenses where serial_number in (:s)").param("s", serials).query(LicensingData::held).list());
        }
        if (!users.isEmpty()) {
            rows.addAll(jdbc.sql("select * from licenses where client_user_id in (:u)").param("u", users).query(LicensingData::held).list());
        }
        return rows;
    }

    List<HeldRow> heldBy(String column, String value) {
        return jdbc.sql("select * from licenses where " + column + " = ?").param(value).query(LicensingData::held).list();
    }

    static HeldRow held(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new HeldRow(rs.getLong("id"), rs.getLong("account_id"), rs.getString("adam_id"), rs.getString("pricing_param"),
                rs.getString("serial_number"), rs.getString("client_user_id"), rs.getString("origin"), rs.getString("intent"),
                rs.getString("reclaim_rule"));
    }

    /** Opt-outs of these holders as "TYPE:holder:adamId". */
    Set<String> optOuts(Collection<String> holders) {
        Set<String> keys = new HashSet<>();
        if (!holders.isEmpty()) {
            jdbc.sql("select holder_type, holder, adam_id from license_opt_outs where holder in (:h)").param("h", holders)
                    .query((rs, n) -> keys.add(rs.getString(1) + ":" + rs.getString(2) + ":" + rs.getString(3))).list();
        }
        return keys;
    }

    void optOut(HolderType type, String holder, String adamId, String rule, Instant now) {
        if (jdbc.sql("update license_opt_outs set rule = ?, at = ? where holder_type = ? and holder = ? and adam_id = ?")
                .params(rule, Timestamp.from(now), type.name(), holder, adamId).update() == 0) {
            jdbc.sql("insert into license_opt_outs (holder_type, holder, adam_id, rule, at) values (?, ?, ?, ?, ?)")
                    .params(type.name(), holder, adamId, rule, Timestamp.from(now)).update();
        }
    }

    int clearOptOuts(HolderType type, String holder, String adamId) {
        return jdbc.sql("delete from license_opt_outs where holder_type = ? and holder = ? and (cast(? as varchar) is null or adam_id = ?)")
                .params(type.name(), holder, adamId, adamId).update();
    }

    /** Clientuserids with an active (Registered or Associated) Apple user in the account. */
    Set<String> appleUsers(long accountId, Collection<String> users) {
        if (users.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.sql("select client_user_id from apple_users where account_id = :a and client_user_id in (:u) "
                + "and status in ('Registered', 'Associated')").param("a", accountId).param("u", users).query(String.class).list());
    }

    /**
     * Retired devices in serial order, a page at a time (index {@code devices_status_idx}): the pass's R4b safety
     * net looks at their licenses. Driven by the devices, not by the ledger: at 10,000,000 licenses a walk of the
     * ledger joined to devices read 100,000 licenses per 1,000 found.
     */
    List<String> retiredSerials(String after, int limit) {
        return jdbc.sql("select serial_number from devices where status = 'RETIRED' and serial_number > ? order by serial_number limit ?")
                .params(after, limit).query(String.class).list();
    }

    void waitlist(HolderType type, String holder, String adamId, String kind, String reason, Instant now) {
        Timestamp ts = Timestamp.from(now);
        String capped = reason.length() > 500 ? reason.substring(0, 499) + "…" : reason;
        if (jdbc.sql("update waitlist set kind = ?, reason = ?, checked_at = ? where holder_type = ? and holder = ? and adam_id = ?")
                .params(kind, capped, ts, type.name(), holder, adamId).update() == 0) {
            jdbc.sql("insert into waitlist (holder_type, holder, adam_id, reason, kind, since, checked_at) values (?, ?, ?, ?, ?, ?, ?)")
                    .params(type.name(), holder, adamId, capped, kind, ts, ts).update();
        }
    }

    void unlist(HolderType type, String holder, String adamId) {
        jdbc.sql("delete from waitlist where holder_type = ? and holder = ? and adam_id = ?").params(type.name(), holder, adamId).update();
    }

    /** Entries a pass did not see again: the target no longer wants the app. */
    int sweepWaitlist(Instant passStart) {
        return jdbc.sql("delete from waitlist where checked_at < ?").param(Timestamp.from(passStart)).update();
    }

    /** Waiting holders in the order they started waiting. */
    List<String[]> waiting() {
        return jdbc.sql("select holder_type, holder from waitlist where kind = 'WAITING' group by holder_type, holder order by min(id)")
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).list();
    }

    /** Bundle id → adamId from the catalog's metadata. */
    Map<String, String> adamIdsByBundle(Collection<String> bundleIds) {
        Map<String, String> map = new HashMap<>();
        if (!bundleIds.isEmpty()) {
            jdbc.sql("select bundle_id, adam_id from app_metadata where bundle_id in (:b)").param("b", bundleIds)
                    .query((rs, n) -> map.put(rs.getString(1), rs.getString(2))).list();
        }
        return map;
    }

    /** Whether any active device of the user reports the app installed. */
    boolean installedOnAnyDevice(String userId, String bundleId) {
        return jdbc.sql("""
                select count(*) from device_apps a join devices d on d.serial_number = a.serial_number
                where d.owner_user_id = ? and d.status = 'ACTIVE' and a.bundle_id = ?
                """).params(userId, bundleId).query(Integer.class).single() > 0;
    }

    void passStarted(Instant now) {
        jdbc.sql("update licensing_pass set started_at = ?, served = requests, running = true where id = 1")
                .param(Timestamp.from(now)).update();
    }

    /** Returns true when a change arrived after the pass started (another pass is due at once). */
    boolean passFinished(Instant now, String summary) {
        jdbc.sql("update licensing_pass set finished_at = ?, summary = ?, running = false where id = 1")
                .params(Timestamp.from(now), summary).update();
        return jdbc.sql("select count(*) from licensing_pass where id = 1 and requests > served").query(Integer.class).single() > 0;
    }

    /** Whether changes wait for a pass that is not running. */
    boolean unserved() {
        return jdbc.sql("select count(*) from licensing_pass where id = 1 and requests > served and running = false")
                .query(Integer.class).single() > 0;
    }

    void requestPass(Instant now) {
        jdbc.sql("update licensing_pass set requested_at = ?, requests = requests + 1 where id = 1").param(Timestamp.from(now)).update();
    }
}
