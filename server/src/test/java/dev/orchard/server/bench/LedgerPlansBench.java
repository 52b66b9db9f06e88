package dev.orchard.server.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.server.TestDatabases;

/**
 * The query plans of the ledger's and the outbox's periodic queries at organisation scale, on PostgreSQL: fills an
 * embedded PostgreSQL with {@code bench.licenses} licenses (default 10,000,000) across 50 accounts and 200 apps,
 * a million devices (1% retired), and an outbox of a million finished targets plus a few thousand in flight, then
 * prints {@code EXPLAIN (ANALYZE, BUFFERS)} of each query with its time. A plan that reads the whole table is
 * what to look for; the README quotes the figures.
 */
public final class LedgerPlansBench {

    private LedgerPlansBench() {
    }

    public static void main(String[] args) {
        long licenses = Long.getLong("bench.licenses", 10_000_000L);
        DataSource ds = TestDatabases.postgres();
        JdbcClient jdbc = JdbcClient.create(ds);
        Instant t0 = Instant.now();
        jdbc.sql("""
                insert into accounts (id, name, org_name, location_uid, token_ciphertext, token_hint, expires_at, priority, state,
                    created_at, updated_at)
                select g, 'Account ' || g, 'Org', 'loc-' || g, 'x', 'y', now() + interval '300 days', g, 'ACTIVE', now(), now()
                from generate_series(1, 50) g
                """).update();
        jdbc.sql("""
                insert into pools (account_id, adam_id, pricing_param, product_type, total_count, assigned_count, available_count,
                    retired_count, device_assignable, revocable, unlimited, platforms, updated_at)
                select a, (100000 + p)::text, 'STDQ', 'App', 1000000, 0, 1000000, 0, true, true, false, 'iOS,macOS', now()
                from generate_series(1, 50) a, generate_series(0, 199) p
                """).update();
        jdbc.sql("""
                insert into devices (serial_number, platform, status, created_at, updated_at)
                select 'S' || lpad(g::text, 9, '0'), 'iOS', case when g % 100 = 0 then 'RETIRED' else 'ACTIVE' end, now(), now()
                from generate_series(1, 1000000) g
                """).update();
        // every device holds 10 apps; a few thousand rows are in flight, being reclaimed, unwanted or missing
        jdbc.sql("""
                insert into licenses (account_id, adam_id, pricing_param, serial_number, origin, since, confirmed_at, intent,
                    reclaim_rule, missing_since)
                select 1 + (g % 50), (100000 + (g / 1000000) * 20 + g % 20)::text, 'STDQ', 'S' || lpad((1 + g % 1000000)::text, 9, '0'),
                    case when g % 10 = 0 then 'EXTERNAL' else 'ORCHARD' end, now(), now(),
                    case when g % 5000 = 1 then 'ASSIGN' when g % 5000 = 2 then 'RECLAIM' when g % 50000 = 3 then 'ASSIGN' end,
                    case when g % 5000 = 2 then 'R4a' when g % 50000 = 3 then 'R4b' end,
                    case when g % 7919 = 4 then now() end
                from generate_series(0, ? - 1) g
                """).param(licenses).update();
        jdbc.sql("""
                insert into operation_targets (account_id, action, adam_id, pricing_param, serial_number, state, rule, not_before,
                    created_at, updated_at)
                select 1 + (g % 50), 'ASSOCIATE', '100001', 'STDQ', 'S' || lpad(g::text, 9, '0'),
                    case when g % 1000 = 0 then 'QUEUED' when g % 1000 = 1 then 'SENT' else 'DONE' end, 'LABEL',
                    now(), now() - interval '100 days', now() - interval '100 days'
                from generate_series(1, 1000000) g
                """).update();
        jdbc.sql("""
                insert into operations (account_id, action, state, target_count, created_at, sent_at, next_check_at, completed_at)
                select 1 + (g % 50), 'ASSOCIATE', case when g % 100 = 0 then 'SENT' else 'COMPLETE' end, 100, now(), now(),
                    case when g % 100 = 0 then now() end, case when g % 100 <> 0 then now() - interval '100 days' end
                from generate_series(1, 100000) g
                """).update();
        jdbc.sql("insert into audit_events (at, actor, action, subject, outcome) select now() - (g || ' minutes')::interval, "
                + "'rule:label', case when g % 100 = 0 then 'LICENSE_RECLAIMED' else 'LICENSE_ASSIGNED' end, 'device S' || g, 'QUEUED' "
                + "from generate_series(1, 1000000) g").update();
        jdbc.sql("analyze").update();
        System.out.printf("loaded %,d licenses, 1,000,000 devices, 1,000,000 outbox targets, 1,000,000 audit rows in %d s; database %s%n",
                licenses, Duration.between(t0, Instant.now()).toSeconds(),
                jdbc.sql("select pg_size_pretty(pg_database_size(current_database()))").query(String.class).single());

        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("pass: pending assignments per pool (LedgerQueries.inFlightPerPool)",
                "select account_id, adam_id, pricing_param, count(*) from licenses where intent = 'ASSIGN' group by account_id, adam_id, pricing_param");
        queries.put("sync page: unwanted assignments in flight of an account (LicenseLedger.applySeen)",
                "select adam_id, pricing_param, serial_number, client_user_id from licenses where account_id = 7 and reclaim_rule between '0' and 'zzzz' and intent = 'ASSIGN'");
        queries.put("pass: a page of retired devices (R4b safety net)",
                "select serial_number from devices where status = 'RETIRED' and serial_number > '' order by serial_number limit 1000");
        queries.put("pass: the licenses of those devices",
                "select * from licenses where serial_number in (select serial_number from devices where status = 'RETIRED' "
                        + "and serial_number > '' order by serial_number limit 1000)");
        queries.put("drift: Orchard's licenses missing at Apple in an account (LedgerQueries.countDrift, every minute)",
                "select count(*) from licenses where account_id = 7 and origin = 'ORCHARD' and missing_since is not null");
        queries.put("app page: an app's holders, first page (LedgerQueries)",
                "select * from licenses where adam_id = '100105' order by id limit 50");
        queries.put("device page: a device's licenses", "select * from licenses where serial_number = 'S000500000'");
        queries.put("outbox: accounts with due work (every 10 s)",
                "select distinct account_id from operation_targets where state = 'QUEUED' and not_before <= now() "
                        + "union select distinct account_id from operations where state = 'SENDING'");
        queries.put("outbox: operations due for a status check (every 10 s)",
                "select * from operations where state = 'SENT' and next_check_at <= now() order by next_check_at limit 100");
        queries.put("audit: filter by action, newest first",
                "select * from audit_events where action = 'LICENSE_RECLAIMED' order by id desc limit 50");
        queries.put("retention: one chunk of old finished outbox targets",
                "select id from operation_targets where state in ('DONE', 'FAILED', 'CANCELLED') and updated_at < now() - interval '90 days' order by id limit 5000");
        for (var q : queries.entrySet()) {
            var plan = jdbc.sql("explain (analyze, buffers) " + q.getValue()).query(String.class).list();
            System.out.println();
            System.out.println("== " + q.getKey());
            plan.forEach(line -> System.out.println("   " + line));
        }
    }
}
