package dev.orchard.server.accounts;

import java.time.Clock;
import java.time.Instant;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;

import dev.orchard.server.system.DurableWork;

/**
 * Durable per-account work, kept in db-scheduler's table so it survives restarts and runs once across nodes:
 * {@code account-refresh} re-reads an account from Apple every {@code orchard.accounts.refresh-interval} (and on
 * request); {@code account-delete} revokes Orchard's licenses and deletes the account.
 */
@Component
public class AccountTasks implements ApplicationRunner {

    static final TaskDescriptor<Void> REFRESH = TaskDescriptor.of("account-refresh");
    static final TaskDescriptor<Void> DELETE = TaskDescriptor.of("account-delete");

    private final ObjectProvider<SchedulerClient> scheduler;
    private final DurableWork work;
    private final Accounts accounts;
    private final AccountsProperties properties;
    private final Clock clock;

    AccountTasks(ObjectProvider<SchedulerClient> scheduler, DurableWork work, Accounts accounts, AccountsProperties properties,
                 Clock clock) {
        this.scheduler = scheduler;
        this.work = work;
        this.accounts = accounts;
        this.properties = properties;
        this.clock = clock;
    }

    /** Every account has its refresh scheduled, also those added before this version or by another node. */
    @Override
    public void run(ApplicationArguments args) {
        Instant next = clock.instant().plus(properties.refreshInterval());
        for (Account account : accounts.list()) {
            scheduler.getObject().scheduleIfNotExists(REFRESH.instance(account.id().toString()).scheduledTo(next));
            if (account.recordedState() == AccountState.DELETING) {
                work.ensure(DELETE, account.id().toString());
            }
        }
    }

    /** Runs the account's refresh as soon as possible (a block still defers it to its end). */
    void refreshSoon(AccountId id) {
        work.wake(REFRESH, id.toString());
    }

    void refreshLater(AccountId id) {
        scheduler.getObject().scheduleIfNotExists(REFRESH.instance(id.toString())
                .scheduledTo(clock.instant().plus(properties.refreshInterval())));
    }

    void deleteSoon(AccountId id) {
        work.wake(DELETE, id.toString());
    }

    void forget(AccountId id) {
        SchedulerClient client = scheduler.getObject();
        client.getScheduledExecution(REFRESH.instanceId(id.toString())).ifPresent(e -> cancelQuietly(client, REFRESH, id));
    }

    private static void cancelQuietly(SchedulerClient client, TaskDescriptor<Void> task, AccountId id) {
        try {
            client.cancel(task.instanceId(id.toString()));
        } catch (RuntimeException e) {
            // running right now: it will find the account gone and end
        }
    }
}
