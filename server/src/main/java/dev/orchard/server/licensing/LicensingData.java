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
import dev.orchard.server.ledger.LedgerQueries;
import dev.orchard.server.ledger.LicenseLedger;
import dev.orchard.server.ledger.LicenseRow;

/**
 * What the licensing engine reads (pools, held licenses and Apple users through {@link LedgerQueries}; only
 * {@link LicenseLedger} writes them) and writes (the waitlist, opt-outs and its pass state).
 */
@Repository
class LicensingData {

    /** A pool as the engine sees it; {@code available} already net of Orchard's unconfirmed assignments. */
    record PoolRow(long accountId, String adamId, String pricingParam, boolean book, long available, boolean unlimited,
                   boolean deviceAssignable, Set<String> platforms) {
    }

    private final JdbcClient jdbc;
    private final LedgerQueries ledger;

    LicensingData(JdbcClient jdbc, LedgerQueries ledger) {
        this.jdbc = jdbc;
        this.ledger = ledger;
    }

    List<PoolRow> pools() {
        Map<String, Long> pending = ledger.inFlightPerPool();
        return ledger.pools(null).stream().map(p -> {
            long available = (p.available() == null ? 0 : p.available())
                    - pending.getOrDefault(p.accountId() + "/" + p.adamId() + "/" + p.pricingParam(), 0L);
            return new PoolRow(p.accountId(), p.adamId(), p.pricingParam(), "Book".equalsIgnoreCase(p.productType()), available,
                    p.unlimited(), p.deviceAssignable(), Set.copyOf(p.platforms()));
        }).toList();
    }

    /** Licenses of these devices or users (any account, any app, any state). */
    List<LicenseRow> held(Collection<String> serials, Collection<String> users) {
        return ledger.rows(serials, users);
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
        return ledger.activeAppleUsers(accountId, users);
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

    /** The pass starts: what was wanted until now is what it serves. */
    void passStarted(Instant now) {
        jdbc.sql("update licensing_pass set started_at = ?, wanted = false, running = true where id = 1")
                .param(Timestamp.from(now)).update();
    }

    /** Returns true when a pass was wanted after this one started (another is due at once). */
    boolean passFinished(Instant now, String summary) {
        jdbc.sql("update licensing_pass set finished_at = ?, summary = ?, running = false where id = 1")
                .params(Timestamp.from(now), summary).update();
        return wanted();
    }

    boolean wanted() {
        return jdbc.sql("select wanted from licensing_pass where id = 1").query(Boolean.class).single();
    }

    void requestPass(Instant now) {
        jdbc.sql("update licensing_pass set requested_at = ?, wanted = true where id = 1").param(Timestamp.from(now)).update();
    }
}
