package dev.orchard.server.system;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.boot.config.DbSchedulerCustomizer;
import com.github.kagkarlsson.scheduler.boot.config.DbSchedulerProperties;

/**
 * This node's name in db-scheduler ({@code db-scheduler.scheduler-name}, else the host name), and the release of
 * its own stale picks before its scheduler starts. Work this node was running when it died or was stopped stays
 * "picked" under its name until db-scheduler's dead-execution detection fires; a node that starts again under the
 * same name knows that nothing of its own is running yet and hands that work back at once, so a restart resumes
 * within one polling interval instead of after the detection's delay. Other nodes' picks are left to that detection
 * ({@code heartbeat-interval} × {@code missed-heartbeats-limit}).
 *
 * <p>Two running nodes must not share a name. If a pick under this name still has a moving heartbeat, another live
 * node uses it: that pick is left alone and the clash is logged.
 */
@Component
@DependsOnDatabaseInitialization
public class SchedulerNode implements DbSchedulerCustomizer {

    private static final Logger LOG = LoggerFactory.getLogger(SchedulerNode.class);

    private record Pick(String task, String instance, Timestamp heartbeat) {
    }

    private final String name;

    SchedulerNode(JdbcClient jdbc, DbSchedulerProperties properties, java.time.Clock clock) {
        String configured = properties.getSchedulerName();
        this.name = configured == null || configured.isBlank() ? new SchedulerName.Hostname().getName() : configured;
        releaseOwnPicks(jdbc, properties.getHeartbeatInterval(), clock);
    }

    /** The name this node's scheduler runs under (db-scheduler's {@code picked_by}). */
    public String name() {
        return name;
    }

    @Override
    public Optional<SchedulerName> schedulerName() {
        return Optional.of(new SchedulerName.Fixed(name));
    }

    /** Heartbeats are written with db-scheduler's clock, which is Orchard's ({@code SystemConfiguration}). */
    private void releaseOwnPicks(JdbcClient jdbc, Duration heartbeat, java.time.Clock clock) {
        List<Pick> picks = picks(jdbc);
        if (picks.isEmpty()) {
            return;
        }
        Instant recent = clock.instant().minus(heartbeat.multipliedBy(2));
        if (picks.stream().anyMatch(p -> p.heartbeat() != null && p.heartbeat().toInstant().isAfter(recent))) {
            // a heartbeat this fresh is a node that died a moment ago, or a live twin: watch it beat once or not
            sleep(heartbeat.multipliedBy(2).plusMillis(500));
        }
        int released = 0;
        for (Pick p : picks) {
            if (handBack(jdbc, p.task(), p.instance(), name, p.heartbeat())) {
                released++;
            } else {
                LOG.error("Another running node uses the scheduler name '{}' ({} / {} has a live heartbeat): give every node "
                        + "its own db-scheduler.scheduler-name", name, p.task(), p.instance());
            }
        }
        LOG.info("Handed back {} task(s) this node ('{}') was running when it stopped", released, name);
    }

    /**
     * Hands a run back (not picked, due at once, its version counted up so the node that had it can no longer
     * complete it) if it is still picked by {@code node} with this {@code heartbeat}: a heartbeat that moved meanwhile
     * is a live node, and its run is left alone. True when handed back.
     */
    static boolean handBack(JdbcClient jdbc, String task, String instance, String node, Timestamp heartbeat) {
        return jdbc.sql("""
                update scheduled_tasks set picked = false, picked_by = null, last_heartbeat = null, version = version + 1
                where task_name = ? and task_instance = ? and picked = true and picked_by = ?
                  and (last_heartbeat is null or last_heartbeat = ?)
                """).params(task, instance, node, heartbeat).update() == 1;
    }

    private List<Pick> picks(JdbcClient jdbc) {
        return jdbc.sql("select task_name, task_instance, last_heartbeat from scheduled_tasks where picked = true and picked_by = ?")
                .param(name).query((rs, n) -> new Pick(rs.getString(1), rs.getString(2), rs.getTimestamp(3))).list();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
