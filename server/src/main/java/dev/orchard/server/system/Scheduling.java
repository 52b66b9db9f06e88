package dev.orchard.server.system;

import java.time.Instant;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;

/** The two ways Orchard pulls durable work forward: once the change that asked for it is committed, and to now. */
public final class Scheduling {

    private Scheduling() {
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

    /**
     * Schedules the task instance at {@code now}, or pulls an existing one forward. Returns false when the instance
     * is running (it cannot be rescheduled); such tasks look for work that arrived meanwhile before they finish.
     */
    public static <T> boolean runNow(SchedulerClient client, TaskDescriptor<T> task, String instance, Instant now) {
        if (client.scheduleIfNotExists(task.instance(instance).scheduledTo(now))) {
            return true;
        }
        try {
            client.reschedule(task.instanceId(instance), now);
            return true;
        } catch (RuntimeException running) {
            return false;
        }
    }
}
