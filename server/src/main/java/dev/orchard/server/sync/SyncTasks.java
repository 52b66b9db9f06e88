package dev.orchard.server.sync;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import dev.orchard.server.accounts.Account;
import dev.orchard.server.accounts.AccountBlockedException;
import dev.orchard.server.accounts.AccountEvents;
import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountProblem;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.accounts.AccountUnavailableException;
import dev.orchard.server.system.Scheduling;

/**
 * Schedules each account's sync as one db-scheduler task instance ({@code account-sync}, instance = account id):
 * every {@code orchard.sync.interval}, at once after the account is added or renewed, and on request. One
 * instance per account means one node syncs an account at a time; a blocked account's sync moves to the block's
 * end; a run interrupted by a crash is revived by db-scheduler and resumes at its saved page.
 */
@Configuration(proxyBeanMethods = false)
public class SyncTasks implements ApplicationRunner {

    static final TaskDescriptor<Void> SYNC = TaskDescriptor.of("account-sync");
    private static final Logger LOG = LoggerFactory.getLogger(SyncTasks.class);

    private final ObjectProvider<SchedulerClient> scheduler;
    private final dev.orchard.server.system.DurableWork work;
    private final ObjectProvider<AccountService> accounts;
    private final SyncStates states;
    private final SyncProperties properties;
    private final Clock clock;

    SyncTasks(ObjectProvider<SchedulerClient> scheduler, dev.orchard.server.system.DurableWork work, ObjectProvider<AccountService> accounts, SyncStates states,
              SyncProperties properties, Clock clock) {
        this.work = work;
        this.scheduler = scheduler;
        this.accounts = accounts;
        this.states = states;
        this.properties = properties;
        this.clock = clock;
    }

    @Bean
    static Task<Void> accountSyncTask(AccountSync sync, SyncStates states, SyncProperties properties, Clock clock,
                                      ObjectProvider<dev.orchard.server.catalog.CatalogTasks> catalog) {
        return Tasks.custom(SYNC).onDeadExecution(dev.orchard.server.system.Scheduling.reviveNow(clock)).execute((instance, context) -> {
            AccountId id = new AccountId(Long.parseLong(instance.getId()));
            long requestsBefore = states.requests(id);
            Instant when;
            try {
                var outcome = sync.run(id);
                catalog.getObject().refreshSoon(id);
                // a request that arrived while this ran could not move the running instance: run again now
                when = states.requests(id) > requestsBefore ? clock.instant()
                        : outcome.fullNeededAgain() ? clock.instant().plus(Duration.ofMinutes(1))
                        : clock.instant().plus(properties.interval());
            } catch (AccountBlockedException e) {
                when = e.until();
                LOG.info("Sync of account {} waits for Apple until {}", id, when);
            } catch (AccountUnavailableException e) {
                LOG.info("Sync of account {} skipped: {}", id, e.getMessage());
                when = clock.instant().plus(properties.interval());
            } catch (AccountProblem e) {
                if (e.kind() == AccountProblem.Kind.NOT_FOUND) {
                    return (complete, ops) -> ops.remove();
                }
                LOG.warn("Sync of account {} failed: {}", id, e.getMessage());
                when = clock.instant().plus(Duration.ofMinutes(5));
            } catch (RuntimeException e) {
                LOG.warn("Sync of account {} failed, retrying in 5 minutes: {}", id, e.toString());
                when = clock.instant().plus(Duration.ofMinutes(5));
            }
            Instant at = when;
            return (CompletionHandler<Void>) (complete, ops) -> ops.reschedule(complete, at);
        });
    }

    /** Every account has its sync scheduled (accounts added before this version, or by another node). */
    @Override
    public void run(ApplicationArguments args) {
        for (Account a : accounts.getObject().list()) {
            scheduler.getObject().scheduleIfNotExists(SYNC.instance(a.id().toString()).scheduledTo(clock.instant()));
        }
    }

    @EventListener
    void added(AccountEvents.AccountAdded event) {
        syncNow(event.account(), false);
    }

    @EventListener
    void renewed(AccountEvents.AccountRenewed event) {
        syncNow(event.account(), false);
    }

    /** Apple's refusal contradicted Orchard's count of a pool: read Apple's counts (and the assignments behind them) again. */
    @org.springframework.transaction.event.TransactionalEventListener(
            phase = org.springframework.transaction.event.TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void countContradicted(dev.orchard.server.ledger.LicenseEvents.CountContradicted event) {
        LOG.info("Apple has no license of {} ({}) left in account {} although Orchard counted some: reading the account again",
                event.adamId(), event.pricingParam(), event.account());
        syncNow(event.account(), false);
    }

    /** Runs the account's sync as soon as Apple allows; {@code full} forces a full read. */
    public void syncNow(AccountId id, boolean full) {
        if (full) {
            states.requestFull(id);
        }
        states.requested(id);
        if (!work.runNow(SYNC, id.toString())) {
            LOG.debug("sync of account {} is running; it runs again when done", id);
        }
    }
}
