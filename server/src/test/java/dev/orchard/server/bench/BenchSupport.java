package dev.orchard.server.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Plumbing the benchmarks share: the simulator as its own process, JSON over HTTP, free ports. */
final class BenchSupport {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private BenchSupport() {
    }

    /** Starts the simulator jar with an empty organisation list and no rate limit; returns its base URI. */
    static Process startSimulator(Path jar, int port) throws Exception {
        Process sim = new ProcessBuilder("java", "-Xmx2g", "-jar", jar.toString(), "--port", Integer.toString(port),
                "--rate-limit", "0", "--quiet", "--seed", writeEmptySeed().toString()).inheritIO().start();
        waitFor(URI.create("http://127.0.0.1:" + port + "/_sim/locations"));
        return sim;
    }

    static Path writeEmptySeed() throws Exception {
        Path seed = Files.createTempFile("bench-seed", ".json");
        Files.writeString(seed, "{\"locations\":[]}");
        return seed;
    }

    static JsonNode post(URI uri, String json) throws Exception {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    static JsonNode send(HttpRequest request) throws Exception {
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(request.uri() + " -> " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    static void waitFor(URI uri) throws Exception {
        for (int i = 0; i < 100; i++) {
            try {
                HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (java.io.IOException e) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
            }
        }
        throw new IllegalStateException("the simulator did not start");
    }

    /** The admin API token the benchmarks' Orchard starts with. */
    static final String TOKEN = "bench-admin-token-0123456789";

    /**
     * Orchard's arguments for a database the benchmarks name: {@code H2} (the embedded file under the data directory)
     * or {@code PostgreSQL} (a database of the embedded PostgreSQL server, batched inserts rewritten).
     */
    static java.util.List<String> databaseArgs(String database) {
        if (database.equals("H2")) {
            return java.util.List.of();
        }
        if (!database.equals("PostgreSQL")) {
            throw new IllegalArgumentException("bench.databases takes H2 and PostgreSQL, not " + database);
        }
        return java.util.List.of("--spring.datasource.url=" + dev.orchard.server.TestDatabases.postgresUrl() + "&reWriteBatchedInserts=true",
                "--spring.datasource.username=postgres");
    }

    /** Starts Orchard in this JVM (H2 under {@code data}) against the simulator at {@code sim}. */
    static org.springframework.context.ConfigurableApplicationContext startOrchard(URI sim, int port, Path data,
                                                                                  String... extra) {
        var args = new java.util.ArrayList<>(java.util.List.of("--server.port=" + port, "--orchard.data-dir=" + data,
                "--orchard.apple.base-url=" + sim + "mdm/v2/",
                "--orchard.apple.content-lookup-url=" + sim + "WebObjects/MZStorePlatform.woa/wa/lookup",
                "--orchard.apple.store-lookup-url=" + sim + "lookup", "--orchard.security.bootstrap-api-token=" + TOKEN,
                "--db-scheduler.polling-interval=200ms", "--logging.level.root=WARN"));
        args.addAll(java.util.List.of(extra));
        return new org.springframework.boot.builder.SpringApplicationBuilder(dev.orchard.server.OrchardApplication.class)
                .run(args.toArray(String[]::new));
    }

    /** Calls Orchard's REST API ({@code api} ends in {@code /api/v1/}) with the admin token. */
    static JsonNode api(URI api, String method, String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(api.resolve(path)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** Uploads {@code n} iOS devices {@code <prefix>0000000…} in bulk requests of 50,000; {@code extra} adds JSON fields. */
    static void uploadDevices(URI api, String prefix, int n, String extra) throws Exception {
        for (int from = 0; from < n; from += 50_000) {
            var batch = new java.util.ArrayList<String>();
            for (int i = from; i < Math.min(n, from + 50_000); i++) {
                batch.add("{\"serialNumber\":\"" + prefix + String.format("%07d", i) + "\",\"platform\":\"iOS\","
                        + "\"osVersion\":\"17.4\"" + extra + "}");
            }
            api(api, "POST", "devices", "[" + String.join(",", batch) + "]");
        }
    }

    /**
     * Polls an outcome every {@code pollSeconds} for up to 30 minutes. Each check counts the ledger, so it must not
     * run often enough to compete with the work it waits for.
     */
    static void await(java.util.function.BooleanSupplier condition, int pollSeconds) {
        awaitEvery(condition, pollSeconds * 1_000_000_000L);
    }

    /** Polls a cheap check (one indexed row) every 20 ms, to time a single change. */
    static void awaitClosely(java.util.function.BooleanSupplier condition) {
        awaitEvery(condition, 20_000_000L);
    }

    private static void awaitEvery(java.util.function.BooleanSupplier condition, long pollNanos) {
        long deadline = System.nanoTime() + 30L * 60 * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up after 30 minutes");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(pollNanos);
        }
    }

    static int freePort() throws Exception {
        try (var s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }


    /**
     * Samples PostgreSQL's active statements every 50 ms while a benchmark runs (the server's CPU is not in Orchard's
     * profile); {@link #close} prints the most frequent ones, normalised, with what they were waiting for ({@code CPU}:
     * nothing) and their share of the samples.
     */
    static final class PgActivity implements AutoCloseable {
        private final java.util.Map<String, Integer> seen = new java.util.concurrent.ConcurrentHashMap<>();
        private final Thread sampler;
        private volatile boolean running = true;
        private int samples;

        PgActivity(org.springframework.jdbc.core.simple.JdbcClient db) {
            sampler = new Thread(() -> {
                while (running) {
                    samples++;
                    for (String q : db.sql("select coalesce(wait_event_type || ':' || wait_event, 'CPU') || ' | ' || query "
                            + "from pg_stat_activity where state = 'active' and pid <> pg_backend_pid() "
                            + "and backend_type = 'client backend'").query(String.class).list()) {
                        seen.merge(q.replaceAll("\\s+", " ").replaceAll("\\$\\d+", "?").replaceAll("(\\?, )+\\?", "?…"), 1, Integer::sum);
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
                }
            }, "pg-activity");
            sampler.setDaemon(true);
            sampler.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            sampler.join();
            System.out.printf("%nPostgreSQL's active statements, %d samples every 50 ms (share of samples with it running):%n", samples);
            seen.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(15).forEach(e -> System.out.printf(
                    "  %5.1f %%  %s%n", 100.0 * e.getValue() / samples, e.getKey().length() > 300 ? e.getKey().substring(0, 300) + "…" : e.getKey()));
        }
    }
}
