package dev.orchard.server.accounts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

/**
 * The bodies of the per-account tasks. A task that meets a blocked account is rescheduled to the block's end, so
 * deferred work resumes by itself and is never sent early; other failures are retried later.
 */
@Configuration(proxyBeanMethods = false)
class AccountTaskDefinitions {

    private static final Logger LOG = LoggerFactory.getLogger(AccountTaskDefinitions.class);
    static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(5);

    @Bean
    Task<Void> accountRefreshTask(AccountService service, AccountsProperties properties, Clock clock) {
        return Tasks.custom(AccountTasks.REFRESH).onDeadExecution(dev.orchard.server.system.Scheduling.reviveNow(clock)).execute((instance, context) ->
                run(new AccountId(Long.parseLong(instance.getId())), service::refresh, clock,
                        clock.instant().plus(properties.refreshInterval()), true));
    }

    @Bean
    Task<Void> accountDeleteTask(AccountService service, Clock clock) {
        return Tasks.custom(AccountTasks.DELETE).onDeadExecution(dev.orchard.server.system.Scheduling.reviveNow(clock)).execute((instance, context) ->
                run(new AccountId(Long.parseLong(instance.getId())), service::revokeAndDelete, clock, null, false));
    }

    /**
     * Runs one account's work and decides what happens next: {@code next} (or removal when null) on success,
     * the block's end when blocked, a later retry on failure, removal when the account is gone.
     */
    static CompletionHandler<Void> run(AccountId id, Consumer<AccountId> work, Clock clock, Instant next,
                                       boolean keepOnUnavailable) {
        Instant when;
        try {
            work.accept(id);
            when = next;
        } catch (AccountBlockedException e) {
            when = e.until();
            LOG.info("Deferred work for account {} until {}", id, when);
        } catch (AccountUnavailableException e) {
            LOG.info("Work for account {} skipped: {}", id, e.getMessage());
            when = keepOnUnavailable ? next : clock.instant().plus(RETRY_AFTER_FAILURE);
        } catch (AccountProblem e) {
            if (e.kind() == AccountProblem.Kind.NOT_FOUND) {
                return (complete, ops) -> ops.remove();
            }
            LOG.warn("Work for account {} failed, retrying in {}: {}", id, RETRY_AFTER_FAILURE, e.getMessage());
            when = clock.instant().plus(RETRY_AFTER_FAILURE);
        } catch (RuntimeException e) {
            LOG.warn("Work for account {} failed, retrying in {}: {}", id, RETRY_AFTER_FAILURE, e.toString());
            when = clock.instant().plus(RETRY_AFTER_FAILURE);
        }
        Instant at = when;
        return at == null ? (complete, ops) -> ops.remove() : (complete, ops) -> ops.reschedule(complete, at);
    }
}
