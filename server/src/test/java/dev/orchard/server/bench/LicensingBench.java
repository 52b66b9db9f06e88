package dev.orchard.server.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import tools.jackson.databind.JsonNode;

/**
 * Benchmark, not a test. With N devices in inventory (default 100,000), labels them for one app and times until
 * Apple has confirmed every license, with the simulator's rate limit off and at 15/s, on each database named; reports
 * the associate requests sent against ⌈N / maxSerialNumbers⌉ and, last, Apple's bound (those requests at the rate
 * limit, plus the simulator's event time) and the ratio to it. Orchard runs in this JVM, the simulator in its own
 * process.
 *
 * <pre>mvn -B -pl server -am -Pbench -DskipTests verify -Dbench.main=dev.orchard.server.bench.LicensingBench
 *     [-Dbench.devices=100000] [-Dbench.databases=H2,PostgreSQL] [-Dbench.rateLimits=0,15]</pre>
 */
public final class LicensingBench {

    private static final String APP = "700000001";
    /** The simulator's time from a request to its event's outcome ({@code --event-delay-ms}, its default). */
    private static final double EVENT_SECONDS = 1.0;
    private static final int MAX_SERIAL_NUMBERS = 1000;

    private LicensingBench() {
    }

    public static void main(String[] args) throws Exception {
        int devices = Integer.getInteger("bench.devices", 100_000);
        Path simJar = Path.of(System.getProperty("bench.simulatorJar", "../apple-simulator/target/apple-simulator.jar"));
        int simPort = BenchSupport.freePort();
        Process sim = BenchSupport.startSimulator(simJar, simPort);
        try {
            URI base = URI.create("http://127.0.0.1:" + simPort + "/");
            var results = new java.util.ArrayList<String>();
            for (String database : System.getProperty("bench.databases", "H2,PostgreSQL").split(",")) {
                for (String rateLimit : System.getProperty("bench.rateLimits", "0,15").split(",")) {
                    results.add(run(base, database, devices, Integer.parseInt(rateLimit)));
                }
            }
            System.out.println();
            results.forEach(System.out::println);
        } finally {
            sim.destroy();
        }
    }

    /**
     * One device's change with the whole inventory in place (issue 16's bar: 2 s): a new device until Apple got its
     * association and until Apple confirmed it, then that device retired until Apple got the disassociation.
     */
    private static void oneDevice(URI api, URI sim, String uId, JdbcClient db, int devices) throws Exception {
        URI associations = sim.resolve("_sim/requests?path=/mdm/v2/assets/associate&uId=" + uId);
        URI disassociations = sim.resolve("_sim/requests?path=/mdm/v2/assets/disassociate&uId=" + uId);
        int associatedBefore = BenchSupport.send(HttpRequest.newBuilder(associations).GET().build()).size();
        long started = System.nanoTime();
        BenchSupport.uploadDevices(api, "ONEMORE", 1, "");
        BenchSupport.awaitClosely(() -> requests(associations) > associatedBefore);
        double sent = (System.nanoTime() - started) / 1e9;
        BenchSupport.awaitClosely(() -> db.sql("select count(*) from licenses where serial_number = 'ONEMORE0000000' and intent is null")
                .query(Long.class).single() == 1);
        double confirmed = (System.nanoTime() - started) / 1e9;
        int disassociatedBefore = requests(disassociations);
        started = System.nanoTime();
        BenchSupport.api(api, "POST", "devices/ONEMORE0000000/retire", "");
        BenchSupport.awaitClosely(() -> requests(disassociations) > disassociatedBefore);
        double reclaimed = (System.nanoTime() - started) / 1e9;
        String pass = db.sql("select changes_summary from licensing_pass").query(String.class).single();
        System.out.printf("[one device, %,d in inventory] new device: association sent after %.2f s, confirmed after %.2f s; "
                + "retired: disassociation sent after %.2f s; the last incremental pass: %s%n", devices + 1, sent, confirmed, reclaimed, pass);
    }

    private static int requests(URI log) {
        try {
            return BenchSupport.send(HttpRequest.newBuilder(log).GET().build()).size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String run(URI sim, String database, int devices, int rateLimit) throws Exception {
        BenchSupport.post(sim.resolve("_sim/settings"), "{\"rateLimit\":0}");
        JsonNode location = BenchSupport.post(sim.resolve("_sim/locations"),
                "{\"orgName\":\"Licensing bench " + rateLimit + "\",\"countryCode\":\"US\"}");
        String uId = location.get("uId").asString();
        BenchSupport.post(sim.resolve("_sim/locations/" + uId + "/purchases"), "{\"adamId\":\"" + APP + "\",\"count\":" + (devices + 10)
                + ",\"productType\":\"App\",\"deviceAssignable\":true,\"revocable\":true,\"supportedPlatforms\":[\"iOS\"]}");

        Path data = Files.createTempDirectory("orchard-licensing-bench");
        int port = BenchSupport.freePort();
        var extra = new java.util.ArrayList<>(BenchSupport.databaseArgs(database));
        extra.add("--orchard.public-url=http://127.0.0.1:" + port + "/");
        ConfigurableApplicationContext orchard = BenchSupport.startOrchard(sim, port, data, extra.toArray(String[]::new));
        try {
            URI api = URI.create("http://127.0.0.1:" + port + "/api/v1/");
            JdbcClient db = orchard.getBean(JdbcClient.class);
            long account = BenchSupport.api(api, "POST", "accounts", "{\"sToken\":\"" + location.get("sToken").asString() + "\",\"takeOver\":true}")
                    .get("id").asLong();
            BenchSupport.await(() -> db.sql("select count(*) from pools where account_id = ? and adam_id = ?").params(account, APP)
                    .query(Long.class).single() == 1, 1);
            BenchSupport.post(sim.resolve("_sim/settings"), "{\"rateLimit\":" + rateLimit + "}");
            BenchSupport.HTTP.send(HttpRequest.newBuilder(sim.resolve("_sim/requests")).DELETE().build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());

            long started = System.nanoTime();
            BenchSupport.uploadDevices(api, "BENCH", devices, "");
            double uploaded = (System.nanoTime() - started) / 1e9;
            BenchSupport.await(() -> db.sql("select count(*) from licensing_pass where running = false and wanted = false")
                    .query(Long.class).single() == 1, 1);

            var activity = database.equals("PostgreSQL") ? new BenchSupport.PgActivity(db) : null;
            started = System.nanoTime();
            BenchSupport.api(api, "POST", "labels", "{\"kind\":\"LICENSE\",\"name\":\"All\",\"accountId\":" + account
                    + ",\"targets\":[{\"type\":\"ALL\"}]}");
            BenchSupport.api(api, "POST", "labels", "{\"kind\":\"APP\",\"name\":\"Bench app\",\"adamIds\":[\"" + APP
                    + "\"],\"targets\":[{\"type\":\"RULE\",\"platform\":\"iOS\"}]}");
            BenchSupport.await(() -> db.sql("select count(*) from licenses where account_id = ? and adam_id = ? and origin = 'ORCHARD' "
                    + "and intent is null").params(account, APP).query(Long.class).single() == devices, 1);
            double licensed = (System.nanoTime() - started) / 1e9;
            if (activity != null) {
                activity.close();
            }
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
            int requests = (devices + MAX_SERIAL_NUMBERS - 1) / MAX_SERIAL_NUMBERS;
            System.out.printf("%n[licensing, %s, rate limit %s] %,d devices uploaded in %.1f s; labelled for one app: all licenses "
                            + "confirmed by Apple after %.1f s (%,.0f licenses/s); associate requests: %d accepted, %d refused "
                            + "(⌈%d / %d⌉ = %d)%n", database, rateLimit == 0 ? "none" : rateLimit + "/s", devices, uploaded, licensed,
                    devices / licensed, associates, refused, devices, MAX_SERIAL_NUMBERS, requests);
            oneDevice(api, sim, uId, db, devices);
            if (rateLimit == 0) {
                return String.format("%s, no rate limit: %,d licenses in %.1f s = %,.0f licenses/s (bar: 20,000/s)", database, devices,
                        licensed, devices / licensed);
            }
            double bound = (double) requests / rateLimit + EVENT_SECONDS;
            return String.format("%s, %d requests/s: %,d licenses in %.1f s; Apple's bound %.1f s (%d requests / %d per s + %.0f s "
                    + "event time); ratio %.2f (bar: 1.25)", database, rateLimit, devices, licensed, bound, requests, rateLimit,
                    EVENT_SECONDS, licensed / bound);
        } finally {
            orchard.close();
        }
    }
}
