package dev.orchard.server.licensing;

import java.time.Clock;

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

import dev.orchard.server.inventory.InventoryEvents;
import dev.orchard.server.system.DurableWork;
import dev.orchard.server.system.Scheduling;
import dev.orchard.server.ledger.LicenseEvents;

/**
 * The licensing pass as one db-scheduler task instance ({@code licensing-pass}/{@code all}), so one node runs it at a
 * time. Whoever changes what the pass decides (an inventory change, a freed license, an administrator) sets the
 * pass's {@code wanted} flag and gives a wake-up ({@link DurableWork}); a pass clears the flag as it starts, and when
 * it is set again by the time the pass ends another runs at once, else the next is due after
 * {@code orchard.licensing.pass-interval}.
 */
@Configuration(proxyBeanMethods = false)
public class LicensingTasks implements ApplicationRunner {

    static final TaskDescriptor<Void> PASS = TaskDescriptor.of("licensing-pass");
    static final String INSTANCE = "all";
    private static final Logger LOG = LoggerFactory.getLogger(LicensingTasks.class);

    private final DurableWork work;
    private final LicensingData data;
    private final Clock clock;

    LicensingTasks(DurableWork work, LicensingData data, Clock clock) {
        this.work = work;
        this.data = data;
        this.clock = clock;
    }

    @Bean
    static Task<Void> licensingPassTask(LicensingEngine engine, LicensingProperties properties, DurableWork work, Clock clock) {
        return Tasks.custom(PASS).onDeadExecution(Scheduling.reviveNow(clock)).execute((instance, context) -> {
            try {
                var result = engine.pass();
                return work.next(engine.finishPass(result), null, properties.passInterval());
            } catch (RuntimeException e) {
                LOG.warn("Licensing pass failed, retrying in a minute: {}", e.toString(), e);
                engine.passFailed(e);
                return work.next(false, clock.instant().plusSeconds(60), properties.passInterval());
            }
        });
    }

    /** The pass is scheduled, and runs at once when it was wanted when the last node stopped. */
    @Override
    public void run(ApplicationArguments args) {
        work.ensure(PASS, INSTANCE);
        if (data.wanted()) {
            work.wake(PASS, INSTANCE);
        }
    }

    /** Asks for a pass as soon as possible (a running pass is followed by another). */
    public void requestPass() {
        data.requestPass(clock.instant());
        work.wake(PASS, INSTANCE);
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
