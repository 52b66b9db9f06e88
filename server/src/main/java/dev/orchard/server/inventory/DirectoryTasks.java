package dev.orchard.server.inventory;

import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import dev.orchard.server.system.DurableWork;
import dev.orchard.server.system.Scheduling;

/**
 * The {@code directory-sync} task, one instance per directory source (one node syncs a source at a time): it syncs
 * the source and reschedules itself at the source's interval; a change or a request moves it to now. A removed
 * source's instance removes itself.
 */
@Configuration(proxyBeanMethods = false)
class DirectoryTasks {

    static final TaskDescriptor<Void> SYNC = TaskDescriptor.of("directory-sync");
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryTasks.class);

    private final DurableWork work;

    DirectoryTasks(DurableWork work) {
        this.work = work;
    }

    @Bean
    static Task<Void> directorySyncTask(ObjectProvider<DirectorySourceService> service, DirectorySources sources, DurableWork work,
                                        Clock clock) {
        return Tasks.custom(SYNC).onDeadExecution(Scheduling.reviveNow(clock)).execute((instance, context) -> {
            long id = Long.parseLong(instance.getId());
            var source = sources.find(id);
            if (source.isEmpty()) {
                return (CompletionHandler<Void>) (complete, ops) -> ops.remove();
            }
            try {
                service.getObject().sync(id);
            } catch (RuntimeException e) {
                LOG.warn("Directory source {} not synced: {}", id, e.toString());
            }
            return work.next(false, null, Duration.ofMinutes(source.get().syncMinutes()));
        });
    }

    void syncAfterCommit(long source) {
        work.wakeAfterCommit(SYNC, Long.toString(source));
    }
}
