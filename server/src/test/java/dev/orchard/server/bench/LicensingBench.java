package dev.orchard.server.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.server.OrchardApplication;
import tools.jackson.databind.JsonNode;

/**
 * Benchmark, not a test. Labels N devices (default 100,000) for one app and times until Apple has confirmed every
 * license, with the simulator's rate limit off and at its default (15/s); reports the associate requests sent
 * against ⌈N / maxSerialNumbers⌉. Orchard runs in this JVM on H2, the simulator in its own process.
 *
 * <pre>mvn -B -pl server -am -Pbench -DskipTests verify -Dbench.main=dev.orchard.server.bench.LicensingBench [-Dbench.devices=100000]</pre>
 */
public final class LicensingBench {

    private static final String TOKEN = "bench-admin-token-0123456789";
    private static final String APP = "700000001";

    private LicensingBench() {
    }

    public static void main(String[] args) throws Exception {
        int devices = Integer.getInteger("bench.devices", 100_000);
        Path simJar = Path.of(System.getProperty("bench.simulatorJar", "../apple-simulator/target/apple-simulator.jar"));
        int simPort = BenchSupport.freePort();
        Process sim = BenchSupport.startSimulator(simJar, simPort);
        try {
            URI base = URI.create("http://127.0.0.1:" + simPort + "/");
            for (int rateLimit : new int[] {0, 15}) {
                run(base, devices, rateLimit);
            }
        } finally {
            sim.destroy();
        }
    }

    private static void run(URI sim, int devices, int rateLimit) throws Exception {
        BenchSupport.post(sim.resolve("_sim/settings"), "{\"rateLimit\":0}");
        JsonNode location = BenchSupport.post(sim.resolve("_sim/locations"),
                "{\"orgName\":\"Licensing bench " + rateLimit + "\",\"countryCode\":\"US\"}");
        String uId = location.get("uId").asString();
        BenchSupport.post(sim.resolve("_sim/locations/" + uId + "/purchases"), "{\"adamId\":\"" + APP + "\",\"count\":" + devices
                + ",\"productType\":\"App\",\"deviceAssignable\":true,\"revocable\":true,\"supportedPlatforms\":[\"iOS\"]}");

        Path data = Files.createTempDirectory("orchard-licensing-bench");
        int port = BenchSupport.freePort();
        ConfigurableApplicationContext orchard = new SpringApplicationBuilder(OrchardApplication.class).run(
                "--server.port=" + port, "--orchard.data-dir=" + data, "--orchard.public-url=http://127.0.0.1:" + port + "/",
                "--orchard.apple.base-url=" + sim + "mdm/v2/",
                "--orchard.apple.content-lookup-url=" + sim + "WebObjects/MZStorePlatform.woa/wa/lookup",
                "--orchard.apple.store-lookup-url=" + sim + "lookup", "--orchard.security.bootstrap-api-token=" + TOKEN,
                "--db-scheduler.polling-interval=200ms", "--logging.level.root=WARN");
        try {
            URI api = URI.create("http://127.0.0.1:" + port + "/api/v1/");
            JdbcClient db = orchard.getBean(JdbcClient.class);
            long account = api(api, "POST", "accounts", "{\"sToken\":\"" + location.get("sToken").asString() + "\",\"takeOver\":true}")
                    .get("id").asLong();
            await(() -> db.sql("select count(*) from pools where account_id = ? and adam_id = ?").params(account, APP)
                    .query(Long.class).single() == 1);
            BenchSupport.post(sim.resolve("_sim/settings"), "{\"rateLimit\":" + rateLimit + "}");
            BenchSupport.HTTP.send(HttpRequest.newBuilder(sim.resolve("_sim/requests")).DELETE().build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());

            long started = System.nanoTime();
            api(api, "POST", "labels", "{\"kind\":\"LICENSE\",\"name\":\"All\",\"accountId\":" + account
                    + ",\"targets\":[{\"type\":\"ALL\"}]}");
            api(api, "POST", "labels", "{\"kind\":\"APP\",\"name\":\"Bench app\",\"adamIds\":[\"" + APP
                    + "\"],\"targets\":[{\"type\":\"RULE\",\"platform\":\"iOS\"}]}");
            for (int from = 0; from < devices; from += 50_000) {
                var batch = new ArrayList<String>();
                for (int i = from; i < Math.min(devices, from + 50_000); i++) {
                    batch.add("{\"serialNumber\":\"BENCH" + String.format("%07d", i) + "\",\"platform\":\"iOS\",\"osVersion\":\"17.4\"}");
                }
                api(api, "POST", "devices", "[" + String.join(",", batch) + "]");
            }
            double uploaded = (System.nanoTime() - started) / 1e9;
            await(() -> db.sql("select count(*) from licenses where account_id = ? and adam_id = ? and origin = 'ORCHARD' "
                    + "and intent is null").params(account, APP).query(Long.class).single() == devices);
            double licensed = (System.nanoTime() - started) / 1e9;
            long associates = 0;
            long refused = 0;
            for (JsonNode r : BenchSupport.send(HttpRequest.newBuilder(sim.resolve("_sim/requests?path=/mdm/v2/assets/associate&uId="
                    + uId)).GET().build())) {
                if (r.get("status").asInt() == 200) {
                    associates++;
                } else {
                    refused++;
                }
            }
            System.out.printf("%n[licensing, rate limit %s] %,d devices labelled: uploaded in %.1f s, all licenses confirmed by "
                            + "Apple after %.1f s (%,.0f licenses/s); associate requests: %d accepted, %d refused "
                            + "(⌈%d / 1000⌉ = %d)%n", rateLimit == 0 ? "none" : rateLimit + "/s", devices, uploaded, licensed,
                    devices / licensed, associates, refused, devices, (devices + 999) / 1000);
        } finally {
            orchard.close();
        }
    }

    private static JsonNode api(URI api, String method, String path, String json) throws Exception {
        return BenchSupport.send(HttpRequest.newBuilder(api.resolve(path)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + 30L * 60 * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up after 30 minutes");
            }
            // polling the outcome once a second: each check counts the ledger, and must not compete with the work
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000_000L);
        }
    }
}
