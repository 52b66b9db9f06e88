package dev.orchard.server.operations;

import java.time.Clock;
import java.time.Duration;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.accounts.AccountWork;
import dev.orchard.server.ledger.LicenseEvents;
import dev.orchard.server.system.DurableWork;
import dev.orchard.server.system.Scheduling;

/**
 * The account's Apple worker, {@code apple-worker} (instance = account id), in the idiom of {@link DurableWork}: one
 * node at a time does all of an account's outbox work ({@link AppleWorker}): it applies reports that overtook their
 * operation, closes what a sync already settled, polls the status of operations no notification completed within 5
 * minutes (then every 30 s), sends again what is still pending after 10, then sends the due targets. It runs again at
 * once while work is due, else when the next target or status check falls due, at the latest after
 * {@link #SAFETY}; a Retry-After block moves it to the block's end. It is woken by queued targets, by Apple users
 * registered (whichever path registered them) and by a finished read of the account.
 */
@Configuration(proxyBeanMethods = false)
public class OperationTasks implements ApplicationRunner {

    static final TaskDescriptor<Void> WORKER = TaskDescriptor.of("apple-worker");
    /** How long the worker waits at most before it looks again for work whose wake-up was lost. */
    static final Duration SAFETY = Duration.ofMinutes(1);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OperationTasks.class);

    private final DurableWork work;
    private final OperationStore store;
    private final Clock clock;

    OperationTasks(DurableWork work, OperationStore store, Clock clock) {
        this.work = work;
        this.store = store;
        this.clock = clock;
    }

    @Bean
    static Task<Void> appleWorkerTask(AppleWorker worker, AccountService accounts, DurableWork work, Clock clock) {
        return Tasks.custom(WORKER).onDeadExecution(Scheduling.reviveNow(clock)).execute((instance, context) ->
                AccountWork.run("Apple work", new AccountId(Long.parseLong(instance.getId())), clock, Duration.ofMinutes(1), account -> {
                    accounts.get(account); // a deleted account's worker ends (AccountProblem NOT_FOUND)
                    worker.run(account);
                    return work.next(worker.hasDueWork(account), worker.nextDue(account), SAFETY);
                }));
    }

    /**
     * At start: the status of operations Apple is working on is read at once (their notifications may have come while
     * this node was down), and every account with open outbox work has its worker (after an upgrade, or a wake-up
     * lost in a crash).
     */
    @Override
    public void run(ApplicationArguments args) {
        int checked = store.checkSentNow(clock.instant());
        if (checked > 0) {
            LOG.info("Reading the status of {} operation(s) Apple was working on: their notifications may have come while no node listened",
                    checked);
        }
        store.accountsWithOpenWork().forEach(id -> work.wake(WORKER, Long.toString(id)));
    }

    /** Pulls the account's worker to now (a running one runs again when it ends). */
    public void dispatchNow(AccountId account) {
        work.wake(WORKER, account.toString());
    }

    void dispatchAfterCommit(AccountId account) {
        work.wakeAfterCommit(WORKER, account.toString());
    }

    /** Apple users became active: associations that waited for them are due. */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void appleUsersRegistered(LicenseEvents.AppleUsersRegistered e) {
        dispatchNow(e.account());
    }
}
