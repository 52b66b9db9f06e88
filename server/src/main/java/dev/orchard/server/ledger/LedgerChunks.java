package dev.orchard.server.ledger;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.function.Predicate;

import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.server.accounts.AccountId;

/**
 * The ledger's PostgreSQL statements over many licenses at once, a chunk of {@value #CHUNK} keys of one kind of holder
 * per statement (a {@code values} list joined to the key). One statement per license was one round trip per license:
 * a rollout's pass over 100,000 devices waited on 100,000 inserts, and a notification of 1,000 confirmations on 2,000
 * statements while the account's next notifications waited their turn ({@code LicensingBench}). H2 runs in Orchard's
 * process, has no {@code insert … returning}, and measured slower with set-based updates: {@link LicenseLedger} keeps
 * its statements per license there.
 */
final class LedgerChunks {

    static final int CHUNK = 500;
    /** A license's key (app, pricing, holder) in a {@code values} list; also the sync pages' ({@link LedgerPages}). */
    static final String KEY = "(cast(? as varchar(32)), cast(? as varchar(8)), cast(? as varchar(256)))";
    private static final String INTENT = "(cast(? as bigint), cast(? as varchar(32)), cast(? as varchar(8)), cast(? as varchar(256)))";
    private static final String SETTLED = "(cast(? as bigint), cast(? as varchar(8)), cast(? as varchar(32)))";

    private final JdbcClient jdbc;
    private Boolean postgres;

    LedgerChunks(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Whether the database is PostgreSQL (read once, from the driver). */
    boolean postgres() {
        if (postgres == null) {
            postgres = jdbc.sql("select 1").query((ResultSetExtractor<Boolean>) rs ->
                    "PostgreSQL".equals(rs.getStatement().getConnection().getMetaData().getDatabaseProductName()));
        }
        return postgres;
    }

    /** {@link LicenseLedger#intendAll} on PostgreSQL: inserts, returning the keys it inserted. */
    boolean[] intend(List<LicenseLedger.Intent> intents, Instant now) {
        boolean[] recorded = new boolean[intents.size()];
        Timestamp ts = Timestamp.from(now);
        forEachChunk(intents.stream().map(LicenseLedger.Intent::key).toList(), (column, chunk) -> {
            var args = new ArrayList<Object>(List.of(ts));
            for (int i : chunk) {
                LicenseLedger.Intent in = intents.get(i);
                args.addAll(List.of(in.account().value(), in.key().app(), in.key().pricingParam(), in.key().holder().value()));
            }
            var inserted = new HashSet<List<Object>>();
            jdbc.sql("insert into licenses (account_id, adam_id, pricing_param, " + column + ", origin, since, intent) "
                    + "select distinct v.c, v.a, v.p, v.h, 'ORCHARD', cast(? as timestamp with time zone), 'ASSIGN' from (values "
                    + tuples(INTENT, chunk.size()) + ") as v(c, a, p, h) on conflict do nothing "
                    + "returning account_id, adam_id, pricing_param, " + column).params(args)
                    .query((rs, n) -> inserted.add(List.of(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)))).list();
            for (int i : chunk) {
                LicenseLedger.Intent in = intents.get(i);
                recorded[i] = inserted.remove(List.of(in.account().value(), in.key().app(), in.key().pricingParam(),
                        in.key().holder().value()));
            }
        });
        return recorded;
    }

    /**
     * Apple's confirmation of assignments on PostgreSQL, as {@code LicenseLedger.confirmAssigned} applies one: each
     * chunk's rows are locked (in id order) and read with one statement and written with one per kind of change.
     * Returns, per key in order, whether the pool's count must move; a key named twice counts once.
     */
    boolean[] confirmAssigned(AccountId account, List<LicenseLedger.Key> keys, Long run, Timestamp ts,
                              List<LicenseEvents.Unwanted> unwanted, Predicate<LicenseLedger.Key> revocable) {
        boolean[] moved = new boolean[keys.size()];
        record Row(long id, String intent, String rule) {
        }
        forEachChunk(keys, (column, chunk) -> {
            var args = new ArrayList<Object>(List.of(account.value()));
            for (int i : chunk) {
                args.addAll(List.of(keys.get(i).app(), keys.get(i).pricingParam(), keys.get(i).holder().value()));
            }
            var rows = new HashMap<List<String>, Row>();
            jdbc.sql("select id, adam_id, pricing_param, " + column + ", intent, reclaim_rule from licenses where account_id = ? "
                    + "and (adam_id, pricing_param, " + column + ") in (select v.a, v.p, v.h from (values " + tuples(KEY, chunk.size())
                    + ") as v(a, p, h)) order by id for update").params(args).query((rs, n) -> rows.put(List.of(rs.getString(2),
                            rs.getString(3), rs.getString(4)), new Row(rs.getLong(1), rs.getString(5), rs.getString(6)))).list();
            var settled = new ArrayList<Object>(Arrays.asList(ts, run)); // then (id, intent, rule) per assignment in flight
            var seen = new ArrayList<Long>();
            var missing = new ArrayList<LicenseLedger.Key>();
            var revocablePools = new HashMap<String, Boolean>();
            var handled = new HashSet<List<String>>();
            for (int i : chunk) {
                LicenseLedger.Key k = keys.get(i);
                var key = List.of(k.app(), k.pricingParam(), k.holder().value());
                if (!handled.add(key)) {
                    continue; // named twice: the first one counted, as one at a time would have
                }
                Row row = rows.get(key);
                if (row == null) {
                    missing.add(k);
                    moved[i] = true;
                } else if ("ASSIGN".equals(row.intent())) {
                    // unwanted in flight: its reclaim starts now, unless Apple does not take this asset back (a book)
                    boolean reclaim = row.rule() != null && revocablePools.computeIfAbsent(k.app() + "/" + k.pricingParam(),
                            p -> revocable.test(k));
                    settled.addAll(Arrays.asList(row.id(), reclaim ? "RECLAIM" : null, reclaim ? row.rule() : null));
                    if (reclaim) {
                        unwanted.add(new LicenseEvents.Unwanted(k, row.rule()));
                    }
                    moved[i] = true;
                } else {
                    seen.add(row.id());
                }
            }
            if (settled.size() > 2) {
                jdbc.sql("update licenses l set confirmed_at = ?, seen_run = coalesce(cast(? as bigint), l.seen_run), "
                        + "missing_since = null, intent = v.i, reclaim_rule = v.r from (values " + tuples(SETTLED, (settled.size() - 2) / 3)
                        + ") as v(id, i, r) where l.id = v.id").params(settled).update();
            }
            if (!seen.isEmpty()) {
                jdbc.sql("update licenses set confirmed_at = :ts, missing_since = null, seen_run = coalesce(cast(:run as bigint), seen_run) "
                        + "where id in (:ids)").param("ts", ts).param("run", run).param("ids", seen).update();
            }
            for (LicenseLedger.Key k : missing) {
                jdbc.sql("insert into licenses (account_id, adam_id, pricing_param, " + column + ", origin, since, confirmed_at, "
                        + "seen_run) values (?, ?, ?, ?, 'EXTERNAL', ?, ?, ?)")
                        .params(account.value(), k.app(), k.pricingParam(), k.holder().value(), ts, ts, run).update();
            }
        });
        return moved;
    }

    /** Calls {@code work} per chunk of the keys' positions, device keys first, then user keys. */
    private static void forEachChunk(List<LicenseLedger.Key> keys, java.util.function.BiConsumer<String, List<Integer>> work) {
        for (String column : new String[] {"serial_number", "client_user_id"}) {
            var positions = new ArrayList<Integer>();
            for (int i = 0; i < keys.size(); i++) {
                if (keys.get(i).holderColumn().equals(column)) {
                    positions.add(i);
                }
            }
            for (int from = 0; from < positions.size(); from += CHUNK) {
                work.accept(column, positions.subList(from, Math.min(positions.size(), from + CHUNK)));
            }
        }
    }

    static String tuples(String tuple, int n) {
        return String.join(",", Collections.nCopies(n, tuple));
    }
}
