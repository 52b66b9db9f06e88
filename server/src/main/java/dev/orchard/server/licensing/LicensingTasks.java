package dev.orchard.server.licensing;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import dev.orchard.server.accounts.AccountEvents;
import dev.orchard.server.inventory.InventoryEvents;
import dev.orchard.server.ledger.Holder;
import dev.orchard.server.ledger.LicenseEvents;
import dev.orchard.server.system.DurableWork;
import dev.orchard.server.system.NodeStopping;
import dev.orchard.server.system.Scheduling;

/**
 * The licensing pass as one db-scheduler task instance ({@code licensing-pass}/{@code all}), so one node runs it at a
 * time. A change records what it reached ({@link PassRequests}, in the change's transaction) and gives a wake-up
 * ({@link DurableWork}). A run does a full pass when one is wanted (set by a change that can reach any target, or
 * an administrator) or due ({@code orchard.licensing.full-pass-interval} after the last); otherwise it serves the
 * recorded subjects, the oldest first, and runs again at once while any remain. With nothing recorded it looks again
 * after {@code orchard.licensing.pass-interval}.
 */
@Configuration(proxyBeanMethods = false)
public class LicensingTasks implements ApplicationRunner {

    static final TaskDescriptor<Void> PASS = TaskDescriptor.of("licensing-pass");
    static final String INSTANCE = "all";
    private static final Logger LOG = LoggerFactory.getLogger(LicensingTasks.class);

    private final DurableWork work;
    private final LicensingData data;
    private final PassRequests requests;

    LicensingTasks(DurableWork work, LicensingData data, PassRequests requests) {
        this.work = work;
        this.data = data;
        this.requests = requests;
    }

    @Bean
    static Task<Void> licensingPassTask(LicensingEngine engine, LicensingProperties properties, DurableWork work, Clock clock) {
        return Tasks.custom(PASS).onDeadExecution(Scheduling.reviveNow(clock)).execute((instance, context) -> {
            boolean full = engine.fullPassDue(properties.fullPassInterval());
            try {
                boolean more = full ? engine.finishPass(engine.pass()) : engine.changes();
                return work.next(more, engine.nextFullPass(properties.fullPassInterval()), properties.passInterval());
            } catch (NodeStopping.Stopped e) {
                LOG.info("Licensing pass handed back: this node is stopping (the pass is owed and runs again)");
                return work.next(true, null, properties.passInterval());
            } catch (RuntimeException e) {
                LOG.warn("Licensing pass failed, retrying in a minute: {}", e.toString(), e);
                engine.passFailed(e, full);
                return work.next(false, clock.instant().plusSeconds(60), properties.passInterval());
            }
        });
    }

    /** The pass is scheduled, and runs at once when work was left when the last node stopped. */
    @Override
    public void run(ApplicationArguments args) {
        work.ensure(PASS, INSTANCE);
        if (data.fullPassOwed() || data.subjectsPending()) {
            work.wake(PASS, INSTANCE);
        }
    }

    /** Asks for a full pass as soon as possible (a running pass is followed by another). */
    public void requestPass() {
        requests.full();
    }

    @EventListener
    void inventoryChanged(InventoryEvents.Changed e) {
        if (e.everything()) {
            requests.full();
        } else {
            requests.devices(e.serials());
            requests.users(e.users());
        }
    }

    @EventListener
    void licensesAvailable(LicenseEvents.LicensesAvailable e) {
        requests.waitingFor(e.adamId());
        requests.devices(e.released().stream().filter(h -> h instanceof Holder.Device).map(Holder::value).toList());
        requests.users(e.released().stream().filter(h -> h instanceof Holder.User).map(Holder::value).toList());
    }

    @EventListener
    void accountServingChanged(AccountEvents.ServingChanged e) {
        requests.full();
    }

    @EventListener
    void accountDeleted(AccountEvents.AccountDeleted e) {
        requests.full();
    }
}
