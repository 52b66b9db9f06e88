package dev.orchard.server.accounts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import dev.orchard.server.system.Scheduling;

/**
 * The bodies of the per-account tasks, under {@link AccountWork}'s error ladder: the refresh runs again after
 * {@code orchard.accounts.refresh-interval} (also when the account cannot be used now: renewing it asks for a refresh);
 * the deletion is removed once done.
 */
@Configuration(proxyBeanMethods = false)
class AccountTaskDefinitions {

    static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(5);

    @Bean
    Task<Void> accountRefreshTask(AccountService service, AccountsProperties properties, Clock clock) {
        return Tasks.custom(AccountTasks.REFRESH).onDeadExecution(Scheduling.reviveNow(clock)).execute((instance, context) ->
                AccountWork.run("Refresh", new AccountId(Long.parseLong(instance.getId())), clock, RETRY_AFTER_FAILURE, id -> {
                    Instant next = clock.instant().plus(properties.refreshInterval());
                    try {
                        service.refresh(id);
                    } catch (AccountUnavailableException e) {
                        LoggerFactory.getLogger(AccountTaskDefinitions.class).info("Refresh of account {} skipped: {}", id, e.getMessage());
                    }
                    return (complete, ops) -> ops.reschedule(complete, next);
                }));
    }

    @Bean
    Task<Void> accountDeleteTask(AccountService service, Clock clock) {
        return Tasks.custom(AccountTasks.DELETE).onDeadExecution(Scheduling.reviveNow(clock)).execute((instance, context) ->
                AccountWork.run("Deletion", new AccountId(Long.parseLong(instance.getId())), clock, RETRY_AFTER_FAILURE, id -> {
                    service.revokeAndDelete(id);
                    return (complete, ops) -> ops.remove();
                }));
    }
}
