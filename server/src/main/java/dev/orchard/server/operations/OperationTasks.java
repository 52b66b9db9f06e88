package dev.orchard.server.operations;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedules;

import dev.orchard.server.accounts.AccountBlockedException;
import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountProblem;
import dev.orchard.server.accounts.AccountUnavailableException;
import dev.orchard.server.system.Scheduling;

/**
 * db-scheduler tasks of the outbox: {@code apple-operations} (instance = account id) sends an account's due work, so
 * one node sends for an account at a time and two nodes never send the same operation; it waits out a Retry-After
 * block by rescheduling itself to the block's end. {@code apple-operations-watch} (every 10 s) polls the status of
 * operations no notification completed within 5 minutes (then every 30 s), retries those still pending after 10
 * minutes, and makes sure every account with due work has its dispatch scheduled (after a restart, a grace period).
 */
@Configuration(proxyBeanMethods = false)
public class OperationTasks {

    static final TaskDescriptor<Void> DISPATCH = TaskDescriptor.of("apple-operations");
    private static final Logger LOG = LoggerFactory.getLogger(OperationTasks.class);

    private final ObjectProvider<SchedulerClient> scheduler;
    private final dev.orchard.server.system.DurableWork work;
    private final Clock clock;

    OperationTasks(ObjectProvider<SchedulerClient> scheduler, dev.orchard.server.system.DurableWork work, Clock clock) {
        this.work = work;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    @Bean
    static Task<Void> appleOperationsTask(Dispatcher dispatcher, Clock clock) {
        return Tasks.custom(DISPATCH).onDeadExecution(dev.orchard.server.system.Scheduling.reviveNow(clock)).execute((instance, context) -> {
            AccountId account = new AccountId(Long.parseLong(instance.getId()));
            Instant retryAt;
            try {
                dispatcher.dispatch(account);
                // a report applied while this ran may have queued work and found this task not reschedulable
                if (!dispatcher.hasDueWork(account)) {
                    return (CompletionHandler<Void>) (complete, ops) -> ops.remove();
                }
                retryAt = clock.instant();
            } catch (AccountBlockedException e) {
                retryAt = e.until();
                LOG.info("Apple operations of account {} wait until {}", account, retryAt);
            } catch (AccountUnavailableException e) {
                retryAt = clock.instant().plus(Duration.ofMinutes(5));
                LOG.info("Apple operations of account {} wait: {}", account, e.getMessage());
            } catch (AccountProblem e) {
                if (e.kind() == AccountProblem.Kind.NOT_FOUND) {
                    return (complete, ops) -> ops.remove();
                }
                retryAt = clock.instant().plus(Duration.ofMinutes(1));
            } catch (RuntimeException e) {
                LOG.warn("Apple operations of account {} failed, retrying in a minute: {}", account, e.toString());
                retryAt = clock.instant().plus(Duration.ofMinutes(1));
            }
            Instant at = retryAt;
            return (CompletionHandler<Void>) (complete, ops) -> ops.reschedule(complete, at);
        });
    }

    @Bean
    static Task<Void> appleOperationsWatch(StatusPoller poller, Clock clock) {
        return Tasks.recurring("apple-operations-watch", Schedules.fixedDelay(Duration.ofSeconds(10)))
                .onDeadExecution(dev.orchard.server.system.Scheduling.reviveNow(clock))
                .execute((instance, context) -> poller.watch());
    }

    /** Pulls the account's dispatch to now (when it is running, the watch picks up what arrived meanwhile). */
    public void dispatchNow(AccountId account) {
        if (!work.runNow(DISPATCH, account.toString())) {
            LOG.debug("operations of account {} are being sent", account);
        }
    }
}
