package dev.orchard.server.system;

import java.time.Clock;
import java.time.Instant;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;

/**
 * Pulls durable work forward: a task instance is scheduled at now, or an existing one is moved to now. A running
 * instance cannot be moved (db-scheduler refuses). One whose node died is revived by db-scheduler's dead-execution
 * detection within {@code heartbeat-interval} × ({@code missed-heartbeats-limit} + 2), and at once when that node
 * starts again ({@link SchedulerNode}).
 */
@Component
public class DurableWork {

    private final ObjectProvider<SchedulerClient> scheduler;
    private final Clock clock;

    DurableWork(ObjectProvider<SchedulerClient> scheduler, Clock clock) {
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /**
     * Runs the task instance now. Returns false when it is running (it cannot be moved; such tasks look for work
     * that arrived meanwhile before they finish).
     */
    public <T> boolean runNow(TaskDescriptor<T> task, String instance) {
        SchedulerClient client = scheduler.getObject();
        Instant now = clock.instant();
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
