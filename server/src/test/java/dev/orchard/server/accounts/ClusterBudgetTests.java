package dev.orchard.server.accounts;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.OrchardInstance;
import dev.orchard.server.SimControl;
import dev.orchard.server.TestDatabases;
import tools.jackson.databind.JsonNode;

/**
 * Rule R1 across a cluster, in real time (about three seconds of load): three Orchard nodes on one PostgreSQL,
 * each asked by six clients at once to claim the same account's location (one Apple request each, made in the
 * request thread), against the simulator enforcing and advertising 15 requests per second per token. Each node's
 * own budget would allow 15, so together they would send about 45 a second and draw 429s; with the token's lease
 * only one node sends at a time, and the simulator's request log shows no second with more than 15 and no 429.
 */
class ClusterBudgetTests {

    @TempDir
    Path dataDir;
    AppleSimulator sim;
    final List<OrchardInstance> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(OrchardInstance::close);
        sim.stop();
    }

    @Test
    void threeNodesTogetherNeverSendMoreThanTheTokensLimitInAnySecond() throws Exception {
        sim = AppleSimulator.builder().demoSeed().rateLimit(15).eventDelayMs(0).start();
        var control = new SimControl(sim);
        String url = TestDatabases.postgresUrl();
        Map<String, Object> shared = Map.of("orchard.security.secret-key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        for (String name : List.of("node-a", "node-b", "node-c")) {
            nodes.add(OrchardInstance.start(sim, dataDir.resolve(name), url, Clock.systemUTC(), name, shared));
        }
        var location = sim.location("Orchard Demo Corp");
        long id = nodes.get(0).post("/api/v1/accounts", ADMIN_TOKEN, "{\"sToken\":\"" + location.sToken() + "\",\"takeOver\":true}")
                .json().get("id").asLong();
        nodes.get(0).awaitSyncs(id, 1);
        control.delete("requests");

        Instant end = Instant.now().plusSeconds(3);
        Map<String, AtomicInteger> claimed = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        var clients = new ArrayList<Thread>();
        for (OrchardInstance node : nodes) {
            for (int i = 0; i < 6; i++) {
                Thread t = new Thread(() -> {
                    while (Instant.now().isBefore(end)) {
                        var r = node.post("/api/v1/accounts/" + id + "/claim", ADMIN_TOKEN, null);
                        if (r.status() == 200) {
                            claimed.computeIfAbsent(node.toString(), k -> new AtomicInteger()).incrementAndGet();
                        } else {
                            failures.add(r.status() + " " + r.body());
                        }
                    }
                });
                t.start();
                clients.add(t);
            }
        }
        for (Thread t : clients) {
            t.join();
        }

        List<Long> arrivals = new ArrayList<>();
        int tooMany = 0;
        for (JsonNode r : control.appleRequests(location.uId())) {
            arrivals.add(Instant.parse(r.get("time").asString()).toEpochMilli());
            if (r.get("status").asInt() == 429) {
                tooMany++;
            }
        }
        Collections.sort(arrivals);
        int busiest = 0;
        for (int i = 0, j = 0; i < arrivals.size(); i++) {
            while (arrivals.get(i) - arrivals.get(j) >= 1000) {
                j++;
            }
            busiest = Math.max(busiest, i - j + 1);
        }
        assertThat(failures).as("claims refused").isEmpty();
        assertThat(tooMany).as("429 answers from Apple").isZero();
        assertThat(busiest).as("most requests Apple saw in one second (of %d)", arrivals.size()).isLessThanOrEqualTo(15);
        assertThat(arrivals.size()).as("the nodes kept Apple busy").isGreaterThanOrEqualTo(20);
        assertThat(claimed).as("every node got turns").hasSize(3);
    }
}
