package dev.orchard.server.operations;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.ledger.LicenseLedger;
import dev.orchard.server.licensing.OperationQueue;
import dev.orchard.server.system.PlannerStatistics;

/**
 * The outbox's writing side: rows go into {@code operation_targets} in the caller's transaction; once it commits,
 * each account's dispatch is pulled forward. A user already queued for creation is not queued twice.
 */
@Component
class Outbox implements OperationQueue {

    private final JdbcTemplate jdbc;
    private final OperationTasks tasks;
    private final Clock clock;
    private final PlannerStatistics statistics;

    Outbox(JdbcTemplate jdbc, OperationTasks tasks, PlannerStatistics statistics, Clock clock) {
        this.jdbc = jdbc;
        this.statistics = statistics;
        this.tasks = tasks;
        this.clock = clock;
    }

    @Override
    public void enqueue(List<Queued> operations) {
        Set<String> usersQueued = new HashSet<>();
        insert(operations.stream().filter(q -> q.action() != Action.CREATE_USER
                || usersQueued.add(q.account() + "/" + q.clientUserId()) && !userCreation(q, "'QUEUED', 'SENDING', 'SENT'"))
                .toList(), clock.instant());
    }

    private void insert(List<Queued> operations, Instant at) {
        if (operations.isEmpty()) {
            return;
        }
        Timestamp now = Timestamp.from(at);
        var rows = new java.util.ArrayList<Object[]>();
        Set<AccountId> accounts = new HashSet<>();
        for (Queued q : operations) {
            rows.add(new Object[] {q.account().value(), q.action().name(), q.adamId(), q.pricingParam(), q.serialNumber(),
                    q.clientUserId(), q.email(), q.managedAppleId(), q.rule(), Timestamp.from(q.notBefore()), now, now});
            accounts.add(q.account());
        }
        jdbc.batchUpdate("""
                insert into operation_targets (account_id, action, adam_id, pricing_param, serial_number, client_user_id,
                    email, managed_apple_id, state, rule, not_before, created_at, updated_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, 'QUEUED', ?, ?, ?, ?)
                """, rows);
        statistics.grew(PlannerStatistics.Table.OPERATION_TARGETS, rows.size());
        accounts.forEach(tasks::dispatchAfterCommit);
    }

    /**
     * Queues the creation of a user Apple said it does not know (error 9609) although Orchard had registered it. A
     * creation already sent does not stand in for it: it may have been answered before Apple lost the user, and closing
     * it would then leave the user unregistered and its associations waiting for good; only one still queued does.
     */
    void enqueueUserAgain(AccountId account, String clientUserId, String rule, Instant now) {
        Queued q = new Queued(account, Action.CREATE_USER, null, null, null, clientUserId, null, null, rule, now);
        if (!userCreation(q, "'QUEUED'")) {
            insert(List.of(q), now);
        }
    }

    private boolean userCreation(Queued q, String states) {
        Integer n = jdbc.queryForObject("select count(*) from operation_targets where account_id = ? and action = 'CREATE_USER' "
                + "and client_user_id = ? and state in (" + states + ")", Integer.class, q.account().value(), q.clientUserId());
        return n != null && n > 0;
    }

    @Override
    public int cancelQueuedReclaims(AccountId account, List<LicenseLedger.Key> licenses) {
        return cancelQueued(account, "DISASSOCIATE", licenses);
    }

    @Override
    public int cancelQueuedAssignments(AccountId account, List<LicenseLedger.Key> licenses) {
        return cancelQueued(account, "ASSOCIATE", licenses);
    }

    /** One conditional update per license: a target the dispatcher claimed meanwhile is not cancelled. */
    private int cancelQueued(AccountId account, String action, List<LicenseLedger.Key> licenses) {
        int cancelled = 0;
        Timestamp now = Timestamp.from(clock.instant());
        for (LicenseLedger.Key k : licenses) {
            cancelled += jdbc.update("update operation_targets set state = 'CANCELLED', updated_at = ? where account_id = ? "
                    + "and action = ? and state = 'QUEUED' and adam_id = ? and pricing_param = ? "
                    + "and coalesce(serial_number, '') = ? and coalesce(client_user_id, '') = ?", now, account.value(), action,
                    k.app(), k.pricingParam(), k.serialNumber() == null ? "" : k.serialNumber(),
                    k.clientUserId() == null ? "" : k.clientUserId());
        }
        return cancelled;
    }
}
