package dev.orchard.apple.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;

import dev.orchard.apple.AppsAndBooksClient;
import dev.orchard.apple.SToken;
import dev.orchard.apple.model.AssignmentQuery;
import dev.orchard.applesim.AppleSimulator;

/**
 * Benchmark, not a test: starts the Apple simulator in this JVM, generates an organisation of N assignments and
 * walks every page with the client, reporting time, pages, requests per second and peak heap (simulator and client
 * together). Run with {@code -Xmx1g} to show both fit in less than 1 GiB:
 *
 * <pre>mvn -B -pl apple-client -am -Pbench -DskipTests verify -Dbench.assignments=1000000</pre>
 */
public final class AssignmentWalkBench {

    private AssignmentWalkBench() {
    }

    public static void main(String[] args) throws Exception {
        int assignments = Integer.parseInt(System.getProperty("bench.assignments", "1000000"));
        int rateLimit = Integer.parseInt(System.getProperty("bench.rateLimit", "0"));
        try (AppleSimulator sim = AppleSimulator.builder().rateLimit(rateLimit).start()) {
            HttpClient http = HttpClient.newHttpClient();
            String location = http.send(HttpRequest.newBuilder(sim.baseUri().resolve("_sim/locations"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"orgName\":\"Bench Org\",\"countryCode\":\"US\"}")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String uId = location.replaceAll("(?s).*\"uId\":\"(\\d+)\".*", "$1");
            long generateStarted = System.nanoTime();
            String generated = http.send(HttpRequest.newBuilder(sim.baseUri().resolve("_sim/locations/" + uId + "/generate"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"assets\":200,\"assignments\":" + assignments
                            + ",\"users\":0}")).build(), HttpResponse.BodyHandlers.ofString()).body();
            System.out.printf("generated in %d ms: %s%n", (System.nanoTime() - generateStarted) / 1_000_000, generated);

            SToken token = SToken.parse(sim.location("Bench Org").sToken());
            var client = AppsAndBooksClient.builder().baseUri(sim.v2Uri()).build();
            long started = System.nanoTime();
            var walk = client.assignments(token, AssignmentQuery.all());
            var distinctAssets = new HashSet<String>();
            long[] count = {0};
            walk.items().forEach(a -> {
                count[0]++;
                distinctAssets.add(a.adamId());
            });
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("walked %,d assignments of %d assets in %d pages: %.2f s, %,.0f assignments/s, %.1f requests/s%n",
                    count[0], distinctAssets.size(), walk.pagesFetched(), seconds, count[0] / seconds,
                    walk.pagesFetched() / seconds);
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf("peak heap (sum of pool peaks, simulator + client): %,d MB of max %,d MB%n",
                    peak / (1024 * 1024), Runtime.getRuntime().maxMemory() / (1024 * 1024));
            if (count[0] != assignments) {
                throw new IllegalStateException("expected " + assignments + " assignments, walked " + count[0]);
            }
        }
    }
}
