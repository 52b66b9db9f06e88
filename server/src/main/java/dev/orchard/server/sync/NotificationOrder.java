package dev.orchard.server.sync;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.server.accounts.AccountId;

/**
 * The lock that applies one account's notifications one at a time across threads and nodes: a row of
 * {@code notification_order} per account, held ({@code for update}) for the transaction that applies one
 * notification. Nothing refers to that table, so, unlike the account's own row, holding it does not block the
 * foreign-key checks of rows inserted for the account (outbox targets, licenses) by other transactions (see V10).
 */
final class NotificationOrder {

    private final JdbcClient jdbc;
    private final Set<Long> ensured = ConcurrentHashMap.newKeySet();

    NotificationOrder(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Makes sure the account has its row (V10 made them for the accounts then; later ones get theirs here), in a
     * statement of its own outside any transaction that holds other locks.
     */
    void ensure(AccountId account) {
        if (ensured.contains(account.value())) {
            return;
        }
        try {
            jdbc.sql("insert into notification_order (account_id) select id from accounts where id = ? "
                    + "and not exists (select 1 from notification_order where account_id = ?)")
                    .params(account.value(), account.value()).update();
        } catch (DuplicateKeyException raced) {
            // another thread made it at the same moment
        }
        ensured.add(account.value());
    }

    /** Holds the account's row until the current transaction ends; a second holder waits. */
    void hold(AccountId account) {
        jdbc.sql("select account_id from notification_order where account_id = ? for update").param(account.value())
                .query(Long.class).optional();
    }
}
