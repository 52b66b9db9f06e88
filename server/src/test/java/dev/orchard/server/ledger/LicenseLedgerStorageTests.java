package dev.orchard.server.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.apple.model.Assignment;
import dev.orchard.server.TestDatabases;
import dev.orchard.server.accounts.AccountId;

/**
 * Ledger commands whose outcome depends on what is already stored, on both databases: an intent for a license the
 * holder already has (recorded by a notification or a sync page after the pass read it) is refused without an
 * error, Apple's "none left" (9709) zeroes a pool Orchard counted licenses in, once, and a sync page requested before
 * Apple confirmed a removal does not bring the license back.
 */
class LicenseLedgerStorageTests {

    static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    final List<Object> published = new ArrayList<>();
    JdbcClient jdbc;
    LicenseLedger ledger;
    LedgerPages pages;
    AccountId account;
    DataSource dataSource;

    void open(String database) {
        DataSource ds = database.equals("h2") ? TestDatabases.h2() : TestDatabases.postgres();
        dataSource = ds;
        jdbc = JdbcClient.create(ds);
        ledger = new LicenseLedger(jdbc, published::add);
        pages = new LedgerPages(new org.springframework.jdbc.core.JdbcTemplate(ds), published::add);
        Timestamp now = Timestamp.from(NOW);
        jdbc.sql("""
                insert into accounts (name, org_name, location_uid, token_ciphertext, token_hint, expires_at, priority, state,
                    created_at, updated_at) values ('A', 'Org', 'loc', 'x', 'y', ?, 1, 'ACTIVE', ?, ?)
                """).params(now, now, now).update();
        account = new AccountId(jdbc.sql("select max(id) from accounts").query(Long.class).single());
        for (String[] pool : new String[][] {{"361309726", "false", "5"}, {"100200300", "true", null}}) {
            jdbc.sql("insert into pools (account_id, adam_id, pricing_param, total_count, available_count, unlimited, "
                    + "updated_at) values (?, ?, 'STDQ', 10, ?, ?, ?)").params(account.value(), pool[0],
                    pool[2] == null ? null : Long.parseLong(pool[2]), Boolean.parseBoolean(pool[1]), now).update();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anIntentForALicenseTheHolderAlreadyHasIsRefusedWithoutAnError(String database) {
        open(database);
        var held = LicenseLedger.Key.of("361309726", "STDQ", "C02AAA000001", null);
        ledger.applyConfirmed(account, true, List.of(held), NOW); // Apple's notification, after the pass read the device

        assertThat(ledger.intend(account, held, NOW)).isFalse();
        assertThat(ledger.intend(account, LicenseLedger.Key.of("361309726", "STDQ", "C02AAA000002", null), NOW)).isTrue();
        assertThat(ledger.intend(account, LicenseLedger.Key.of("361309726", "STDQ", null, "user-1"), NOW)).isTrue();
        assertThat(ledger.intend(account, LicenseLedger.Key.of("361309726", "STDQ", null, "user-1"), NOW)).isFalse();

        assertThat(jdbc.sql("select origin || ':' || coalesce(intent, '-') from licenses order by id").query(String.class).list())
                .containsExactly("EXTERNAL:-", "ORCHARD:ASSIGN", "ORCHARD:ASSIGN");
        // the app page's rollout line: held from the pools' counts, intents from the intent index
        var rollout = new LedgerQueries(jdbc).appLicenses("361309726");
        assertThat(rollout).isEqualTo(new LedgerQueries.AppLicenses(1, 2, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void noneLeftAtAppleZeroesAPoolOrchardCountedLicensesInOnce(String database) {
        open(database);
        ledger.noneLeftAtApple(account, "361309726", "STDQ");
        ledger.noneLeftAtApple(account, "361309726", "STDQ"); // the second refused target of the same event
        ledger.noneLeftAtApple(account, "100200300", "STDQ"); // unlimited: Apple's 9709 cannot be about its count

        assertThat(jdbc.sql("select available_count from pools where adam_id = '361309726'").query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select available_count from pools where adam_id = '100200300'").query(Long.class).optional())
                .isEmpty();
        assertThat(published).containsExactly(new LicenseEvents.CountContradicted(account, "361309726", "STDQ"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aSyncPageRequestedBeforeARemovalDoesNotBringTheLicenseBack(String database) {
        open(database);
        var device = LicenseLedger.Key.of("361309726", "STDQ", "C02AAA000001", null);
        var user = LicenseLedger.Key.of("361309726", "STDQ", null, "user-1");
        ledger.applyConfirmed(account, true, List.of(device, user), NOW);
        ledger.applyConfirmed(account, false, List.of(device, user), NOW.plusSeconds(10)); // a status poll settles both
        var page = List.of(Assignment.device("361309726", "STDQ", "c02aaa000001"), Assignment.user("361309726", null, "user-1"),
                Assignment.device("361309726", "STDQ", "C02AAA000009"));

        // requested while Apple still held them (prefetched), applied after the removal: only the third is believed
        var stale = pages.current(account, page, NOW.plusSeconds(5));
        assertThat(stale).extracting(Assignment::serialNumber).containsExactly("C02AAA000009");
        pages.confirm(account, 1, stale, NOW.plusSeconds(11), false);
        assertThat(holders()).containsExactly("C02AAA000009");

        // requested after the removal: Apple holds them again (assigned elsewhere), and the page is believed
        assertThat(pages.current(account, page, NOW.plusSeconds(11))).isEqualTo(page);
        pages.confirm(account, 2, page, NOW.plusSeconds(12), false);
        assertThat(holders()).containsExactlyInAnyOrder("C02AAA000001", "user-1", "C02AAA000009");

        // the record of the removals is kept for a day
        var retention = new LedgerRetention(jdbc);
        assertThat(retention.prune(NOW.plus(LedgerRetention.REMOVALS), 100)).isZero();
        assertThat(retention.prune(NOW.plus(LedgerRetention.REMOVALS).plusSeconds(11), 1)).isEqualTo(1);
        assertThat(retention.prune(NOW.plus(LedgerRetention.REMOVALS).plusSeconds(11), 100)).isEqualTo(1);
        assertThat(pages.current(account, page, NOW.plusSeconds(5))).isEqualTo(page);
    }

    /**
     * A removal committed while a page's transaction runs, between the page's look at the removals and its inserts,
     * put the license back as EXTERNAL (found by the convergence property under load). The page's look now takes the
     * account's sync-state row, so the removal waits for the page to commit and then removes what it confirmed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aRemovalDuringAPageWaitsForThePageAndLeavesNothingBehind(String database) throws Exception {
        open(database);
        jdbc.sql("insert into sync_state (account_id) values (?)").param(account.value()).update();
        var device = LicenseLedger.Key.of("361309726", "STDQ", "C02AAA000001", null);
        ledger.applyConfirmed(account, true, List.of(device), NOW);
        var page = List.of(Assignment.device("361309726", "STDQ", "C02AAA000001"));
        var tx = new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.datasource.DataSourceTransactionManager(dataSource));
        var removing = new java.util.concurrent.CountDownLatch(1);
        var removal = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            tx.executeWithoutResult(s -> {
                var believed = pages.current(account, page, NOW.plusSeconds(5)); // requested while Apple held it
                assertThat(believed).hasSize(1);
                // Apple's confirmation of the disassociation, applied on another thread while the page is applied
                var removed = removal.submit(() -> {
                    removing.countDown();
                    tx.executeWithoutResult(r -> ledger.applyConfirmed(account, false, List.of(device), NOW.plusSeconds(10)));
                });
                try {
                    removing.await();
                    removed.get(300, java.util.concurrent.TimeUnit.MILLISECONDS);
                    throw new AssertionError("the removal committed while the page's transaction was open");
                } catch (java.util.concurrent.TimeoutException waiting) {
                    // waits for the page, as it should
                } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e);
                }
                pages.confirm(account, 1, believed, NOW.plusSeconds(11), false);
            });
            removal.shutdown();
            assertThat(removal.awaitTermination(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            removal.shutdownNow();
        }
        assertThat(holders()).as("Apple removed it after the page was requested").isEmpty();
    }

    /**
     * Apple's confirmation of a notification's licenses, applied together on PostgreSQL and one at a time on H2, ends
     * the same: an assignment in flight is held, one unwanted in flight starts its reclaim, one already held is only
     * seen, one the ledger lacked is Apple's (EXTERNAL), one named twice counts once; the pool moves for each change.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aNotificationsConfirmationsEndTheSameWhetherAppliedTogetherOrOneByOne(String database) {
        open(database);
        var inFlight = LicenseLedger.Key.of("361309726", "STDQ", "C02FLIGHT", null);
        var unwanted = LicenseLedger.Key.of("361309726", "STDQ", "C02UNWANTED", null);
        var held = LicenseLedger.Key.of("361309726", "STDQ", null, "u-held");
        var unknown = LicenseLedger.Key.of("361309726", "STDQ", "C02ELSEWHERE", null);
        for (var k : List.of(inFlight, unwanted, held)) {
            ledger.intend(account, k, NOW);
        }
        jdbc.sql("update licenses set reclaim_rule = 'R4b' where serial_number = 'C02UNWANTED'").update();
        jdbc.sql("update pools set revocable = true").update(); // an app: Apple takes it back
        jdbc.sql("update licenses set intent = null, confirmed_at = ? where client_user_id = 'u-held'").param(Timestamp.from(NOW)).update();
        long before = jdbc.sql("select available_count from pools where account_id = ? and adam_id = '361309726'")
                .param(account.value()).query(Long.class).single();

        ledger.applyConfirmed(account, true, List.of(inFlight, unwanted, held, unknown, inFlight), NOW.plusSeconds(5));

        assertThat(jdbc.sql("select coalesce(serial_number, client_user_id) || ':' || origin || ':' || coalesce(intent, '-') || ':' "
                + "|| coalesce(reclaim_rule, '-') || ':' || case when confirmed_at is null then 'unconfirmed' else 'confirmed' end "
                + "from licenses order by 1").query(String.class).list()).containsExactly(
                "C02ELSEWHERE:EXTERNAL:-:-:confirmed", "C02FLIGHT:ORCHARD:-:-:confirmed", "C02UNWANTED:ORCHARD:RECLAIM:R4b:confirmed",
                "u-held:ORCHARD:-:-:confirmed");
        assertThat(jdbc.sql("select available_count from pools where account_id = ? and adam_id = '361309726'")
                .param(account.value()).query(Long.class).single()).as("three licenses Apple now holds that it did not").isEqualTo(before - 3);
        assertThat(published).anyMatch(e -> e instanceof LicenseEvents.UnwantedConfirmed u && u.licenses().size() == 1);
    }

    /**
     * A pass records its chunk's intents together: each says whether the ledger took it, in order, whichever the
     * holder's kind; one the ledger has already (a confirmation came first), or named twice, is not taken again.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aChunksIntentsAreRecordedTogetherAndEachSaysWhetherTheLedgerTookIt(String database) {
        open(database);
        ledger.intend(account, LicenseLedger.Key.of("361309726", "STDQ", "C02HAS", null), NOW);
        var intents = java.util.List.of(
                new LicenseLedger.Intent(account, LicenseLedger.Key.of("361309726", "STDQ", "C02NEW1", null)),
                new LicenseLedger.Intent(account, LicenseLedger.Key.of("361309726", "STDQ", null, "u-ann")),
                new LicenseLedger.Intent(account, LicenseLedger.Key.of("361309726", "STDQ", "C02HAS", null)),
                new LicenseLedger.Intent(account, LicenseLedger.Key.of("361309726", "STDQ", "C02NEW2", null)),
                new LicenseLedger.Intent(account, LicenseLedger.Key.of("361309726", "STDQ", "C02NEW1", null)));

        assertThat(ledger.intendAll(intents, NOW)).containsExactly(true, true, false, true, false);
        assertThat(jdbc.sql("select coalesce(serial_number, client_user_id) from licenses where intent = 'ASSIGN' and origin = 'ORCHARD' "
                + "order by 1").query(String.class).list()).containsExactly("C02HAS", "C02NEW1", "C02NEW2", "u-ann");
    }

    /**
     * A license is looked up by its key (account, app, pricing, holder), and every license of one app and account
     * shares the key's first three columns. With statistics read while the ledger was empty (a first rollout),
     * PostgreSQL read a device's license through the users' unique index, every license of the app with the serial as
     * a filter; each unique index now covers only its own kind of holder (V20), so it cannot.
     */
    @org.junit.jupiter.api.Test
    void aDevicesLicenseIsFoundThroughTheDevicesIndexOnPostgresWithStatisticsOfAnEmptyLedger() {
        open("postgres");
        jdbc.sql("analyze licenses").update();
        jdbc.sql("alter table licenses set (autovacuum_enabled = false)").update();
        jdbc.sql("insert into licenses (account_id, adam_id, pricing_param, serial_number, origin, since, intent) select ?, "
                + "'361309726', 'STDQ', 'C02' || lpad(g::text, 7, '0'), 'ORCHARD', ?, 'ASSIGN' from generate_series(1, 20000) g")
                .params(account.value(), Timestamp.from(NOW)).update();
        for (String[] lookup : new String[][] {{"serial_number", "C02" + "0012345"}, {"client_user_id", "u-1"}}) {
            String plan = String.join("\n", jdbc.sql("explain select id, intent, reclaim_rule from licenses where account_id = ? "
                    + "and adam_id = '361309726' and pricing_param = 'STDQ' and " + lookup[0] + " = ? for update")
                    .params(account.value(), lookup[1]).query(String.class).list());
            assertThat(plan).as(plan).doesNotContain("Seq Scan").containsPattern("Index Cond: [^\\n]*" + lookup[0]);
        }
    }

    /**
     * Every sync page asks for the account's unwanted assignments in flight: H2 has no statistics that say they are
     * rare, and with {@code reclaim_rule is not null} (or {@code > ''}: H2 keeps NULLs at the high end of the index)
     * it read every license of the account for each page. The plan must range over the reclaim index and stop
     * before the NULLs (PostgreSQL's plan at 10,000,000 licenses: {@code LedgerPlansBench}).
     */
    @org.junit.jupiter.api.Test
    void aSyncPagesLookForUnwantedAssignmentsReadsOnlyTheReclaimIndexOnH2() {
        open("h2");
        for (int i = 0; i < 50; i++) { // licenses Apple holds: no rule
            jdbc.sql("insert into licenses (account_id, adam_id, pricing_param, serial_number, origin, since) values (?, "
                    + "'361309726', 'STDQ', ?, 'EXTERNAL', ?)").params(account.value(), "C02HELD" + i, Timestamp.from(NOW)).update();
        }
        String plan = jdbc.sql("explain " + LicenseLedger.UNWANTED_IN_FLIGHT).param(account.value()).query(String.class).single();
        assertThat(plan).containsPattern("licenses_reclaim_idx: account_id = [^*]*reclaim_rule >= '0'\\s+AND reclaim_rule <= 'zzzz'");
        assertThat(jdbc.sql("explain analyze " + LicenseLedger.UNWANTED_IN_FLIGHT).param(account.value()).query(String.class)
                .single()).as("rows read of 50 licenses, none carrying a rule").contains("scanCount: 1 */");
        jdbc.sql("insert into licenses (account_id, adam_id, pricing_param, serial_number, origin, intent, reclaim_rule, since) "
                + "values (?, '361309726', 'STDQ', 'C02UNWANTED', 'ORCHARD', 'ASSIGN', 'R4b', ?)").params(account.value(),
                Timestamp.from(NOW)).update();
        assertThat(jdbc.sql(LicenseLedger.UNWANTED_IN_FLIGHT).param(account.value()).query((rs, n) -> rs.getString(3)).list())
                .containsExactly("C02UNWANTED");
    }

    private List<String> holders() {
        return jdbc.sql("select coalesce(serial_number, client_user_id) from licenses where account_id = ? order by id")
                .param(account.value()).query(String.class).list();
    }
}
