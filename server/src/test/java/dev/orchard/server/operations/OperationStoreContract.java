package dev.orchard.server.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.orchard.server.accounts.AccountId;

/**
 * The outbox store's claims and closes, run on every supported database: a claim takes only targets that are still
 * queued, a cancel takes only a target not claimed, and an operation whose targets two transactions finish at once
 * is closed. The races run on real concurrent transactions, repeated, with a barrier so both sides are in flight.
 */
abstract class OperationStoreContract {

    static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    JdbcClient jdbc;
    OperationStore store;
    TransactionTemplate tx;
    AccountId account;

    abstract DataSource dataSource();

    /** How often the races are repeated (the PostgreSQL suite runs them more often). */
    abstract int rounds();

    @BeforeEach
    void setUp() {
        DataSource ds = dataSource();
        jdbc = JdbcClient.create(ds);
        store = new OperationStore(jdbc, new JdbcTemplate(ds));
        tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        Timestamp now = Timestamp.from(NOW);
        long id = jdbc.sql("""
                insert into accounts (name, org_name, location_uid, token_ciphertext, token_hint, expires_at, priority, state,
                    created_at, updated_at) values ('A', 'Org', ?, 'x', 'y', ?, 1, 'ACTIVE', ?, ?)
                """).params("loc-" + System.nanoTime(), now, now, now).update() > 0
                ? jdbc.sql("select max(id) from accounts").query(Long.class).single() : -1;
        account = new AccountId(id);
    }

    long queue(String action, String serial) {
        Timestamp now = Timestamp.from(NOW);
        jdbc.sql("""
                insert into operation_targets (account_id, action, adam_id, pricing_param, serial_number, state, rule,
                    not_before, created_at, updated_at) values (?, ?, '361309726', 'STDQ', ?, 'QUEUED', 'R3', ?, ?, ?)
                """).params(account.value(), action, serial, now, now, now).update();
        return jdbc.sql("select max(id) from operation_targets").query(Long.class).single();
    }

    String state(long targetId) {
        return jdbc.sql("select state from operation_targets where id = ?").param(targetId).query(String.class).single();
    }

    @Test
    void aTargetCancelledAfterTheDispatcherReadItIsNotClaimed() {
        long kept = queue("ASSOCIATE", "C02AAA000001");
        long cancelled = queue("ASSOCIATE", "C02AAA000002");
        List<Long> read = store.due(account, NOW, 10).stream().map(OperationStore.Target::id).toList();

        assertThat(store.cancelQueued(cancelled, "cancelled by an operator", NOW)).isTrue();
        long op = store.create(account, "ASSOCIATE", "361309726", read, NOW);

        assertThat(store.targets(op)).extracting(OperationStore.Target::id).containsExactly(kept);
        assertThat(state(cancelled)).isEqualTo("CANCELLED");
        assertThat(jdbc.sql("select target_count from operations where id = ?").param(op).query(Integer.class).single()).isEqualTo(1);
    }

    @Test
    void anOperationWhoseTargetsWereAllCancelledIsNotCreated() {
        long t = queue("DISASSOCIATE", "C02AAA000003");
        List<Long> read = store.due(account, NOW, 10).stream().map(OperationStore.Target::id).toList();
        store.cancelQueued(t, "cancelled", NOW);

        assertThat(store.create(account, "DISASSOCIATE", "361309726", read, NOW)).isEqualTo(-1);
        assertThat(jdbc.sql("select count(*) from operations").query(Integer.class).single()).isZero();
    }

    @Test
    void aClaimedTargetCannotBeCancelled() {
        long t = queue("DISASSOCIATE", "C02AAA000004");
        store.create(account, "DISASSOCIATE", "361309726", List.of(t), NOW);

        assertThat(store.cancelQueued(t, "cancelled", NOW)).isFalse();
        assertThat(state(t)).isEqualTo("SENDING");
    }

    @Test
    void aCancelRacingTheClaimEitherWinsOrIsRefusedNeverBoth() throws Exception {
        var barrier = new CyclicBarrier(2);
        int cancelsWon = 0;
        for (int round = 0; round < rounds(); round++) {
            long t = queue("DISASSOCIATE", "C02RACE" + String.format("%05d", round));
            var claim = CompletableFuture.supplyAsync(() -> tx.execute(s -> {
                List<Long> read = store.due(account, NOW, 10).stream().map(OperationStore.Target::id).toList();
                await(barrier);
                return store.create(account, "DISASSOCIATE", "361309726", read, NOW);
            }));
            var cancel = CompletableFuture.supplyAsync(() -> tx.execute(s -> {
                await(barrier);
                return store.cancelQueued(t, "cancelled", NOW);
            }));
            long op = claim.get();
            boolean cancelled = cancel.get();
            String state = state(t);
            if (cancelled) {
                cancelsWon++;
                assertThat(state).as("round %d", round).isEqualTo("CANCELLED");
                assertThat(op).as("round %d: no operation for a cancelled target", round).isEqualTo(-1);
            } else {
                assertThat(state).as("round %d", round).isEqualTo("SENDING");
                assertThat(store.targets(op)).extracting(OperationStore.Target::id).containsExactly(t);
            }
            jdbc.sql("update operation_targets set state = 'DONE' where id = ?").param(t).update();
            barrier.reset();
        }
        // both outcomes must occur, or the race was not exercised
        assertThat(cancelsWon).isBetween(1, rounds() - 1);
    }

    @Test
    void twoTransactionsFinishingHalfAnOperationEachCloseIt() throws Exception {
        var barrier = new CyclicBarrier(2);
        for (int round = 0; round < rounds(); round++) {
            long a = queue("ASSOCIATE", "C02HALFA" + String.format("%04d", round));
            long b = queue("ASSOCIATE", "C02HALFB" + String.format("%04d", round));
            long op = store.create(account, "ASSOCIATE", "361309726", List.of(a, b), NOW);
            store.sent(op, "event-" + round, NOW, NOW.plusSeconds(60));
            var halves = new ArrayList<CompletableFuture<Void>>();
            for (long target : List.of(a, b)) {
                halves.add(CompletableFuture.runAsync(() -> tx.executeWithoutResult(s -> {
                    store.finishTarget(target, "DONE", null, null, NOW);
                    await(barrier);
                    store.closeIfDone(op, NOW);
                })));
            }
            for (var half : halves) {
                half.get();
            }
            assertThat(jdbc.sql("select state from operations where id = ?").param(op).query(String.class).single())
                    .as("round %d", round).isEqualTo("COMPLETE");
            barrier.reset();
        }
    }

    @Test
    void anOperationWithAFailedTargetClosesAsFailed() {
        long a = queue("ASSOCIATE", "C02FAIL00001");
        long b = queue("ASSOCIATE", "C02FAIL00002");
        long op = store.create(account, "ASSOCIATE", "361309726", List.of(a, b), NOW);
        store.sent(op, "event-f", NOW, NOW.plusSeconds(60));
        store.finishTarget(a, "DONE", null, null, NOW);
        store.closeIfDone(op, NOW);
        assertThat(jdbc.sql("select state from operations where id = ?").param(op).query(String.class).single()).isEqualTo("SENT");

        store.finishTarget(b, "FAILED", 9610, "license not found", NOW);
        store.closeIfDone(op, NOW);
        assertThat(jdbc.sql("select state from operations where id = ?").param(op).query(String.class).single()).isEqualTo("FAILED");
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
