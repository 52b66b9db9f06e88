package dev.orchard.server.catalog;

import java.time.Clock;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import dev.orchard.server.accounts.AccountBlockedException;
import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.system.DurableWork;
import dev.orchard.server.system.Scheduling;

/**
 * The {@code catalog-refresh} task (one instance per account): app metadata is fetched after a sync, in its own
 * task, so the sync's time is Apple's pages only. A blocked account's refresh moves to the block's end.
 */
@Configuration(proxyBeanMethods = false)
public class CatalogTasks {

    static final TaskDescriptor<Void> CATALOG = TaskDescriptor.of("catalog-refresh");
    private static final Logger LOG = LoggerFactory.getLogger(CatalogTasks.class);

    private final DurableWork work;

    CatalogTasks(DurableWork work) {
        this.work = work;
    }

    @Bean
    static Task<Void> catalogRefreshTask(AppCatalog catalog, Clock clock) {
        return Tasks.custom(CATALOG).onDeadExecution(Scheduling.reviveNow(clock)).execute((instance, context) -> {
            AccountId id = new AccountId(Long.parseLong(instance.getId()));
            try {
                catalog.refreshAccount(id);
            } catch (AccountBlockedException e) {
                Instant at = e.until();
                return (CompletionHandler<Void>) (complete, ops) -> ops.reschedule(complete, at);
            } catch (RuntimeException e) {
                LOG.warn("App metadata of account {} not refreshed: {}", id, e.toString());
            }
            return (CompletionHandler<Void>) (complete, ops) -> ops.remove();
        });
    }

    /** Refreshes the account's app metadata soon (after its sync); a refresh already scheduled stays as it is. */
    public void refreshSoon(AccountId account) {
        work.ensure(CATALOG, account.toString());
    }
}
