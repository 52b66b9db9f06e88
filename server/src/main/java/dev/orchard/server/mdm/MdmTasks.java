package dev.orchard.server.mdm;

import java.time.Clock;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import dev.orchard.server.ledger.LicenseEvents;
import dev.orchard.server.system.Scheduling;

/**
 * db-scheduler tasks of the MDM integration, one instance each so one node runs them at a time:
 * {@code mdm-delivery} delivers due commands and sleeps until the next retry is due; {@code mdm-sweep} (every
 * {@code orchard.mdm.sweep-interval}, and at once when Apple confirms licenses or a device enrols) queues the installs
 * of confirmed licenses, the periodic app lists and the auto-updates in the maintenance window.
 */
@Configuration(proxyBeanMethods = false)
public class MdmTasks implements ApplicationRunner {

    static final TaskDescriptor<Void> DELIVERY = TaskDescriptor.of("mdm-delivery");
    static final TaskDescriptor<Void> SWEEP = TaskDescriptor.of("mdm-sweep");
    static final String INSTANCE = "all";
    private static final Logger LOG = LoggerFactory.getLogger(MdmTasks.class);

    private final ObjectProvider<SchedulerClient> scheduler;
    private final dev.orchard.server.system.DurableWork work;
    private final CommandQueue queue;
    private final Clock clock;

    MdmTasks(ObjectProvider<SchedulerClient> scheduler, dev.orchard.server.system.DurableWork work, CommandQueue queue, Clock clock) {
        this.work = work;
        this.scheduler = scheduler;
        this.queue = queue;
        this.clock = clock;
    }

    @Bean
    static Task<Void> mdmDeliveryTask(CommandDispatcher dispatcher, CommandQueue queue, Clock clock) {
        return Tasks.custom(DELIVERY).onDeadExecution(dev.orchard.server.system.Scheduling.reviveNow(clock)).execute((instance, context) -> {
            Instant next;
            try {
                long requests = queue.deliveryRequests();
                dispatcher.deliverDue();
                // a request made while this ran could not reschedule the running instance: run again for it
                next = dispatcher.hasDue() || queue.deliveryRequests() > requests ? clock.instant()
                        : queue.nextAttempt().orElse(null);
            } catch (RuntimeException e) {
                LOG.warn("MDM delivery failed, retrying in a minute: {}", e.toString());
                next = clock.instant().plusSeconds(60);
            }
            if (next == null) {
                return (CompletionHandler<Void>) (complete, ops) -> ops.remove();
            }
            Instant at = next;
            return (CompletionHandler<Void>) (complete, ops) -> ops.reschedule(complete, at);
        });
    }

    @Bean
    static Task<Void> mdmSweepTask(MdmSweep sweep, MdmProperties properties, Clock clock) {
        return Tasks.custom(SWEEP).onDeadExecution(dev.orchard.server.system.Scheduling.reviveNow(clock)).execute((instance, context) -> {
            try {
                sweep.run();
            } catch (RuntimeException e) {
                LOG.warn("MDM sweep failed: {}", e.toString());
            }
            Instant at = clock.instant().plus(properties.sweepInterval());
            return (CompletionHandler<Void>) (complete, ops) -> ops.reschedule(complete, at);
        });
    }

    @Override
    public void run(ApplicationArguments args) {
        scheduler.getObject().scheduleIfNotExists(SWEEP.instance(INSTANCE).scheduledTo(clock.instant()));
    }

    public void deliverNow() {
        queue.requestDelivery();
        if (!work.runNow(DELIVERY, INSTANCE)) {
            LOG.debug("MDM delivery running; it runs again when done");
        }
    }

    void deliverAfterCommit() {
        Scheduling.afterCommit(this::deliverNow);
    }

    void sweepNow() {
        work.runNow(SWEEP, INSTANCE);
    }

    void sweepAfterCommit() {
        Scheduling.afterCommit(this::sweepNow);
    }

    /** Apple confirmed licenses: their installs are due. */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void licensesConfirmed(LicenseEvents.AppleEventProgress e) {
        if (e.success() && "ASSOCIATE".equals(e.action()) && !e.licenses().isEmpty()) {
            sweepNow();
        }
    }
}
