package dev.orchard.server.system;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Helpers of background work: running something once the change that asked for it is committed; reviving at the clock's now. */
public final class Scheduling {

    private Scheduling() {
    }

    /**
     * Revives an execution whose node died (its heartbeat stopped) at the injected clock's now. db-scheduler's own
     * reviver takes the system clock's time, which a test clock far from it turns into never (seen: a delivery left
     * picked by a node stopped mid-request was rescheduled four days into the test clock's future).
     */
    public static <T> com.github.kagkarlsson.scheduler.task.DeadExecutionHandler<T> reviveNow(java.time.Clock clock) {
        return (complete, operations) -> {
            org.slf4j.LoggerFactory.getLogger(Scheduling.class).info("Reviving {}: the node running it stopped", complete.getExecution());
            operations.reschedule(complete, clock.instant());
        };
    }

    /** Runs the action after the current transaction commits (at once when there is none). */
    public static void afterCommit(Runnable action) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    action.run();
                }
            });
        } else {
            action.run();
        }
    }
}
