package dev.orchard.server.alerts;

import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import dev.orchard.server.system.DurableWork;
import dev.orchard.server.system.Scheduling;

/**
 * db-scheduler tasks of the alerts, one instance each so one node runs them at a time, in the idiom of
 * {@link DurableWork}: {@code alert-evaluation} (every {@code orchard.alerts.evaluate-interval}, and soon after a rule
 * or channel changed) raises, repeats and resolves alerts and queues their notices; {@code alert-delivery} sends the
 * queued notices, again at once while a full round was due, else when the next retry falls due (a minute at most).
 */
@Configuration(proxyBeanMethods = false)
class AlertTasks implements ApplicationRunner {

    static final TaskDescriptor<Void> EVALUATION = TaskDescriptor.of("alert-evaluation");
    static final TaskDescriptor<Void> DELIVERY = TaskDescriptor.of("alert-delivery");
    static final String INSTANCE = "all";
    static final Duration DELIVERY_SAFETY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(AlertTasks.class);

    private final DurableWork work;

    AlertTasks(DurableWork work) {
        this.work = work;
    }

    @Bean
    static Task<Void> alertEvaluationTask(AlertEvaluation evaluation, AlertsProperties properties, DurableWork work, Clock clock) {
        return Tasks.custom(EVALUATION).onDeadExecution(Scheduling.reviveNow(clock)).execute((instance, context) -> {
            try {
                var result = evaluation.evaluate();
                if (result.queued() > 0) {
                    work.wake(DELIVERY, INSTANCE);
                }
                if (result.raised() + result.resolved() > 0) {
                    LOG.info("Alerts: {} raised, {} resolved, {} notice(s) queued", result.raised(), result.resolved(),
                            result.queued());
                }
            } catch (RuntimeException e) {
                LOG.warn("Alert evaluation failed: {}", e.toString());
            }
            return work.next(false, null, properties.evaluateInterval());
        });
    }

    @Bean
    static Task<Void> alertDeliveryTask(AlertDelivery delivery, DurableWork work, Clock clock) {
        return Tasks.custom(DELIVERY).onDeadExecution(Scheduling.reviveNow(clock)).execute((instance, context) -> {
            try {
                boolean more = delivery.deliverDue();
                return work.next(more, delivery.nextDue(), DELIVERY_SAFETY);
            } catch (RuntimeException e) {
                LOG.warn("Alert delivery failed, retrying in a minute: {}", e.toString());
                return work.next(false, null, DELIVERY_SAFETY);
            }
        });
    }

    @Override
    public void run(ApplicationArguments args) {
        work.ensure(EVALUATION, INSTANCE);
        work.ensure(DELIVERY, INSTANCE);
    }

    /** A rule or a channel changed: evaluate soon after the change committed. */
    void evaluateAfterCommit() {
        work.wakeAfterCommit(EVALUATION, INSTANCE);
    }
}
