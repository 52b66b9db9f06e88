package dev.orchard.server.licensing;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
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

    /** What a change named: a device, a user, or an app whose waiting targets may now be served. */
    enum SubjectKind { DEVICE, USER, WAITING }

    /** One recorded subject; {@code id} is what the pass deletes once it served it. */
    record Subject(long id, SubjectKind kind, String subject) {
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final LedgerQueries ledger;

    LicensingData(JdbcClient jdbc, JdbcTemplate batch, LedgerQueries ledger) {
        this.jdbc = jdbc;
        this.batch = batch;
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

    /** The waitlist's reasons for these holders, as "TYPE:holder:adamId" → kind and reason. */
    Map<String, String[]> listed(Collection<String> holders) {
        Map<String, String[]> rows = new java.util.HashMap<>();
        if (!holders.isEmpty()) {
            jdbc.sql("select holder_type, holder, adam_id, kind, reason from waitlist where holder in (:h)").param("h", holders)
                    .query((rs, n) -> rows.put(rs.getString(1) + ":" + rs.getString(2) + ":" + rs.getString(3),
                            new String[] {rs.getString(4), rs.getString(5)})).list();
        }
        return rows;
    }

    /** The targets waiting (WAITING) for the app: holder type and holder, in serving order. */
    List<String[]> waitingFor(String adamId) {
        return jdbc.sql("select holder_type, holder from waitlist where adam_id = ? and kind = 'WAITING' order by id").param(adamId)
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).list();
    }

    /** {@link #unlist} for many entries, given as (type, holder, app), in one batch. */
    void unlistAll(java.util.Collection<String[]> entries) {
        if (!entries.isEmpty()) {
            batch.batchUpdate("delete from waitlist where holder_type = ? and holder = ? and adam_id = ?",
                    entries.stream().map(e -> (Object[]) e).toList());
        }
    }

    void unlist(HolderType type, String holder, String adamId) {
        jdbc.sql("delete from waitlist where holder_type = ? and holder = ? and adam_id = ?").params(type.name(), holder, adamId).update();
    }

    /** Entries a pass did not see again: the target no longer wants the app. */
    int sweepWaitlist(Instant passStart) {
        return jdbc.sql("delete from waitlist where checked_at < ?").param(Timestamp.from(passStart)).update();
    }

    /** Entries of these holders that an incremental pass did not see again (a thousand holders per statement). */
    int sweepWaitlist(HolderType type, Collection<String> holders, Instant passStart) {
        List<String> all = List.copyOf(holders);
        int deleted = 0;
        for (int i = 0; i < all.size(); i += 1000) {
            deleted += jdbc.sql("delete from waitlist where holder_type = :t and holder in (:h) and checked_at < :at")
                    .param("t", type.name()).param("h", all.subList(i, Math.min(all.size(), i + 1000)))
                    .param("at", Timestamp.from(passStart)).update();
        }
        return deleted;
    }

    /** Waiting holders in the order they started waiting; {@code apps} null: for any app. */
    List<String[]> waiting(Collection<String> apps) {
        if (apps != null && apps.isEmpty()) {
            return List.of();
        }
        // for apps named: blocked targets too (a new pool can serve a target no account could)
        return jdbc.sql("select holder_type, holder from waitlist where " + (apps == null ? "kind = 'WAITING'" : "adam_id in (:apps)")
                        + " group by holder_type, holder order by min(id)")
                .params(apps == null ? Map.<String, Object>of() : Map.<String, Object>of("apps", apps))
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).list();
    }

    /** Records what a change reached, in the change's transaction. */
    void recordSubjects(SubjectKind kind, Collection<String> subjects) {
        batch.batchUpdate("insert into licensing_subjects (kind, subject) values (?, ?)",
                subjects.stream().map(s -> new Object[] {kind.name(), s}).toList());
    }

    /** The oldest recorded subjects. */
    List<Subject> subjects(int limit) {
        return jdbc.sql("select id, kind, subject from licensing_subjects order by id limit ?").param(limit)
                .query((rs, n) -> new Subject(rs.getLong(1), SubjectKind.valueOf(rs.getString(2)), rs.getString(3))).list();
    }

    /** The pass served these subjects; one named again meanwhile has a newer row and stays. */
    void served(List<Subject> subjects) {
        List<Long> ids = subjects.stream().map(Subject::id).toList();
        for (int i = 0; i < ids.size(); i += 1000) {
            jdbc.sql("delete from licensing_subjects where id in (:ids)").param("ids", ids.subList(i, Math.min(ids.size(), i + 1000))).update();
        }
    }

    boolean subjectsPending() {
        return jdbc.sql("select count(*) from (select 1 from licensing_subjects fetch first 1 rows only) s").query(Integer.class).single() > 0;
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

    /**
     * A full pass starts: what was wanted until now is what it serves, and so is every subject committed by now (the
     * pass reads the inventory after this); they are claimed, and deleted when the pass finishes.
     */
    void passStarted(Instant now) {
        jdbc.sql("update licensing_pass set started_at = ?, wanted = false, running = true where id = 1")
                .param(Timestamp.from(now)).update();
        jdbc.sql("update licensing_subjects set in_full_pass = true where in_full_pass = false").update();
    }

    /** A full pass finished. Returns true when a pass was wanted after this one started (another is due at once). */
    boolean passFinished(Instant now, String summary) {
        jdbc.sql("delete from licensing_subjects where in_full_pass").update();
        jdbc.sql("update licensing_pass set finished_at = ?, summary = ?, running = false, full_at = ? where id = 1")
                .params(Timestamp.from(now), summary, Timestamp.from(now)).update();
        return wanted();
    }

    /** A run failed; a full pass that failed is wanted again. */
    void passFailed(Instant now, String summary, boolean full) {
        jdbc.sql("update licensing_pass set finished_at = ?, summary = ?, running = false" + (full ? ", wanted = true" : "")
                + " where id = 1").params(Timestamp.from(now), summary).update();
    }

    boolean wanted() {
        return jdbc.sql("select wanted from licensing_pass where id = 1").query(Boolean.class).single();
    }

    /**
     * A full pass is wanted, or one started and never finished (its node stopped or died: only one node runs the
     * pass at a time, so a run that finds this is the next one).
     */
    boolean fullPassOwed() {
        return jdbc.sql("select count(*) from licensing_pass where id = 1 and (wanted or running)").query(Integer.class).single() == 1;
    }

    /** An incremental run served recorded changes. */
    void changesServed(Instant now, String summary) {
        jdbc.sql("update licensing_pass set changes_at = ?, changes_summary = ? where id = 1").params(Timestamp.from(now), summary).update();
    }

    /** When the last full pass finished (null: none yet). */
    Instant lastFullPass() {
        Timestamp t = jdbc.sql("select full_at from licensing_pass where id = 1").query((rs, n) -> rs.getTimestamp(1)).list().get(0);
        return t == null ? null : t.toInstant();
    }

    void requestPass(Instant now) {
        jdbc.sql("update licensing_pass set requested_at = ?, wanted = true where id = 1").param(Timestamp.from(now)).update();
    }
}
