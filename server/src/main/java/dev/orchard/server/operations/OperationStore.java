package dev.orchard.server.operations;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.ledger.LicenseLedger;

/** The operations and operation_targets tables. */
@Repository
class OperationStore {

    /** One row of the outbox. */
    record Target(long id, long accountId, String action, String adamId, String pricingParam, String serialNumber,
                  String clientUserId, String email, String managedAppleId, String state, String rule, Long operationId,
                  int attempts) {
        String holder() {
            return serialNumber != null ? serialNumber : clientUserId;
        }
    }

    /** One Apple request. */
    record Operation(long id, long accountId, String action, String state, String eventId, String assets, int targetCount,
                     int attempts, String error, Instant createdAt, Instant sentAt, Instant nextCheckAt, Instant completedAt,
                     Instant attemptedAt) {
        /** Its request went out and no answer was recorded: Apple may have acted on it. */
        boolean inDoubt() {
            return state.equals("SENDING") && attemptedAt != null;
        }
    }

    /** A report of one of Apple's events that no recorded operation has claimed yet. */
    record KeptReport(String eventId, String report) {
    }

    private final JdbcClient jdbc;
    private final org.springframework.jdbc.core.JdbcTemplate batch;

    OperationStore(JdbcClient jdbc, org.springframework.jdbc.core.JdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
    }

    /**
     * Marks the named licenses of an operation done, one batched statement per holder kind, each row found through
     * the holder index; returns how many targets changed.
     */
    int finishNamed(long operationId, List<dev.orchard.server.ledger.LicenseLedger.Key> keys, Instant now) {
        Timestamp ts = Timestamp.from(now);
        var devices = new java.util.ArrayList<Object[]>();
        var users = new java.util.ArrayList<Object[]>();
        for (var k : keys) {
            (k.serialNumber() != null ? devices : users).add(new Object[] {ts, k.serialNumber() != null ? k.serialNumber()
                    : k.clientUserId(), k.app(), operationId, k.pricingParam()});
        }
        int changed = 0;
        for (String column : List.of("serial_number", "client_user_id")) {
            var rows = column.equals("serial_number") ? devices : users;
            if (rows.isEmpty()) {
                continue;
            }
            for (int n : batch.batchUpdate("update operation_targets set state = 'DONE', error_number = null, error = null, "
                    + "updated_at = ? where " + column + " = ? and adam_id = ? and operation_id = ? and pricing_param = ? and state in ('SENDING', 'SENT')", rows)) {
                changed += Math.max(n, 0);
            }
        }
        return changed;
    }

    /** Queued targets due now, oldest first; user associations only once Apple has the user. */
    List<Target> due(AccountId account, Instant now, int limit) {
        return jdbc.sql("""
                select * from operation_targets t where t.account_id = ? and t.state = 'QUEUED' and t.not_before <= ?
                  and (t.action <> 'ASSOCIATE' or t.client_user_id is null or exists (select 1 from ledger_apple_users u
                       where u.account_id = t.account_id and u.client_user_id = t.client_user_id and u.active))
                order by t.id limit ?
                """).params(account.value(), Timestamp.from(now), limit).query(OperationStore::target).list();
    }

    /**
     * Creates an operation for the targets that are still queued and claims them for it, in one conditional update
     * per chunk: a target cancelled after the dispatcher read it stays cancelled and is not part of the request.
     * Returns the operation's id, or -1 when none of the targets was still queued (no operation is left behind).
     */
    long create(AccountId account, String action, String assets, List<Long> targetIds, Instant now) {
        var keys = new GeneratedKeyHolder();
        jdbc.sql("insert into operations (account_id, action, state, assets, target_count, created_at) values (?, ?, 'SENDING', ?, ?, ?)")
                .params(account.value(), action, assets.length() > 1000 ? assets.substring(0, 999) + "…" : assets,
                        targetIds.size(), Timestamp.from(now)).update(keys, "id");
        long id = keys.getKey().longValue();
        int claimed = 0;
        for (int from = 0; from < targetIds.size(); from += 1000) {
            claimed += jdbc.sql("update operation_targets set operation_id = :op, state = 'SENDING', updated_at = :now "
                            + "where id in (:ids) and state = 'QUEUED'")
                    .param("op", id).param("now", Timestamp.from(now))
                    .param("ids", targetIds.subList(from, Math.min(targetIds.size(), from + 1000))).update();
        }
        if (claimed == 0) {
            jdbc.sql("delete from operations where id = ?").param(id).update();
            return -1;
        }
        if (claimed != targetIds.size()) {
            jdbc.sql("update operations set target_count = ? where id = ?").params(claimed, id).update();
        }
        return id;
    }

    /** Cancels a target only while it is queued; false when the dispatcher has claimed it (or it ended) meanwhile. */
    boolean cancelQueued(long targetId, String why, Instant now) {
        return jdbc.sql("update operation_targets set state = 'CANCELLED', error = ?, updated_at = ? where id = ? and state = 'QUEUED'")
                .params(cap(why, 500), Timestamp.from(now), targetId).update() == 1;
    }

    List<Operation> inState(AccountId account, String state) {
        return jdbc.sql("select * from operations where account_id = ? and state = ? order by id").params(account.value(), state)
                .query(OperationStore::operation).list();
    }

    List<Target> targets(long operationId) {
        return jdbc.sql("select * from operation_targets where operation_id = ? order by id").param(operationId)
                .query(OperationStore::target).list();
    }

    /** The request is about to go out (committed before the call: after a crash, the operation is in doubt). */
    void attempted(long operationId, Instant now) {
        jdbc.sql("update operations set attempted_at = ? where id = ?").params(Timestamp.from(now), operationId).update();
    }

    /** Apple refused the request, or it never went out: Apple did not act on it. */
    void notAttempted(long operationId) {
        jdbc.sql("update operations set attempted_at = null where id = ?").param(operationId).update();
    }

    /** Apple's answer (or, for an operation in doubt, Apple's report of its event) gave the operation its eventId. */
    void sent(long operationId, String eventId, Instant now, Instant nextCheck) {
        jdbc.sql("update operations set state = 'SENT', event_id = ?, sent_at = ?, next_check_at = ?, attempts = attempts + 1, "
                + "attempted_at = null, error = null where id = ? and state = 'SENDING'")
                .params(eventId, Timestamp.from(now), Timestamp.from(nextCheck), operationId).update();
        jdbc.sql("update operation_targets set state = 'SENT', attempts = attempts + 1, updated_at = ? where operation_id = ? "
                + "and state = 'SENDING'").params(Timestamp.from(now), operationId).update();
    }

    void resend(long operationId, Instant now) {
        jdbc.sql("update operations set state = 'SENDING', next_check_at = null, attempted_at = null where id = ?").param(operationId).update();
        jdbc.sql("update operation_targets set state = 'SENDING', updated_at = ? where operation_id = ? and state = 'SENT'")
                .params(Timestamp.from(now), operationId).update();
    }

    void checkAgain(long operationId, Instant at) {
        jdbc.sql("update operations set next_check_at = ? where id = ?").params(Timestamp.from(at), operationId).update();
    }

    void failOperation(long operationId, String error, Instant now) {
        jdbc.sql("update operations set state = 'FAILED', error = ?, completed_at = ?, next_check_at = null where id = ?")
                .params(cap(error, 1000), Timestamp.from(now), operationId).update();
    }

    /** Sets a target's outcome; only a target still in flight changes (repeated reports change nothing). */
    boolean finishTarget(long targetId, String state, Integer errorNumber, String error, Instant now) {
        return jdbc.sql("update operation_targets set state = ?, error_number = ?, error = ?, updated_at = ? where id = ? "
                + "and state in ('SENDING', 'SENT', 'QUEUED')").params(state, errorNumber, cap(error, 500), Timestamp.from(now), targetId)
                .update() == 1;
    }

    void requeue(long targetId, Instant now) {
        jdbc.sql("update operation_targets set state = 'QUEUED', operation_id = null, updated_at = ? where id = ?")
                .params(Timestamp.from(now), targetId).update();
    }

    /** Apple reported trouble of its own: the target waits until {@code notBefore} and is sent again, its error kept. */
    void retryLater(long targetId, Integer errorNumber, String error, Instant notBefore, Instant now) {
        jdbc.sql("""
                update operation_targets set state = 'QUEUED', operation_id = null, error_number = ?, error = ?, not_before = ?,
                    updated_at = ? where id = ? and state in ('SENDING', 'SENT')
                """).params(errorNumber, error, Timestamp.from(notBefore), Timestamp.from(now), targetId).update();
    }

    /**
     * Closes the operation once none of its targets is in flight: COMPLETE, or FAILED when any target failed. The
     * operation's row is locked first, so of two transactions that each finish part of its targets the second sees
     * the first's committed work and closes it (counting without the lock, both saw the other's part still open).
     */
    void closeIfDone(long operationId, Instant now) {
        jdbc.sql("select id from operations where id = ? for update").param(operationId).query(Long.class).optional();
        jdbc.sql("""
                update operations set completed_at = ?, next_check_at = null,
                  state = case when exists (select 1 from operation_targets f where f.operation_id = ? and f.state = 'FAILED')
                               then 'FAILED' else 'COMPLETE' end
                where id = ? and state in ('SENT', 'SENDING')
                  and not exists (select 1 from operation_targets t where t.operation_id = ? and t.state in ('SENDING', 'SENT'))
                """).params(Timestamp.from(now), operationId, operationId, operationId).update();
    }

    /**
     * Targets of a sent operation whose outcome the ledger already shows (a notification that arrived before the
     * operation's eventId was recorded could not name it) are done; returns how many. One statement per kind of
     * target, each a single {@code exists} on the ledger's holder index: written as one statement with the kinds
     * or-ed, PostgreSQL could not make a join of it and hashed every license of the ledger for each call (a third of
     * its time in {@code LicensingBench}; on H2 an {@code or} across the holder columns scanned the ledger per target).
     */
    int settleFromLedger(long operationId, Instant now) {
        Timestamp ts = Timestamp.from(now);
        int settled = 0;
        for (String kind : SETTLED_IN_LEDGER) {
            settled += jdbc.sql("update operation_targets t set state = 'DONE', error_number = null, error = null, updated_at = ? "
                    + "where t.operation_id = ? and t.state in ('SENT', 'SENDING') and " + kind).params(ts, operationId).update();
        }
        return settled;
    }

    private static final String SAME_LICENSE = "select 1 from ledger_licenses l where l.account_id = t.account_id "
            + "and l.adam_id = t.adam_id and l.pricing_param = t.pricing_param and ";
    private static final List<String> SETTLED_IN_LEDGER = List.of(
            "t.action = 'ASSOCIATE' and t.serial_number is not null and exists (" + SAME_LICENSE
                    + "l.serial_number = t.serial_number and l.at_apple)",
            "t.action = 'ASSOCIATE' and t.client_user_id is not null and exists (" + SAME_LICENSE
                    + "l.client_user_id = t.client_user_id and l.at_apple)",
            "t.action = 'DISASSOCIATE' and t.serial_number is not null and not exists (" + SAME_LICENSE
                    + "l.serial_number = t.serial_number)",
            "t.action = 'DISASSOCIATE' and t.client_user_id is not null and not exists (" + SAME_LICENSE
                    + "l.client_user_id = t.client_user_id)",
            "t.action = 'CREATE_USER' and exists (select 1 from ledger_apple_users u where u.account_id = t.account_id "
                    + "and u.client_user_id = t.client_user_id and u.active)");

    List<Operation> sentOperations(AccountId account, int limit) {
        return jdbc.sql("select * from operations where account_id = ? and state = 'SENT' order by id limit ?")
                .params(account.value(), limit).query(OperationStore::operation).list();
    }

    /** Associations queued for a user of an account (they wait for the user's creation). */
    List<Target> queuedForUser(long accountId, String clientUserId) {
        return jdbc.sql("select * from operation_targets where account_id = ? and client_user_id = ? and action = 'ASSOCIATE' "
                + "and state = 'QUEUED'").params(accountId, clientUserId).query(OperationStore::target).list();
    }

    /** The account's kept reports, oldest first. */
    List<KeptReport> keptReports(AccountId account) {
        return jdbc.sql("select event_id, report from unmatched_event_reports where account_id = ? order by id limit 1000")
                .param(account.value()).query((rs, n) -> new KeptReport(rs.getString(1), rs.getString(2))).list();
    }

    void keepUnmatched(AccountId account, String eventId, String report, Instant now) {
        jdbc.sql("insert into unmatched_event_reports (account_id, event_id, report, received_at) values (?, ?, ?, ?)")
                .params(account.value(), eventId, report, Timestamp.from(now)).update();
    }

    /** Removes and returns the reports kept for an event, oldest first. */
    List<String> takeUnmatched(AccountId account, String eventId) {
        List<String> reports = jdbc.sql("select report from unmatched_event_reports where account_id = ? and event_id = ? order by id")
                .params(account.value(), eventId).query(String.class).list();
        if (!reports.isEmpty()) {
            jdbc.sql("delete from unmatched_event_reports where account_id = ? and event_id = ?").params(account.value(), eventId).update();
        }
        return reports;
    }

    /** Events with kept reports whose operation is recorded now (the race the dispatcher's own replay can miss). */
    List<String> unmatchedNowKnown(AccountId account) {
        return jdbc.sql("""
                select distinct r.event_id from unmatched_event_reports r
                where r.account_id = ? and exists (select 1 from operations o where o.account_id = r.account_id and o.event_id = r.event_id)
                """).param(account.value()).query(String.class).list();
    }

    /** Forgets the account's reports no operation claimed since {@code before}. */
    int forgetUnmatched(AccountId account, Instant before) {
        return jdbc.sql("delete from unmatched_event_reports where account_id = ? and received_at < ?")
                .params(account.value(), Timestamp.from(before)).update();
    }

    /** The licenses of an event's targets that are no longer in flight (settled by a poll, a sync or a report). */
    java.util.Set<LicenseLedger.Key> settledOfEvent(AccountId account, String eventId) {
        return new java.util.HashSet<>(jdbc.sql("""
                select t.adam_id, t.pricing_param, t.serial_number, t.client_user_id from operation_targets t
                join operations o on o.id = t.operation_id
                where o.account_id = ? and o.event_id = ? and t.action in ('ASSOCIATE', 'DISASSOCIATE')
                  and t.state not in ('SENDING', 'SENT')
                """).params(account.value(), eventId).query((rs, n) -> LicenseLedger.Key.of(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getString(4))).list());
    }

    List<Operation> byEvent(AccountId account, String eventId) {
        return jdbc.sql("select * from operations where account_id = ? and event_id = ?").params(account.value(), eventId)
                .query(OperationStore::operation).list();
    }

    List<Operation> dueForCheck(AccountId account, Instant now) {
        return jdbc.sql("select * from operations where account_id = ? and state = 'SENT' and next_check_at <= ? "
                + "order by next_check_at limit 100").params(account.value(), Timestamp.from(now)).query(OperationStore::operation).list();
    }

    /** When the account's next queued target or status check falls due; null when nothing waits. */
    Instant nextDue(AccountId account) {
        Timestamp target = jdbc.sql("select min(not_before) from operation_targets where account_id = ? and state = 'QUEUED'")
                .param(account.value()).query(Timestamp.class).optional().orElse(null);
        Timestamp check = jdbc.sql("select min(next_check_at) from operations where account_id = ? and state = 'SENT'")
                .param(account.value()).query(Timestamp.class).optional().orElse(null);
        Instant a = instant(target);
        Instant b = instant(check);
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    /**
     * Operations Apple is working on are checked at once: their notifications may have come while no node listened
     * (Apple tries a notification only briefly). Returns how many.
     */
    int checkSentNow(Instant now) {
        return jdbc.sql("update operations set next_check_at = ? where state = 'SENT' and next_check_at > ?")
                .params(Timestamp.from(now), Timestamp.from(now)).update();
    }

    /** Accounts with targets not yet settled (their worker must be scheduled). */
    List<Long> accountsWithOpenWork() {
        return jdbc.sql("select distinct account_id from operation_targets where state in ('QUEUED', 'SENDING', 'SENT')")
                .query(Long.class).list();
    }

    static Target target(ResultSet rs, int n) throws SQLException {
        return new Target(rs.getLong("id"), rs.getLong("account_id"), rs.getString("action"), rs.getString("adam_id"),
                rs.getString("pricing_param"), rs.getString("serial_number"), rs.getString("client_user_id"),
                rs.getString("email"), rs.getString("managed_apple_id"), rs.getString("state"), rs.getString("rule"),
                (Long) rs.getObject("operation_id", Long.class), rs.getInt("attempts"));
    }

    static Operation operation(ResultSet rs, int n) throws SQLException {
        return new Operation(rs.getLong("id"), rs.getLong("account_id"), rs.getString("action"), rs.getString("state"),
                rs.getString("event_id"), rs.getString("assets"), rs.getInt("target_count"), rs.getInt("attempts"),
                rs.getString("error"), instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("sent_at")),
                instant(rs.getTimestamp("next_check_at")), instant(rs.getTimestamp("completed_at")),
                instant(rs.getTimestamp("attempted_at")));
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    private static String cap(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
