package dev.orchard.server.mdm;

import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import dev.orchard.server.ledger.LicenseEvents;
import dev.orchard.server.system.DurableWork;
import dev.orchard.server.system.Scheduling;

/**
 * db-scheduler tasks of the MDM integration, one instance each so one node runs them at a time, both in the idiom
 * of {@link DurableWork}: {@code mdm-delivery} drains the due commands, runs again at once while any are due, else
 * when the next retry falls due (at the latest after a minute); {@code mdm-sweep} (every
 * {@code orchard.mdm.sweep-interval}, and at once when Apple confirms licenses or a device enrols) queues the installs
 * of confirmed licenses, the periodic app lists and the auto-updates in the maintenance window.
 */
@Configuration(proxyBeanMethods = false)
public class MdmTasks implements ApplicationRunner {

    static final TaskDescriptor<Void> DELIVERY = TaskDescriptor.of("mdm-delivery");
    static final TaskDescriptor<Void> SWEEP = TaskDescriptor.of("mdm-sweep");
    static final String INSTANCE = "all";
    /** How long the delivery waits at most before it looks for due commands whose wake-up was lost. */
    static final Duration DELIVERY_SAFETY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(MdmTasks.class);

    private final DurableWork work;

    MdmTasks(DurableWork work) {
        this.work = work;
    }

    @Bean
    static Task<Void> mdmDeliveryTask(CommandDispatcher dispatcher, CommandQueue queue, DurableWork work, Clock clock) {
        return Tasks.custom(DELIVERY).onDeadExecution(Scheduling.reviveNow(clock)).execute((instance, context) -> {
            try {
                dispatcher.deliverDue();
                return work.next(dispatcher.hasDue(), queue.nextAttempt().orElse(null), DELIVERY_SAFETY);
            } catch (RuntimeException e) {
                LOG.warn("MDM delivery failed, retrying in a minute: {}", e.toString());
                return work.next(false, null, DELIVERY_SAFETY);
            }
        });
    }

    @Bean
    static Task<Void> mdmSweepTask(MdmSweep sweep, MdmProperties properties, DurableWork work, Clock clock) {
        return Tasks.custom(SWEEP).onDeadExecution(Scheduling.reviveNow(clock)).execute((instance, context) -> {
            try {
                sweep.run();
            } catch (RuntimeException e) {
                LOG.warn("MDM sweep failed: {}", e.toString());
            }
            return work.next(false, null, properties.sweepInterval());
        });
    }

    @Override
    public void run(ApplicationArguments args) {
        work.ensure(SWEEP, INSTANCE);
        work.ensure(DELIVERY, INSTANCE);
    }

    public void deliverNow() {
        work.wake(DELIVERY, INSTANCE);
    }

    void deliverAfterCommit() {
        work.wakeAfterCommit(DELIVERY, INSTANCE);
    }

    void sweepNow() {
        work.wake(SWEEP, INSTANCE);
    }

    void sweepAfterCommit() {
        work.wakeAfterCommit(SWEEP, INSTANCE);
    }

    /** Apple confirmed licenses: their installs are due. */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void licensesConfirmed(LicenseEvents.AppleEventProgress e) {
        if (e.success() && "ASSOCIATE".equals(e.action()) && !e.licenses().isEmpty()) {
            sweepNow();
        }
    }
}
