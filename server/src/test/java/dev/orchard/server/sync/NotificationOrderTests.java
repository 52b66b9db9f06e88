package dev.orchard.server.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import dev.orchard.server.TestDatabases;
import dev.orchard.server.accounts.AccountId;

/**
 * The lock that orders one account's notifications, on both databases: it makes a second holder wait, and it does
 * not block other transactions inserting rows that refer to the account. The account row's own lock did, on
 * PostgreSQL (a reclaim queueing a disassociation and a notification confirming the same license deadlocked).
 * Each waiting statement runs under a short lock timeout, so a wait shows as an error instead of a hang.
 */
class NotificationOrderTests {

    static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void holdingTheOrderBlocksOnlyAnotherHolder(String database) throws SQLException {
        DataSource ds = database.equals("h2") ? TestDatabases.h2() : TestDatabases.postgres();
        AccountId account = account(JdbcClient.create(ds));
        new NotificationOrder(JdbcClient.create(ds)).ensure(account);
        try (Connection a = transaction(ds, database); Connection b = transaction(ds, database)) {
            new NotificationOrder(client(a)).hold(account);

            insertTarget(client(b), account); // did not wait for a
            assertThat(client(b).sql("select count(*) from operation_targets where account_id = ?").param(account.value())
                    .query(Long.class).single()).isEqualTo(1);
            assertThatThrownBy(() -> new NotificationOrder(client(b)).hold(account)).isInstanceOf(DataAccessException.class);
        }
    }

    /** Shows the test above can see the difference: the account's row, locked the old way, blocks the same insert. */
    @org.junit.jupiter.api.Test
    void theAccountRowLockedForUpdateBlocksInsertsThatReferToItOnPostgres() throws SQLException {
        DataSource ds = TestDatabases.postgres();
        AccountId account = account(JdbcClient.create(ds));
        try (Connection a = transaction(ds, "postgres"); Connection b = transaction(ds, "postgres")) {
            client(a).sql("select id from accounts where id = ? for update").param(account.value()).query(Long.class).single();
            assertThatThrownBy(() -> insertTarget(client(b), account)).isInstanceOf(DataAccessException.class)
                    .hasMessageContaining("lock timeout");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anAccountAddedAfterTheMigrationGetsItsRowOnce(String database) {
        DataSource ds = database.equals("h2") ? TestDatabases.h2() : TestDatabases.postgres();
        JdbcClient jdbc = JdbcClient.create(ds);
        AccountId account = account(jdbc);
        Supplier<Long> rows = () -> jdbc.sql("select count(*) from notification_order where account_id = ?")
                .param(account.value()).query(Long.class).single();
        assertThat(rows.get()).isZero();
        new NotificationOrder(jdbc).ensure(account);
        new NotificationOrder(jdbc).ensure(account); // a second node or thread: no duplicate, no error
        assertThat(rows.get()).isEqualTo(1);
    }

    private static AccountId account(JdbcClient jdbc) {
        Timestamp now = Timestamp.from(NOW);
        jdbc.sql("""
                insert into accounts (name, org_name, location_uid, token_ciphertext, token_hint, expires_at, priority, state,
                    created_at, updated_at) values ('A', 'Org', ?, 'x', 'y', ?, 1, 'ACTIVE', ?, ?)
                """).params("loc-" + System.nanoTime(), now, now, now).update();
        return new AccountId(jdbc.sql("select max(id) from accounts").query(Long.class).single());
    }

    private static void insertTarget(JdbcClient jdbc, AccountId account) {
        Timestamp now = Timestamp.from(NOW);
        jdbc.sql("""
                insert into operation_targets (account_id, action, adam_id, pricing_param, serial_number, state, rule,
                    not_before, created_at, updated_at) values (?, 'DISASSOCIATE', '361309726', 'STDQ', 'C02AAA000001',
                    'QUEUED', 'R4d', ?, ?, ?)
                """).params(account.value(), now, now, now).update();
    }

    /** A connection in a transaction of its own that waits at most a quarter of a second for a lock (only ever
     * waited for where the test expects a wait: lock timeouts count waiting for a lock, not running). */
    private static Connection transaction(DataSource ds, String database) throws SQLException {
        Connection c = ds.getConnection();
        c.setAutoCommit(false);
        try (var s = c.createStatement()) {
            s.execute(database.equals("h2") ? "set lock_timeout 250" : "set lock_timeout = '250ms'");
        }
        return c;
    }

    private static JdbcClient client(Connection c) {
        return JdbcClient.create(new SingleConnectionDataSource(c, true));
    }
}
