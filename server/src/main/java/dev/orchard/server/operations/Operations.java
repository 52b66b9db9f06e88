package dev.orchard.server.operations;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.ledger.LicenseLedger;
import dev.orchard.server.system.ConflictException;
import dev.orchard.server.system.NotFoundException;

/** The outbox as operators see and steer it: operations with their targets, retry and cancel. */
@Service
public class Operations {

    /** An operation with (a page of) its targets. */
    public record Detail(OperationView operation, List<TargetView> targets) {
    }

    /** An Apple request. */
    public record OperationView(long id, long accountId, String action, String state, String eventId, String assets,
                                int targetCount, int attempts, String error, Instant createdAt, Instant sentAt,
                                Instant nextCheckAt, Instant completedAt) {
    }

    /** One asset × target in the outbox. */
    public record TargetView(long id, long accountId, String action, String adamId, String pricingParam, String serialNumber,
                             String clientUserId, String state, String rule, Long operationId, int attempts,
                             Integer errorNumber, String error, Instant notBefore, Instant createdAt) {
    }

    private final JdbcClient jdbc;
    private final OperationStore store;
    private final LicenseLedger ledger;
    private final OperationTasks tasks;
    private final AuditTrail audit;
    private final Clock clock;
    private final dev.orchard.server.licensing.AssignmentOutcomes assignments;

    Operations(JdbcClient jdbc, OperationStore store, LicenseLedger ledger, OperationTasks tasks, AuditTrail audit, Clock clock,
               dev.orchard.server.licensing.AssignmentOutcomes assignments) {
        this.assignments = assignments;
        this.jdbc = jdbc;
        this.store = store;
        this.ledger = ledger;
        this.tasks = tasks;
        this.audit = audit;
        this.clock = clock;
    }

    public List<OperationView> list(Long accountId, String state, long beforeId, int limit) {
        return jdbc.sql("""
                select * from operations where (? = 0 or id < ?) and (cast(? as bigint) is null or account_id = ?)
                  and (cast(? as varchar) is null or state = ?) order by id desc limit ?
                """).params(beforeId, beforeId, accountId, accountId, state, state, limit)
                .query((rs, n) -> view(OperationStore.operation(rs, n))).list();
    }

    public Detail get(long id, int targetLimit) {
        var op = jdbc.sql("select * from operations where id = ?").param(id).query(OperationStore::operation).optional()
                .orElseThrow(() -> new NotFoundException("no operation " + id));
        return new Detail(view(op), jdbc.sql("select * from operation_targets where operation_id = ? order by id limit ?")
                .params(id, targetLimit).query(Operations::target).list());
    }

    /** How many of an app's Apple targets failed (and were not retried or cancelled since). */
    public long failedTargets(String adamId) {
        return jdbc.sql("select count(*) from operation_targets where adam_id = ? and state = 'FAILED'").param(adamId)
                .query(Long.class).single();
    }

    /** A page of an operation's targets in id order, after {@code afterId}. */
    public List<TargetView> targets(long operationId, long afterId, int limit) {
        return jdbc.sql("select * from operation_targets where operation_id = ? and id > ? order by id limit ?")
                .params(operationId, afterId, limit).query(Operations::target).list();
    }

    /** How many of an operation's targets are in each state. */
    public Map<String, Long> targetStates(long operationId) {
        var counts = new java.util.TreeMap<String, Long>();
        jdbc.sql("select state, count(*) from operation_targets where operation_id = ? group by state").param(operationId)
                .query((rs, n) -> counts.put(rs.getString(1), rs.getLong(2))).list();
        return counts;
    }

    /** Targets not yet in an operation (queued, for example in a reclaim's grace period), oldest first. */
    public List<TargetView> queued(Long accountId, long afterId, int limit) {
        return jdbc.sql("""
                select * from operation_targets where state = 'QUEUED' and id > ? and (cast(? as bigint) is null or account_id = ?)
                order by id limit ?
                """).params(afterId, accountId, accountId, limit).query(Operations::target).list();
    }

    /** Counts of targets per state, for the dashboard. */
    public Map<String, Object> summary() {
        var counts = new java.util.TreeMap<String, Object>();
        jdbc.sql("select state, count(*) from operation_targets group by state").query((rs, n) -> counts.put(rs.getString(1), rs.getLong(2))).list();
        return counts;
    }

    /**
     * The account's targets that failed since {@code since} and were neither retried nor cancelled since (per account,
     * so the outbox's queue index, which leads with the account and the state, finds them).
     */
    public long failedSince(AccountId account, Instant since) {
        return jdbc.sql("select count(*) from operation_targets where account_id = ? and state = 'FAILED' and updated_at >= ?")
                .params(account.value(), Timestamp.from(since)).query(Long.class).single();
    }

    /** Sends the failed (or still pending) targets of an operation again. */
    @Transactional
    public int retry(long id) {
        Detail d = get(id, Integer.MAX_VALUE);
        if (!List.of("FAILED", "SENT").contains(d.operation().state())) {
            throw new ConflictException("operation " + id + " is " + d.operation().state() + "; only FAILED or SENT operations can be retried");
        }
        Instant now = clock.instant();
        AccountId account = new AccountId(d.operation().accountId());
        int n = 0;
        for (TargetView t : d.targets()) {
            if (!t.state().equals("FAILED") && !t.state().equals("SENT")) {
                continue;
            }
            var key = LicenseLedger.Key.of(t.adamId(), t.pricingParam(), t.serialNumber(), t.clientUserId());
            if (t.action().equals("ASSOCIATE")) {
                ledger.restoreIntent(account, key, now);
                assignments.assignmentRetried(key);
            } else if (t.action().equals("DISASSOCIATE")) {
                ledger.restoreReclaim(account, key, t.rule());
            }
            store.requeue(t.id(), now);
            n++;
        }
        jdbc.sql("update operations set state = 'RETRIED', completed_at = ?, next_check_at = null where id = ?")
                .params(Timestamp.from(now), id).update();
        audit.record("api", "OPERATION_RETRIED", "operation " + id, n + " targets queued again", "OK");
        tasks.dispatchAfterCommit(account);
        return n;
    }

    /** Cancels a target not sent yet: an assignment is dropped, a reclaim keeps the license. */
    @Transactional
    public void cancelTarget(long targetId) {
        TargetView t = jdbc.sql("select * from operation_targets where id = ?").param(targetId).query(Operations::target)
                .optional().orElseThrow(() -> new NotFoundException("no operation target " + targetId));
        if (!t.state().equals("QUEUED")) {
            throw new ConflictException("target " + targetId + " is " + t.state() + "; only queued targets can be cancelled");
        }
        if (!store.cancelQueued(targetId, "cancelled by an operator", clock.instant())) {
            throw new ConflictException("target " + targetId + " was claimed for sending meanwhile; only queued targets can be cancelled");
        }
        AccountId account = new AccountId(t.accountId());
        var key = LicenseLedger.Key.of(t.adamId(), t.pricingParam(), t.serialNumber(), t.clientUserId());
        if (t.action().equals("ASSOCIATE")) {
            ledger.dropIntent(account, key);
        } else if (t.action().equals("DISASSOCIATE")) {
            ledger.keep(account, key);
        }
        audit.record("api", "OPERATION_CANCELLED", (t.serialNumber() != null ? "device " + t.serialNumber() : "user " + t.clientUserId()),
                t.action() + " of app " + t.adamId() + " in account " + t.accountId(), "OK");
    }

    private static OperationView view(OperationStore.Operation o) {
        return new OperationView(o.id(), o.accountId(), o.action(), o.state(), o.eventId(), o.assets(), o.targetCount(),
                o.attempts(), o.error(), o.createdAt(), o.sentAt(), o.nextCheckAt(), o.completedAt());
    }

    private static TargetView target(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new TargetView(rs.getLong("id"), rs.getLong("account_id"), rs.getString("action"), rs.getString("adam_id"),
                rs.getString("pricing_param"), rs.getString("serial_number"), rs.getString("client_user_id"), rs.getString("state"),
                rs.getString("rule"), (Long) rs.getObject("operation_id", Long.class), rs.getInt("attempts"),
                (Integer) rs.getObject("error_number", Integer.class), rs.getString("error"),
                rs.getTimestamp("not_before").toInstant(), rs.getTimestamp("created_at").toInstant());
    }
}
