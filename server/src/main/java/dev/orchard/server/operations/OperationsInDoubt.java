package dev.orchard.server.operations;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.sync.SyncTasks;

/**
 * Operations in doubt: the request went out (its {@code attempted_at} was committed) and no answer was recorded, after
 * a crash or an answer lost on its way back, so Apple may have acted on it. Such an operation is settled by Apple's
 * report of its event (kept because no operation had that eventId: it is adopted when it names the operation's
 * targets) or by a read of the account (its targets settle from the ledger; one read is asked for, and another
 * whenever a read settled some of them). Only when neither shows Apple acted on it within {@link #WAIT} of the
 * attempt is it sent again.
 */
@Component
class OperationsInDoubt {

    /** How long an operation in doubt waits for Apple's report or a read before it is sent again. */
    static final Duration WAIT = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(OperationsInDoubt.class);

    private final OperationStore store;
    private final Outcomes outcomes;
    private final SyncTasks sync;
    private final TransactionTemplate tx;
    private final Clock clock;
    /** Operations in doubt for which this node asked for a read, with how many of their targets were open then. */
    private final Map<Long, Integer> readAskedFor = new ConcurrentHashMap<>();

    OperationsInDoubt(OperationStore store, Outcomes outcomes, SyncTasks sync, TransactionTemplate tx, Clock clock) {
        this.store = store;
        this.outcomes = outcomes;
        this.sync = sync;
        this.tx = tx;
        this.clock = clock;
    }

    /** When the oldest operation in doubt of the account may be sent again; null when none is in doubt. */
    Instant until(AccountId account) {
        return store.inState(account, "SENDING").stream().filter(OperationStore.Operation::inDoubt)
                .map(op -> op.attemptedAt().plus(WAIT)).min(Instant::compareTo).orElse(null);
    }

    /**
     * Settles an operation in doubt from what shows Apple acted on it; true when it is still open after
     * {@link #WAIT} and may be sent again.
     */
    boolean mayResend(AccountId account, OperationStore.Operation op) {
        Instant now = clock.instant();
        if (Boolean.TRUE.equals(tx.execute(s -> outcomes.adoptKeptReport(account, op, now.plus(Dispatcher.FIRST_CHECK))))) {
            LOG.info("Operation {} of account {} was in doubt: Apple's report of its event names it", op.id(), account);
            readAskedFor.remove(op.id());
            return false;
        }
        int open = tx.execute(s -> {
            store.settleFromLedger(op.id(), now);
            store.closeIfDone(op.id(), now);
            return (int) store.targets(op.id()).stream().filter(t -> t.state().equals("SENDING")).count();
        });
        if (open == 0) {
            LOG.info("Operation {} of account {} was in doubt: a read of the account shows Apple acted on it", op.id(), account);
            readAskedFor.remove(op.id());
            return false;
        }
        if (op.attemptedAt().plus(WAIT).isAfter(now)) {
            Integer before = readAskedFor.put(op.id(), open);
            if (before == null || open < before) {
                // Apple may still be working on it: ask again for as long as reads settle more of it
                LOG.info("Operation {} of account {} is in doubt (sent at {}, no answer): reading the account", op.id(), account,
                        op.attemptedAt());
                sync.syncNow(account, false);
            }
            return false;
        }
        readAskedFor.remove(op.id());
        LOG.warn("Operation {} of account {} was sent at {} and nothing shows Apple acted on it within {}: sending it again",
                op.id(), account, op.attemptedAt(), WAIT);
        return true;
    }
}
