package dev.orchard.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.github.kagkarlsson.scheduler.boot.config.DbSchedulerProperties;

import dev.orchard.server.TestDatabases;

/**
 * A node starting under its name hands back the work it had picked before it stopped, and leaves alone the picks
 * of other nodes and of a live node that (wrongly) shares its name. On both databases.
 */
class SchedulerNodeTests {

    static Stream<Arguments> databases() {
        return Stream.of(Arguments.of("H2", TestDatabases.h2()), Arguments.of("PostgreSQL", TestDatabases.postgres()));
    }

    private static void picked(JdbcClient jdbc, String instance, String by, Instant heartbeat) {
        jdbc.sql("""
                insert into scheduled_tasks (task_name, task_instance, execution_time, picked, picked_by, last_heartbeat, version)
                values ('account-sync', ?, ?, true, ?, ?, 3)
                """).params(instance, Timestamp.from(Instant.now().minusSeconds(60)), by, Timestamp.from(heartbeat)).update();
    }

    private static Boolean isPicked(JdbcClient jdbc, String instance) {
        return jdbc.sql("select picked from scheduled_tasks where task_instance = ?").param(instance).query(Boolean.class).single();
    }

    private static DbSchedulerProperties named(String name) {
        var p = new DbSchedulerProperties();
        p.setSchedulerName(name);
        p.setHeartbeatInterval(Duration.ofMillis(200));
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void ownStalePicksAreHandedBackAtStartAndOthersAreLeftAlone(String db, DataSource ds) {
        JdbcClient jdbc = JdbcClient.create(ds);
        picked(jdbc, "1", "node-a", Instant.now().minusSeconds(30));
        picked(jdbc, "2", "node-a", Instant.now().minusMillis(100)); // died a moment ago
        picked(jdbc, "3", "node-b", Instant.now().minusSeconds(30));

        var node = new SchedulerNode(jdbc, named("node-a"), java.time.Clock.systemUTC());

        assertThat(node.name()).isEqualTo("node-a");
        assertThat(isPicked(jdbc, "1")).isFalse();
        assertThat(isPicked(jdbc, "2")).isFalse();
        assertThat(isPicked(jdbc, "3")).as("another node's pick: db-scheduler's dead-execution detection decides").isTrue();
        assertThat(jdbc.sql("select version from scheduled_tasks where task_instance = '1'").query(Long.class).single()).isEqualTo(4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aLiveNodeSharingTheNameKeepsItsPick(String db, DataSource ds) throws Exception {
        JdbcClient jdbc = JdbcClient.create(ds);
        picked(jdbc, "7", "node-a", Instant.now());
        var running = new AtomicBoolean(true);
        Thread twin = new Thread(() -> {
            while (running.get()) { // the live twin's scheduler beats every 100 ms
                jdbc.sql("update scheduled_tasks set last_heartbeat = ? where task_instance = '7'").param(Timestamp.from(Instant.now())).update();
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
            }
        });
        twin.start();
        try {
            new SchedulerNode(jdbc, named("node-a"), java.time.Clock.systemUTC());
        } finally {
            running.set(false);
            twin.join();
        }
        assertThat(isPicked(jdbc, "7")).isTrue();
    }
}
