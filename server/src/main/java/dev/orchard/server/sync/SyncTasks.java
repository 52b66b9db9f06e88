package dev.orchard.server.sync;

import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import dev.orchard.server.accounts.Account;
import dev.orchard.server.accounts.AccountEvents;
import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.accounts.AccountUnavailableException;
import dev.orchard.server.accounts.AccountWork;
import dev.orchard.server.system.DurableWork;
import dev.orchard.server.system.Scheduling;

/**
 * Schedules each account's sync as one db-scheduler task instance ({@code account-sync}, instance = account id):
 * every {@code orchard.sync.interval}, at once after the account is added or renewed, and on request. One
 * instance per account means one node syncs an account at a time; a blocked account's sync moves to the block's
 * end; a run interrupted by a crash is revived by db-scheduler and resumes at its saved page. A request sets the
 * account's {@code wanted} flag and gives a wake-up ({@link DurableWork}); a run takes the flag as it starts, and
 * runs again at once when it was set meanwhile.
 */
@Configuration(proxyBeanMethods = false)
public class SyncTasks implements ApplicationRunner {

    static final TaskDescriptor<Void> SYNC = TaskDescriptor.of("account-sync");
    private static final Logger LOG = LoggerFactory.getLogger(SyncTasks.class);

    private final DurableWork work;
    private final ObjectProvider<AccountService> accounts;
    private final SyncStates states;

    SyncTasks(DurableWork work, ObjectProvider<AccountService> accounts, SyncStates states) {
        this.work = work;
        this.accounts = accounts;
        this.states = states;
    }

    @Bean
    static Task<Void> accountSyncTask(AccountSync sync, SyncStates states, SyncProperties properties, DurableWork work, Clock clock,
                                      ObjectProvider<dev.orchard.server.catalog.CatalogTasks> catalog) {
        return Tasks.custom(SYNC).onDeadExecution(Scheduling.reviveNow(clock)).execute((instance, context) ->
                AccountWork.run("Sync", new AccountId(Long.parseLong(instance.getId())), clock, Duration.ofMinutes(5), id -> {
                    states.takeWanted(id);
                    AccountSync.Outcome outcome;
                    try {
                        outcome = sync.run(id);
                    } catch (AccountUnavailableException e) {
                        LOG.info("Sync of account {} skipped: {}", id, e.getMessage());
                        return work.next(false, null, properties.interval());
                    }
                    catalog.getObject().refreshSoon(id);
                    return work.next(states.wanted(id), outcome.fullNeededAgain() ? clock.instant().plus(Duration.ofMinutes(1)) : null,
                            properties.interval());
                }));
    }

    /**
     * Every account has its sync and its notification worker scheduled (accounts added before this version, or by
     * another node), and a sync wanted when the last node stopped runs at once.
     */
    @Override
    public void run(ApplicationArguments args) {
        for (Account a : accounts.getObject().list()) {
            work.ensure(NotificationProcessor.WORKER, a.id().toString());
            work.ensure(SYNC, a.id().toString());
            if (states.wanted(a.id())) {
                work.wake(SYNC, a.id().toString());
            }
        }
    }

    @EventListener
    void added(AccountEvents.AccountAdded event) {
        work.ensure(NotificationProcessor.WORKER, event.account().toString());
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

    /** Runs the account's sync as soon as Apple allows; {@code full} forces a full read. Called outside transactions. */
    public void syncNow(AccountId id, boolean full) {
        if (full) {
            states.requestFull(id);
        }
        states.want(id);
        work.wake(SYNC, id.toString());
    }
}
