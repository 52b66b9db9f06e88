package dev.orchard.server.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.server.TestDatabases;

/**
 * The token lease on both databases, with three "nodes" (lease instances on one database) and four threads each
 * calling as fast as they can for about a second and a half, with the durations scaled down (lease 1 s, fair
 * share 300 ms, quiet 100 ms): at no time do two nodes send, a node starts only after the previous one's last
 * answer is {@code quiet} old, and every node gets turns.
 */
class TokenLeasesTests {

    static final Duration QUIET = Duration.ofMillis(100);

    static Stream<Arguments> databases() {
        return Stream.of(Arguments.of("H2", TestDatabases.h2()), Arguments.of("PostgreSQL", pooled(TestDatabases.postgres())));
    }

    private static DataSource pooled(DataSource ds) {
        var pool = new com.zaxxer.hikari.HikariDataSource();
        pool.setDataSource(ds);
        pool.setMaximumPoolSize(12);
        return pool;
    }

    record Call(String node, Instant start, Instant end) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void oneNodeAtATimeSendsAndTheNextStartsAfterTheQuietTime(String db, DataSource ds) throws Exception {
        JdbcClient jdbc = JdbcClient.create(ds);
        List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        Instant end = Instant.now().plusMillis(1500);
        var threads = new ArrayList<Thread>();
        var failures = Collections.synchronizedList(new ArrayList<Throwable>());
        var start = new CountDownLatch(1);
        var leasesToClose = new ArrayList<TokenLeases>();
        for (String node : List.of("node-a", "node-b", "node-c")) {
            var leases = new TokenLeases(jdbc, node, Instant::now, d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000),
                    Duration.ofMillis(1000), Duration.ofMillis(300), QUIET);
            leasesToClose.add(leases);
            for (int i = 0; i < 4; i++) {
                Thread worker = new Thread(() -> {
                    try {
                        start.await();
                        while (Instant.now().isBefore(end)) {
                            leases.enter("0a1b2c3d");
                            Instant s = Instant.now();
                            TimeUnit.MILLISECONDS.sleep(3); // the request
                            Instant e = Instant.now();
                            leases.exit("0a1b2c3d");
                            calls.add(new Call(node, s, e));
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                });
                worker.start();
                threads.add(worker);
            }
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        leasesToClose.forEach(TokenLeases::close);
        assertThat(failures).isEmpty();

        var sorted = new ArrayList<>(calls);
        sorted.sort(java.util.Comparator.comparing(Call::start));
        // turns: maximal runs of one node's calls; a turn starts at least QUIET after the previous turn's last answer
        int turns = 1;
        Instant lastAnswer = sorted.get(0).end();
        String holder = sorted.get(0).node();
        for (Call c : sorted.subList(1, sorted.size())) {
            if (!c.node().equals(holder)) {
                assertThat(Duration.between(lastAnswer, c.start())).as("%s started after %s's last answer", c.node(), holder)
                        .isGreaterThanOrEqualTo(QUIET.minusMillis(1));
                holder = c.node();
                turns++;
            }
            lastAnswer = max(lastAnswer, c.end());
        }
        assertThat(sorted.stream().map(Call::node).distinct()).as("every node got turns").hasSize(3);
        assertThat(turns).as("nodes take turns instead of one keeping the token").isGreaterThanOrEqualTo(3);
        if (ds instanceof com.zaxxer.hikari.HikariDataSource pool) {
            pool.close();
        }
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
