package dev.orchard.server.operations;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.ledger.LicenseEvents;

/**
 * One run of an account's Apple worker ({@link OperationTasks}): first what needs no call to Apple, then the calls, so
 * a Retry-After block (which ends the run) never holds back what Orchard can settle itself.
 * <ol>
 *   <li>reports that overtook their operation and whose operation is recorded now are applied;</li>
 *   <li>operations a read of the account already settled are closed (after a read, and before their status is polled);</li>
 *   <li>operations due for a check are polled ({@link StatusPoller});</li>
 *   <li>due targets are sent ({@link Dispatcher}).</li>
 * </ol>
 */
@Component
class AppleWorker {

    /** Reports no operation claimed within this long belong to events Orchard did not start. */
    static final Duration KEEP_UNMATCHED = Duration.ofDays(1);

    private final OperationStore store;
    private final Outcomes outcomes;
    private final StatusPoller poller;
    private final Dispatcher dispatcher;
    private final OperationsInDoubt inDoubt;
    private final OperationTasks tasks;
    private final TransactionTemplate tx;
    private final Clock clock;
    /** Accounts read since their worker last settled from the ledger (a hint of this node; polls settle the rest). */
    private final Set<AccountId> readSinceSettled = ConcurrentHashMap.newKeySet();

    AppleWorker(OperationStore store, Outcomes outcomes, StatusPoller poller, Dispatcher dispatcher, OperationsInDoubt inDoubt,
                OperationTasks tasks, TransactionTemplate tx, Clock clock) {
        this.inDoubt = inDoubt;
        this.tasks = tasks;
        this.store = store;
        this.outcomes = outcomes;
        this.poller = poller;
        this.dispatcher = dispatcher;
        this.tx = tx;
        this.clock = clock;
    }

    void run(AccountId account) {
        Instant now = clock.instant();
        for (String eventId : store.unmatchedNowKnown(account)) {
            tx.executeWithoutResult(s -> outcomes.replayUnmatched(account, eventId));
        }
        store.forgetUnmatched(account, now.minus(KEEP_UNMATCHED));
        var toSettle = readSinceSettled.remove(account) ? store.sentOperations(account, 1000) : store.dueForCheck(account, now);
        toSettle.forEach(op -> settleFromLedger(op.id(), now));
        for (OperationStore.Operation op : store.dueForCheck(account, now)) {
            poller.check(op);
        }
        dispatcher.dispatch(account);
    }

    /** A read of the account applied pages: its sent operations may be settled by the ledger now. */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void ledgerRead(LicenseEvents.LedgerRead e) {
        readSinceSettled.add(e.account());
        tasks.dispatchNow(e.account());
    }

    boolean hasDueWork(AccountId account) {
        return dispatcher.hasDueWork(account) || !store.dueForCheck(account, clock.instant()).isEmpty();
    }

    /** When the next queued target, status check or operation in doubt of the account falls due; null when none waits. */
    Instant nextDue(AccountId account) {
        Instant a = store.nextDue(account);
        Instant b = inDoubt.until(account);
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private void settleFromLedger(long operationId, Instant now) {
        tx.executeWithoutResult(s -> {
            if (store.settleFromLedger(operationId, now) > 0) {
                store.closeIfDone(operationId, now);
            }
        });
    }
}
