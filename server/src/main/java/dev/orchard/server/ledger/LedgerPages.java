package dev.orchard.server.ledger;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.orchard.apple.model.Asset;
import dev.orchard.apple.model.Assignment;
import dev.orchard.apple.model.ResponseAsset;
import dev.orchard.apple.model.ResponseUser;
import dev.orchard.server.accounts.AccountId;

/**
 * The license ledger, pools and Apple users as a sync's pages write them. Writes are batched per Apple page and
 * idempotent: applying the same page twice changes nothing. Licenses Orchard assigned are never deleted by a
 * read of Apple; when Apple lacks them they are flagged {@code missing_since} (drift).
 */
@Repository
public class LedgerPages {

    static final String ORCHARD = "ORCHARD";
    static final String EXTERNAL = "EXTERNAL";

    private final JdbcTemplate jdbc;
    private final org.springframework.context.ApplicationEventPublisher events;
    private final String analyze;
    private final boolean postgres;

    LedgerPages(JdbcTemplate jdbc, org.springframework.context.ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.events = events;
        this.postgres = Boolean.TRUE.equals(jdbc.execute((java.sql.Connection c) ->
                c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres")));
        this.analyze = postgres ? "analyze licenses" : "analyze table licenses";
    }

    /**
     * Called after each page a walk applied: refreshes the planner's statistics of the ledger as it grows. Measured
     * on PostgreSQL: page statements planned against a ledger that was empty at the start were scans (277 ms a
     * page over the first 100 pages of a first read, 13 ms once analyzed), and with statistics taken before a large
     * sync hash joins over every license of the account (110 + 235 ms for 500 rows against 500,000; 2 + 7 ms with
     * fresh statistics). So PostgreSQL analyzes after pages 1, 2, 4 … 64, then every 100 pages; H2 only every 100
     * pages (a first read of 1,000,000 assignments measured 32,000/s this way, 23,000/s when H2 also analyzed early
     * and 24,000/s when it never analyzed).
     */
    public void grew(int pagesApplied) {
        boolean due = pagesApplied % 100 == 0 || postgres && pagesApplied < 100 && Integer.bitCount(pagesApplied) == 1;
        if (due) {
            jdbc.execute(analyze);
        }
    }

    /**
     * Records that Apple holds these assignments (seen in run {@code run}); returns how many were new. With
     * {@code expectNew} (the walk's previous page was all new, as in a first read) the rows are inserted first and
     * only updated when some were known already; otherwise the known rows are updated first and the rest inserted.
     */
    public int confirm(AccountId account, long run, List<Assignment> page, Instant now, boolean expectNew) {
        Timestamp ts = Timestamp.from(now);
        var devices = new ArrayList<Object[]>();
        var users = new ArrayList<Object[]>();
        for (Assignment a : page) {
            String pricing = a.pricingParam() == null ? Asset.STDQ : a.pricingParam();
            if (a.isDeviceAssignment()) {
                devices.add(new Object[] {run, ts, account.value(), a.adamId(), pricing,
                        dev.orchard.server.inventory.Identifiers.normalSerial(a.serialNumber())});
            } else if (a.clientUserId() != null) {
                users.add(new Object[] {run, ts, account.value(), a.adamId(), pricing, a.clientUserId()});
            }
        }
        return confirm(devices, "serial_number", ts, expectNew) + confirm(users, "client_user_id", ts, expectNew);
    }

    /**
     * The assignments of a page requested at {@code requestedAt} that can still be believed: without those whose
     * removal Apple confirmed at or after that moment. Such a page may still list them, and applied after the
     * removal (it was prefetched, or a status poll settled the disassociation meanwhile) it brought them back as
     * EXTERNAL although Apple no longer held them. There are rarely any (a page is in flight for well under a
     * second): one indexed read per page, and the page itself when it finds none.
     */
    public List<Assignment> current(AccountId account, List<Assignment> page, Instant requestedAt) {
        // until the page's transaction ends, no removal slips in between this look and the page's inserts
        jdbc.queryForList(LicenseLedger.PAGE_LOCK, Long.class, account.value());
        var removed = new java.util.HashSet<LicenseLedger.Key>(jdbc.query("select adam_id, pricing_param, serial_number, "
                + "client_user_id from license_removals where account_id = ? and removed_at >= ?", (rs, n) -> LicenseLedger.Key.of(
                rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)), account.value(), Timestamp.from(requestedAt)));
        if (removed.isEmpty()) {
            return page;
        }
        return page.stream().filter(a -> !removed.contains(LicenseLedger.Key.of(a))).toList();
    }

    /**
     * Marks the rows Apple listed as seen (on H2 with one batched, index-driven update per row, on PostgreSQL with one
     * statement per chunk), and inserts the rows the ledger lacks with one set-based statement. Measured on 1,000-row pages: a set-based update
     * ({@code id in (select … join values)}) took about a second per page on H2 once rows existed, and per-row
     * batched inserts 50–100 ms. Inserting first saves a first read the 1,000 updates that find nothing (13 ms a
     * page on PostgreSQL); a row inserted and then updated in the same page ends the same as one only inserted.
     */
    private int confirm(List<Object[]> rows, String holder, Timestamp now, boolean expectNew) {
        if (rows.isEmpty()) {
            return 0;
        }
        int added = 0;
        if (expectNew) {
            added = insertMissing(rows, holder, now);
            if (added == rows.size()) {
                return added;
            }
        }
        var missing = postgres ? updateKnownInChunks(rows, holder) : updateKnownRowByRow(rows, holder);
        return added + insertMissing(missing, holder, now);
    }

    private static final String SEEN = "seen_run = ?, confirmed_at = ?, missing_since = null, intent = case when intent = 'ASSIGN' "
            + "and reclaim_rule is null then null else intent end";

    /** H2: one batched, index-driven update per row; returns the rows that matched nothing. */
    private List<Object[]> updateKnownRowByRow(List<Object[]> rows, String holder) {
        int[] updated = jdbc.batchUpdate("update licenses set " + SEEN + " where account_id = ? and adam_id = ? and "
                + "pricing_param = ? and " + holder + " = ?", rows);
        var missing = new ArrayList<Object[]>();
        for (int i = 0; i < updated.length; i++) {
            if (updated[i] == 0) {
                missing.add(rows.get(i));
            }
        }
        return missing;
    }

    /**
     * PostgreSQL: one statement per chunk, joined to the chunk's keys, returning the keys it found. A forced re-read
     * of 300,000 assignments measured 9,450/s with one statement per row, and barely more (9,815/s) when a lower
     * fillfactor let PostgreSQL update 44 % of the rows in place instead of 1.7 %: the statements were the cost,
     * not the index writes.
     */
    private List<Object[]> updateKnownInChunks(List<Object[]> rows, String holder) {
        var found = new java.util.HashSet<List<Object>>();
        for (int from = 0; from < rows.size(); from += CHUNK) {
            List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
            Object[] first = chunk.get(0);
            var args = new ArrayList<Object>(List.of(first[0], first[1]));
            addKeys(args, chunk);
            args.add(first[2]);
            String tuples = tuples(chunk.size());
            // the keys' columns are a, p and h: intent and reclaim_rule in SEEN can only be the license's
            jdbc.query("update licenses l set " + SEEN + " from (values " + tuples + ") as v(a, p, h) "
                    + "where l.account_id = ? and l.adam_id = v.a and l.pricing_param = v.p and l." + holder + " = v.h "
                    + "returning l.adam_id, l.pricing_param, l." + holder, (java.sql.ResultSet rs) -> {
                        found.add(List.of(rs.getString(1), rs.getString(2), rs.getString(3)));
                    }, args.toArray());
        }
        var missing = new ArrayList<Object[]>();
        for (Object[] r : rows) {
            if (!found.contains(List.of(r[3], r[4], r[5]))) {
                missing.add(r);
            }
        }
        return missing;
    }

    /** Inserts, as found at Apple, the rows the ledger lacks; returns how many. */
    private int insertMissing(List<Object[]> rows, String holder, Timestamp now) {
        int added = 0;
        for (int from = 0; from < rows.size(); from += CHUNK) {
            List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK));
            Object[] first = chunk.get(0);
            String tuples = tuples(chunk.size());
            var args = new ArrayList<Object>(List.of(first[2], EXTERNAL, now, now, first[0]));
            addKeys(args, chunk);
            args.add(first[2]);
            added += jdbc.update("insert into licenses (account_id, adam_id, pricing_param, " + holder
                    + ", origin, since, confirmed_at, seen_run) select distinct cast(? as bigint), v.a, v.p, v.h, "
                    + "cast(? as varchar(16)), cast(? as timestamp with time zone), cast(? as timestamp with time zone), "
                    + "cast(? as bigint) from (values " + tuples + ") as v(a, p, h) where not exists (select 1 from licenses l "
                    + "where l.account_id = ? and l.adam_id = v.a and l.pricing_param = v.p and l." + holder + " = v.h)",
                    args.toArray());
        }
        return added;
    }

    /** The chunk's keys (app, pricing, holder) as parameters of its {@code values} list. */
    private static void addKeys(List<Object> args, List<Object[]> chunk) {
        for (Object[] r : chunk) {
            args.add(r[3]);
            args.add(r[4]);
            args.add(r[5]);
        }
    }

    private static String tuples(int n) {
        return LedgerChunks.tuples(LedgerChunks.KEY, n);
    }

    private static final int CHUNK = LedgerChunks.CHUNK;


    /**
     * After a complete read (of the account, or of one asset): licenses found elsewhere that Apple no longer
     * lists are removed; Orchard's own are flagged missing. Returns how many were removed.
     */
    public int sweep(AccountId account, long run, Asset onlyAsset, Instant now) {
        String scope = onlyAsset == null ? "" : " and adam_id = ? and pricing_param = ?";
        Object[] removeArgs = onlyAsset == null ? new Object[] {account.value(), run}
                : new Object[] {account.value(), run, onlyAsset.adamId(), onlyAsset.pricingParam()};
        // a license Orchard is reclaiming that Apple no longer lists is gone already; one it is assigning stays
        String gone = " from licenses where account_id = ? and (origin = 'EXTERNAL' or intent = 'RECLAIM') "
                + "and (intent is null or intent <> 'ASSIGN') and (seen_run is null or seen_run <> ?)" + scope;
        List<LicenseLedger.Key> keys = jdbc.query("select adam_id, pricing_param, serial_number, client_user_id" + gone,
                (rs, n) -> LicenseLedger.Key.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)), removeArgs);
        int removed = jdbc.update("delete" + gone, removeArgs);
        // their holders may want a license of Orchard's now (another MDM's license went away)
        LicenseEvents.LicensesAvailable.released(account, keys).forEach(events::publishEvent);
        Object[] flagArgs = onlyAsset == null ? new Object[] {Timestamp.from(now), account.value(), run}
                : new Object[] {Timestamp.from(now), account.value(), run, onlyAsset.adamId(), onlyAsset.pricingParam()};
        jdbc.update("update licenses set missing_since = ? where account_id = ? and origin = 'ORCHARD' "
                + "and intent is null and missing_since is null and (seen_run is null or seen_run <> ?)" + scope, flagArgs);
        return removed;
    }

    /**
     * Saves a page of Apple's assets as the account's pools. A pool Apple shows with more licenses available than
     * Orchard counted (new, bought, or released elsewhere) publishes {@link LicenseEvents.LicensesAvailable}, so
     * waiting targets are served without waiting for the next periodic pass.
     */
    public void savePools(AccountId account, long run, List<ResponseAsset> assets, Instant now) {
        var rows = new ArrayList<Object[]>();
        var inserts = new ArrayList<Object[]>();
        Timestamp ts = Timestamp.from(now);
        java.util.Map<String, Long> counted = new java.util.HashMap<>();
        jdbc.query("select adam_id, pricing_param, available_count from pools where account_id = ? and unlimited = false",
                rs -> {
                    counted.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
                }, account.value());
        var more = new java.util.LinkedHashSet<String>();
        for (ResponseAsset a : assets) {
            boolean unlimited = a.isUnlimited();
            Object total = unlimited ? null : a.totalCount();
            Object available = unlimited ? null : a.availableCount();
            if (!unlimited && a.availableCount() != null && a.availableCount() > 0
                    && a.availableCount() > counted.getOrDefault(a.adamId() + "/" + a.pricingParam(), 0L)) {
                more.add(a.adamId());
            }
            String platforms = String.join(",", a.supportedPlatforms());
            String type = a.productType() == null ? null : a.productType().name();
            rows.add(new Object[] {type, total, a.assignedCount() == null ? 0 : a.assignedCount(), available,
                    a.retiredCount(), a.isDeviceAssignable(), a.isRevocable(), unlimited, platforms, run, ts,
                    account.value(), a.adamId(), a.pricingParam()});
        }
        int[] updated = jdbc.batchUpdate("""
                update pools set product_type = ?, total_count = ?, assigned_count = ?, available_count = ?,
                    retired_count = ?, device_assignable = ?, revocable = ?, unlimited = ?, platforms = ?, seen_run = ?,
                    updated_at = ? where account_id = ? and adam_id = ? and pricing_param = ?
                """, rows);
        for (int i = 0; i < updated.length; i++) {
            if (updated[i] == 0) {
                inserts.add(rows.get(i));
            }
        }
        if (!inserts.isEmpty()) {
            jdbc.batchUpdate("""
                    insert into pools (product_type, total_count, assigned_count, available_count, retired_count,
                        device_assignable, revocable, unlimited, platforms, seen_run, updated_at, account_id, adam_id,
                        pricing_param) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, inserts);
            // a new pool (a free app's unlimited one too) can serve targets that no account could
            inserts.forEach(row -> more.add((String) row[12]));
        }
        more.forEach(adamId -> events.publishEvent(new LicenseEvents.LicensesAvailable(account, adamId)));
    }

    /** Pools Apple no longer lists after a complete read of the assets. */
    public int sweepPools(AccountId account, long run) {
        return jdbc.update("delete from pools where account_id = ? and (seen_run is null or seen_run <> ?)",
                account.value(), run);
    }

    /** A read of the account is complete: whoever waits for what Apple holds may look at the ledger now. */
    public void readFinished(AccountId account) {
        events.publishEvent(new LicenseEvents.LedgerRead(account));
    }

    /** Apple's users of the account, from a page or a notification; an active one published as registered. */
    public void saveUsers(AccountId account, List<ResponseUser> users, Instant now) {
        Timestamp ts = Timestamp.from(now);
        boolean anyActive = false;
        for (ResponseUser u : users) {
            if (u.clientUserId() == null) {
                continue;
            }
            String status = u.status() == null ? "UNKNOWN" : u.status().name();
            boolean active = u.status() != null && u.status().isActive();
            anyActive |= active;
            // one clientUserId may have several records at Apple: an active one wins over retired ones
            int updated = jdbc.update("update apple_users set status = ?, email = ?, id_hash = ?, invite_code = ?, "
                    + "updated_at = ? where account_id = ? and client_user_id = ?"
                    + (active ? "" : " and status not in ('Registered', 'Associated')"),
                    status, u.email(), u.idHash(), u.inviteCode(), ts, account.value(), u.clientUserId());
            if (updated == 0) {
                Integer exists = jdbc.queryForObject("select count(*) from apple_users where account_id = ? and client_user_id = ?",
                        Integer.class, account.value(), u.clientUserId());
                if (exists != null && exists == 0) {
                    jdbc.update("insert into apple_users (account_id, client_user_id, status, email, id_hash, invite_code, "
                            + "updated_at) values (?, ?, ?, ?, ?, ?, ?)", account.value(), u.clientUserId(), status,
                            u.email(), u.idHash(), u.inviteCode(), ts);
                }
            }
        }
        if (anyActive) {
            events.publishEvent(new LicenseEvents.AppleUsersRegistered(account));
        }
    }

    /** Pools whose assigned count at Apple differs from the licenses the ledger holds for them. */
    public List<Asset> poolsOutOfStep(AccountId account) {
        return jdbc.query("""
                select p.adam_id, p.pricing_param from pools p
                where p.account_id = ? and p.assigned_count <> (
                    select count(*) from licenses l where l.account_id = p.account_id and l.adam_id = p.adam_id
                    and l.pricing_param = p.pricing_param and l.missing_since is null
                    and (l.intent is null or l.intent <> 'ASSIGN'))
                """, (rs, n) -> new Asset(rs.getString(1), rs.getString(2)), account.value());
    }

}
