package dev.orchard.server.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.orchard.server.OrchardApplication;
import tools.jackson.databind.JsonNode;

/**
 * Benchmark, not a test. Starts the Apple simulator as its own process (so its memory is not counted), gives
 * it an organisation of N assignments, then runs Orchard in this JVM (start it with -Xmx512m) on H2 and on
 * PostgreSQL, adds the account and times the first (full) sync: assignments per second, Apple requests used
 * (compared with the number of pages) and peak heap. Then, with the simulator's default rate limit (15/s), a
 * full sync of a smaller account is timed against pages ÷ 15.
 *
 * <pre>mvn -B -pl server -am -Pbench -DskipTests verify [-Dbench.assignments=1000000] [-Dbench.rateLimitedAssignments=100000]</pre>
 */
public final class SyncBench {

    private static final HttpClient HTTP = BenchSupport.HTTP;
    private static final String TOKEN = BenchSupport.TOKEN;

    private SyncBench() {
    }

    public static void main(String[] args) throws Exception {
        int assignments = Integer.getInteger("bench.assignments", 1_000_000);
        int limited = Integer.getInteger("bench.rateLimitedAssignments", 100_000);
        Path simJar = Path.of(System.getProperty("bench.simulatorJar", "../apple-simulator/target/apple-simulator.jar"));
        int simPort = BenchSupport.freePort();
        Process sim = BenchSupport.startSimulator(simJar, simPort);
        try {
            URI base = URI.create("http://127.0.0.1:" + simPort + "/");
            System.out.printf("max heap of this JVM (Orchard): %d MB%n", Runtime.getRuntime().maxMemory() / (1024 * 1024));
            List<String> databases = List.of(System.getProperty("bench.databases", "H2,PostgreSQL").split(","));
            for (String db : databases) {
                if (assignments > 0) {
                    run(base, db, "Bench " + db, assignments, 0);
                }
            }
            for (String db : databases) {
                if (limited > 0) {
                    run(base, db, "Limited " + db, limited, 15);
                }
            }
        } finally {
            sim.destroy();
        }
    }

    private static void run(URI sim, String db, String org, int assignments, int rateLimit) throws Exception {
        BenchSupport.post(sim.resolve("_sim/settings"), "{\"rateLimit\":0}");
        JsonNode location = BenchSupport.post(sim.resolve("_sim/locations"), "{\"orgName\":\"" + org + "\",\"countryCode\":\"US\"}");
        String uId = location.get("uId").asString();
        long started = System.nanoTime();
        BenchSupport.post(sim.resolve("_sim/locations/" + uId + "/generate"), "{\"assets\":100,\"assignments\":" + assignments + ",\"users\":0}");
        System.out.printf("%n[%s, rate limit %s] simulator generated %,d assignments in %.1f s%n", db,
                rateLimit == 0 ? "none" : rateLimit + "/s", assignments, (System.nanoTime() - started) / 1e9);
        BenchSupport.post(sim.resolve("_sim/settings"), "{\"rateLimit\":" + rateLimit + "}");

        Path data = Files.createTempDirectory("orchard-bench");
        boolean postgres = db.equals("PostgreSQL");
        int port = BenchSupport.freePort();
        var argsList = new java.util.ArrayList<>(List.of("--server.port=" + port, "--orchard.data-dir=" + data,
                "--orchard.apple.base-url=" + sim + "mdm/v2/",
                "--orchard.apple.content-lookup-url=" + sim + "WebObjects/MZStorePlatform.woa/wa/lookup",
                "--orchard.apple.store-lookup-url=" + sim + "lookup",
                "--orchard.security.bootstrap-api-token=" + TOKEN, "--orchard.sync.interval=24h",
                "--db-scheduler.polling-interval=200ms", "--logging.level.root=WARN",
                "--logging.level.dev.orchard.server.sync.AccountSync=DEBUG"));
        argsList.addAll(BenchSupport.databaseArgs(db));
        ConfigurableApplicationContext orchard = new SpringApplicationBuilder(OrchardApplication.class)
                .run(argsList.toArray(String[]::new));
        try {
            URI api = URI.create("http://127.0.0.1:" + port + "/api/v1/");
            System.gc();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            HTTP.send(HttpRequest.newBuilder(sim.resolve("_sim/requests")).DELETE().build(), HttpResponse.BodyHandlers.discarding());
            JsonNode account = BenchSupport.send(HttpRequest.newBuilder(api.resolve("accounts")).header("Authorization", "Bearer " + TOKEN)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sToken\":\"" + location.get("sToken").asString()
                            + "\",\"takeOver\":true}")).build());
            long id = account.get("id").asLong();
            JsonNode run = awaitRun(api, id, 1);
            report(db, "first sync", sim, uId, run, assignments, rateLimit);
            awaitCatalog(sim, uId); // app metadata is looked up after a sync, with the same request budget
            HTTP.send(HttpRequest.newBuilder(sim.resolve("_sim/requests")).DELETE().build(), HttpResponse.BodyHandlers.discarding());
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            BenchSupport.send(HttpRequest.newBuilder(api.resolve("accounts/" + id + "/sync?full=true")).header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            report(db, "full re-sync", sim, uId, awaitRun(api, id, 2), assignments, rateLimit);
            if (postgres) { // how many of the ledger's updates PostgreSQL made in place (HOT: no index written)
                var stats = orchard.getBean(org.springframework.jdbc.core.simple.JdbcClient.class).sql("select n_tup_upd, "
                        + "n_tup_hot_upd from pg_stat_user_tables where relname = 'licenses'").query().singleRow();
                System.out.printf("[%s] licenses: %s row updates, %s of them HOT%n", db, stats.get("n_tup_upd"),
                        stats.get("n_tup_hot_upd"));
            }
        } finally {
            orchard.close();
        }
    }

    /** Waits (at most a minute) until Orchard looked up the metadata of the 100 apps after the first sync. */
    private static void awaitCatalog(URI sim, String uId) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline
                && BenchSupport.send(HttpRequest.newBuilder(sim.resolve("_sim/requests?path=lookup&uId=" + uId)).GET().build()).size() < 100) {
            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L); // polling, not timing
        }
    }

    private static JsonNode awaitRun(URI api, long id, int runs) throws Exception {
        while (true) {
            JsonNode status = BenchSupport.send(HttpRequest.newBuilder(api.resolve("accounts/" + id + "/sync"))
                    .header("Authorization", "Bearer " + TOKEN).GET().build());
            JsonNode history = status.get("history");
            if (history.size() >= runs && !"RUNNING".equals(history.get(0).get("result").asString())) {
                return history.get(0);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L); // polling the run, not timing it
        }
    }

    private static void report(String db, String what, URI sim, String uId, JsonNode run, int assignments, int rateLimit)
            throws Exception {
        Duration took = Duration.between(Instant.parse(run.get("startedAt").asString()),
                Instant.parse(run.get("finishedAt").asString()));
        long items = run.get("items").asLong();
        int assignmentPages = (assignments + 999) / 1000;
        JsonNode requests = BenchSupport.send(HttpRequest.newBuilder(sim.resolve("_sim/requests?path=/mdm/v2/&uId=" + uId)).GET().build());
        long assignmentRequests = 0;
        for (JsonNode r : requests) {
            if (r.get("path").asString().endsWith("/assignments")) {
                assignmentRequests++;
            }
        }
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        double seconds = took.toMillis() / 1000.0;
        System.out.printf("[%s] %s %s: %,d items (%,d licenses added) in %.2f s = %,.0f assignments/s; "
                        + "Apple requests: %d in all, %d for assignments (pages: %d); peak heap %d MB%n", db, what,
                run.get("result").asString(), items, run.get("added").asLong(), seconds, assignments / seconds,
                requests.size(), assignmentRequests, assignmentPages, peak / (1024 * 1024));
        if (rateLimit > 0) {
            double ideal = assignmentPages / (double) rateLimit;
            System.out.printf("[%s] rate-limited: %.1f s for %d requests; pages ÷ maxRequestPerSecond = %.1f s "
                    + "(%.1f%% over)%n", db, seconds, requests.size(), ideal, (seconds / ideal - 1) * 100);
        }
    }
}
