package dev.orchard.server.licensing;

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
import com.github.kagkarlsson.scheduler.task.schedule.Schedules;

import dev.orchard.server.inventory.InventoryEvents;
import dev.orchard.server.system.Scheduling;
import dev.orchard.server.ledger.LicenseEvents;

/**
 * The licensing pass as one db-scheduler task instance ({@code licensing-pass}/{@code all}), so one node runs it at a
 * time. Any inventory change or freed license moves {@code requested_at} and pulls the task to now; a pass that
 * started before the latest request runs again at once, otherwise the next one is due after
 * {@code orchard.licensing.pass-interval}. {@code licensing-watch} (every 5 s) catches a request that arrived as a
 * pass was finishing.
 */
@Configuration(proxyBeanMethods = false)
public class LicensingTasks implements ApplicationRunner {

    static final TaskDescriptor<Void> PASS = TaskDescriptor.of("licensing-pass");
    static final String INSTANCE = "all";
    private static final Logger LOG = LoggerFactory.getLogger(LicensingTasks.class);

    private final ObjectProvider<SchedulerClient> scheduler;
    private final dev.orchard.server.system.DurableWork work;
    private final LicensingData data;
    private final Clock clock;

    LicensingTasks(ObjectProvider<SchedulerClient> scheduler, dev.orchard.server.system.DurableWork work, LicensingData data, Clock clock) {
        this.work = work;
        this.scheduler = scheduler;
        this.data = data;
        this.clock = clock;
    }

    @Bean
    static Task<Void> licensingPassTask(LicensingEngine engine, LicensingProperties properties, Clock clock) {
        return Tasks.custom(PASS).onDeadExecution(dev.orchard.server.system.Scheduling.reviveNow(clock)).execute((instance, context) -> {
            Instant next;
            try {
                var result = engine.pass();
                next = engine.finishPass(result) ? clock.instant() : clock.instant().plus(properties.passInterval());
            } catch (RuntimeException e) {
                LOG.warn("Licensing pass failed, retrying in a minute: {}", e.toString(), e);
                engine.passFailed(e);
                next = clock.instant().plusSeconds(60);
            }
            Instant at = next;
            return (CompletionHandler<Void>) (complete, ops) -> ops.reschedule(complete, at);
        });
    }

    /**
     * A request that arrives while a pass is finishing can find the task neither reschedulable (still running) nor
     * seen by that pass; this watch pulls the pass forward whenever requests are left unserved.
     */
    @Bean
    static Task<Void> licensingWatch(LicensingData data, ObjectProvider<LicensingTasks> tasks, Clock clock) {
        return Tasks.recurring("licensing-watch", Schedules.fixedDelay(java.time.Duration.ofSeconds(5)))
                .onDeadExecution(dev.orchard.server.system.Scheduling.reviveNow(clock))
                .execute((instance, context) -> {
                    if (data.unserved()) {
                        tasks.getObject().pullPassForward();
                    }
                });
    }

    @Override
    public void run(ApplicationArguments args) {
        scheduler.getObject().scheduleIfNotExists(PASS.instance(INSTANCE).scheduledTo(clock.instant()));
    }

    /** Asks for a pass as soon as possible (a running pass is followed by another). */
    public void requestPass() {
        data.requestPass(clock.instant());
        pullPassForward();
    }

    void pullPassForward() {
        if (!work.runNow(PASS, INSTANCE)) {
            LOG.debug("licensing pass running; it will run again when done");
        }
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void inventoryChanged(InventoryEvents.Changed e) {
        requestPass();
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void licensesAvailable(LicenseEvents.LicensesAvailable e) {
        requestPass();
    }
}
