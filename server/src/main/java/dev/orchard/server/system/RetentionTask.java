package dev.orchard.server.system;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedules;

/**
 * The recurring {@code retention} task: every {@code orchard.retention.interval} each module's {@link Retention}
 * deletes its old finished rows in chunks of {@value #CHUNK}, and the audit trail loses entries older than its
 * policy (none by default). It runs on one node at a time (db-scheduler).
 */
@Configuration(proxyBeanMethods = false)
public class RetentionTask {

    static final int CHUNK = 5000;
    private static final Logger LOG = LoggerFactory.getLogger(RetentionTask.class);

    private final List<Retention> retentions;
    private final Clock clock;

    RetentionTask(List<Retention> retentions, dev.orchard.server.audit.AuditTrail audit, RetentionProperties properties, Clock clock) {
        this.retentions = new java.util.ArrayList<>(retentions);
        // the audit trail is pruned from here: audit is below system, so it cannot implement system's port
        this.retentions.add(new Retention() {
            @Override
            public String what() {
                return "audit entries";
            }

            @Override
            public int prune(Instant now, int limit) {
                return RetentionProperties.prunes(properties.audit()) ? audit.pruneBefore(now.minus(properties.audit()), limit) : 0;
            }
        });
        this.clock = clock;
    }

    @Bean
    static Task<Void> retentionRecurringTask(RetentionProperties properties, org.springframework.beans.factory.ObjectProvider<RetentionTask> task,
                                    Clock clock) {
        return Tasks.recurring("retention", Schedules.fixedDelay(properties.interval()))
                .onDeadExecution(Scheduling.reviveNow(clock))
                .execute((instance, context) -> task.getObject().run());
    }

    /** Prunes every module once; returns the rows deleted per kind. */
    public Map<String, Long> run() {
        Instant now = clock.instant();
        Map<String, Long> deleted = new LinkedHashMap<>();
        for (Retention r : retentions) {
            long total = 0;
            int n;
            do {
                n = r.prune(now, CHUNK);
                total += n;
            } while (n >= CHUNK);
            if (total > 0) {
                deleted.put(r.what(), total);
            }
        }
        if (!deleted.isEmpty()) {
            LOG.info("Retention deleted {}", deleted);
        }
        return deleted;
    }
}
