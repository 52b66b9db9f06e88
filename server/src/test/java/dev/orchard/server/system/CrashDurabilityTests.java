package dev.orchard.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.orchard.server.ChildOrchard;
import dev.orchard.server.OrchardInstance;
import dev.orchard.server.TestDatabases;

/**
 * "Nothing accepted is lost": Orchard runs in its own JVM, four clients write devices as fast as it answers, the
 * process is killed with SIGKILL while they still write, and after a restart on the same database every write that
 * had been answered 2xx is there. On the default embedded H2 file (the configuration a newcomer runs) and on
 * PostgreSQL. Also checks the data directory and the database file are readable by their owner only.
 */
class CrashDurabilityTests {

    static final String TOKEN = ChildOrchard.TOKEN;
    static final HttpClient HTTP = ChildOrchard.HTTP;

    @TempDir
    Path temp;

    @Test
    void everyAnsweredWriteSurvivesAKillOnTheDefaultH2() throws Exception {
        Path data = temp.resolve("data");
        Set<String> acknowledged = writeThenKill(data, null);
        assertThat(acknowledged).hasSizeGreaterThan(50);
        assertThat(Files.getPosixFilePermissions(data)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(data.resolve("orchard.mv.db"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(data.resolve("secret.key"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertAllThere(data, null, acknowledged);
    }

    @Test
    void everyAnsweredWriteSurvivesAKillOnPostgres() throws Exception {
        String url = TestDatabases.postgresUrl();
        Path data = temp.resolve("data");
        Set<String> acknowledged = writeThenKill(data, url);
        assertThat(acknowledged).hasSizeGreaterThan(50);
        assertAllThere(data, url, acknowledged);
    }

    /**
     * Commits written by the committing thread must not let an interrupt (a task cancelled at shutdown, a request
     * timing out) close the database: measured, on H2's plain file system with WRITE_DELAY=0 every interrupted
     * writer closed it for all pooled connections; the default URL's retry: file system reopens the file instead.
     */
    @Test
    void anInterruptedWriterDoesNotCloseTheEmbeddedDatabase() throws Exception {
        var sim = dev.orchard.applesim.AppleSimulator.builder().rateLimit(0).start();
        try (var orchard = OrchardInstance.start(sim, temp.resolve("interrupt"), null, java.time.Clock.systemUTC(), "node-a",
                java.util.Map.of())) {
            var jdbc = orchard.bean(org.springframework.jdbc.core.simple.JdbcClient.class);
            assertThat(orchard.bean(org.springframework.core.env.Environment.class).getProperty("spring.datasource.url"))
                    .startsWith("jdbc:h2:retry:file:");
            for (int round = 0; round < 30; round++) {
                Thread writer = new Thread(() -> {
                    for (int i = 0; i < 200 && !Thread.currentThread().isInterrupted(); i++) { // the interrupt comes within the first few
                        try {
                            jdbc.sql("insert into audit_events (at, actor, action, subject, outcome) values (current_timestamp, 't', 'T', 's', 'OK')").update();
                        } catch (RuntimeException e) {
                            return;
                        }
                    }
                });
                writer.start();
                writer.join(0, 200_000);
                writer.interrupt();
                writer.join();
                assertThat(jdbc.sql("select count(*) from installation").query(Integer.class).single()).as("round " + round).isEqualTo(1);
                jdbc.sql("insert into audit_events (at, actor, action, subject, outcome) values (current_timestamp, 't', 'T', 's', 'OK')").update();
            }
            assertThat(orchard.get("/api/v1/accounts", OrchardInstance.ADMIN_TOKEN).status()).isEqualTo(200);
        } finally {
            sim.stop();
        }
    }

    private Set<String> writeThenKill(Path data, String dbUrl) throws Exception {
        int port = OrchardInstance.freePort();
        Process orchard = start(data, dbUrl, port);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger sent = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            for (int c = 0; c < 4; c++) {
                int client = c;
                clients.submit(() -> {
                    for (int i = 0; ; i++) {
                        String serial = "CRASH" + client + "X" + i;
                        try {
                            var r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/devices/" + serial))
                                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                                    .timeout(Duration.ofSeconds(10))
                                    .PUT(HttpRequest.BodyPublishers.ofString("{\"serialNumber\":\"" + serial
                                            + "\",\"platform\":\"iOS\",\"osVersion\":\"17.4\"}")).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            sent.incrementAndGet();
                            if (r.statusCode() / 100 == 2) {
                                acknowledged.add(serial);
                            }
                        } catch (Exception e) {
                            return; // the server is gone
                        }
                    }
                });
            }
            Instant until = Instant.now().plusSeconds(60);
            while (acknowledged.size() < 300 && Instant.now().isBefore(until)) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // not a spin: the writers and the child need the cores
            }
            orchard.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush
            orchard.waitFor(30, TimeUnit.SECONDS);
        } finally {
            clients.shutdown();
            clients.awaitTermination(30, TimeUnit.SECONDS);
            orchard.destroyForcibly();
        }
        return Set.copyOf(acknowledged);
    }

    private void assertAllThere(Path data, String dbUrl, Set<String> acknowledged) throws Exception {
        int port = OrchardInstance.freePort();
        Process orchard = start(data, dbUrl, port);
        try {
            List<String> missing = new ArrayList<>();
            for (String serial : acknowledged) {
                var r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/devices/" + serial))
                        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    missing.add(serial);
                }
            }
            assertThat(missing).as("writes answered 2xx before the kill, missing after the restart (of %d)", acknowledged.size()).isEmpty();
        } finally {
            orchard.destroy();
            orchard.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Process start(Path data, String dbUrl, int port) throws Exception {
        return ChildOrchard.start(temp, data, dbUrl, port, List.of("--orchard.apple.base-url=http://127.0.0.1:9/mdm/v2/"));
    }
}
