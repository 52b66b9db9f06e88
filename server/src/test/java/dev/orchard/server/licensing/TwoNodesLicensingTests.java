package dev.orchard.server.licensing;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.Await;
import dev.orchard.server.MutableClock;
import dev.orchard.server.OrchardInstance;
import dev.orchard.server.SimControl;
import dev.orchard.server.TestDatabases;
import tools.jackson.databind.JsonNode;

/**
 * Two Orchard nodes on one PostgreSQL: labels changed on both, every license assigned once, no request sent twice;
 * an administrator's cancels racing both nodes' dispatchers are never sent (read from Apple's request log).
 */
class TwoNodesLicensingTests {

    final MutableClock clock = MutableClock.ticking(Instant.parse("2026-11-28T10:00:00Z"));

    @TempDir
    Path dataDir;
    AppleSimulator sim;
    SimControl control;
    OrchardInstance a;
    OrchardInstance b;

    @BeforeEach
    void start() {
        sim = AppleSimulator.builder().demoSeed().rateLimit(0).eventDelayMs(0).notificationRetryDelayMs(10).clock(clock).start();
        control = new SimControl(sim);
        String url = TestDatabases.postgresUrl();
        int portA = OrchardInstance.freePort();
        // a reclaim waits a minute before it is sent (and can be cancelled until then)
        Map<String, Object> shared = Map.of("orchard.security.secret-key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                "orchard.public-url", "http://127.0.0.1:" + portA + "/", "orchard.licensing.reclaim-grace", "1m");
        var withPort = new java.util.HashMap<String, Object>(shared);
        withPort.put("server.port", portA);
        a = OrchardInstance.start(sim, dataDir.resolve("a"), url, clock, "node-a", withPort);
        b = OrchardInstance.start(sim, dataDir.resolve("b"), url, clock, "node-b", shared);
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
        sim.stop();
    }

    @Test
    void bothNodesWorkTheOutboxAndNothingIsSentTwice() {
        var location = sim.location("Orchard Demo Corp");
        long id = accountWithFieldNotesForAll(location, 3000);
        JdbcClient db = a.bean(JdbcClient.class);
        for (int part = 0; part < 2; part++) {
            var devices = new ArrayList<String>();
            for (int i = 0; i < 1000; i++) {
                devices.add("{\"serialNumber\":\"TWO" + part + String.format("%04d", i) + "\",\"platform\":\"iOS\"}");
            }
            OrchardInstance node = part == 0 ? a : b;
            assertThat(node.post("/api/v1/devices", ADMIN_TOKEN, "[" + String.join(",", devices) + "]").status()).isEqualTo(200);
        }

        Await.until("every license confirmed", () -> db.sql("select count(*) from licenses where origin = 'ORCHARD' "
                + "and serial_number like 'TWO%' and intent is null").query(Long.class).single() == 2000);
        assertThat(db.sql("select count(*) from licenses where serial_number like 'TWO%'").query(Long.class).single())
                .as("no license doubled").isEqualTo(2000);
        long accepted = 0;
        long serialsSent = 0;
        for (JsonNode r : control.get("requests?path=/mdm/v2/assets/associate&uId=" + location.uId())) {
            if (r.get("status").asInt() == 200) {
                accepted++;
            }
        }
        for (JsonNode op : a.get("/api/v1/operations?limit=1000", ADMIN_TOKEN).json().get("items")) {
            serialsSent += op.get("targetCount").asLong();
        }
        assertThat(serialsSent).as("every target in exactly one operation").isEqualTo(2000);
        assertThat(accepted).as("one request per operation, none repeated").isEqualTo(
                a.get("/api/v1/operations?limit=1000", ADMIN_TOKEN).json().get("items").size());
    }

    /**
     * Ten rounds of 100 reclaims, each cancelled by an administrator: 10 while the reclaims wait out their grace
     * minute, and 90 from four threads on both nodes while the clock passes the minute and the dispatch is pulled
     * forward, so they race the nodes' dispatchers claiming the same targets. A cancel that answered 200 must never
     * reach Apple (no disassociate request names its serial) and keeps the license; one that answered 409 was
     * claimed first, and Apple gets it exactly once.
     */
    @Test
    void aCancelRacingTheDispatchersIsNeverSent() throws Exception {
        var location = sim.location("Orchard Demo Corp");
        long id = accountWithFieldNotesForAll(location, 1000);
        JdbcClient db = a.bean(JdbcClient.class);
        var devices = new ArrayList<String>();
        for (int i = 0; i < 1000; i++) {
            devices.add("{\"serialNumber\":\"RACE" + String.format("%03d", i) + "\",\"platform\":\"iOS\"}");
        }
        assertThat(a.post("/api/v1/devices", ADMIN_TOKEN, "[" + String.join(",", devices) + "]").status()).isEqualTo(200);
        Await.until("every license confirmed", () -> db.sql("select count(*) from licenses where origin = 'ORCHARD' "
                + "and serial_number like 'RACE%' and intent is null").query(Long.class).single() == 1000);
        var dispatch = b.bean(dev.orchard.server.operations.OperationTasks.class);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        int cancelled = 0;
        int refused = 0;
        try {
            for (int round = 0; round < 10; round++) {
                String prefix = "RACE" + round; // RACE000 … RACE999: the round is the first digit
                Map<String, Long> licenses = new java.util.TreeMap<>();
                db.sql("select serial_number, id from licenses where serial_number like ?").param(prefix + "%")
                        .query((rs, n) -> licenses.put(rs.getString(1), rs.getLong(2))).list();
                control.delete("requests");
                licenses.values().forEach(l -> assertThat(a.post("/api/v1/licenses/" + l + "/reclaim", ADMIN_TOKEN, "").status())
                        .isEqualTo(200));
                var answers = new java.util.concurrent.ConcurrentHashMap<String, Integer>();
                var serials = new ArrayList<>(licenses.keySet());
                for (String serial : serials.subList(0, 10)) {
                    answers.put(serial, a.post("/api/v1/licenses/" + licenses.get(serial) + "/reclaim/cancel", ADMIN_TOKEN, "").status());
                }
                var start = new java.util.concurrent.CountDownLatch(1);
                var racing = new ArrayList<java.util.concurrent.Future<?>>();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    racing.add(pool.submit(() -> {
                        start.await();
                        for (int i = 10 + thread; i < serials.size(); i += 4) {
                            OrchardInstance node = i % 2 == 0 ? a : b;
                            answers.put(serials.get(i), node.post("/api/v1/licenses/" + licenses.get(serials.get(i))
                                    + "/reclaim/cancel", ADMIN_TOKEN, "").status());
                        }
                        return null;
                    }));
                }
                clock.advance(java.time.Duration.ofSeconds(61));
                start.countDown();
                dispatch.dispatchNow(new dev.orchard.server.accounts.AccountId(id));
                for (var f : racing) {
                    f.get();
                }
                Await.until("round " + round + " settled", () -> db.sql("select count(*) from licenses where serial_number like ? "
                        + "and intent is not null").param(prefix + "%").query(Long.class).single() == 0
                        && db.sql("select count(*) from operation_targets where serial_number like ? and state in "
                        + "('QUEUED', 'SENDING', 'SENT')").param(prefix + "%").query(Long.class).single() == 0);

                Map<String, Integer> sent = new java.util.HashMap<>();
                for (JsonNode r : control.get("requests?path=/mdm/v2/assets/disassociate&uId=" + location.uId())) {
                    if (r.get("status").asInt() == 200) {
                        r.get("subjects").forEach(sn -> sent.merge(sn.asString(), 1, Integer::sum));
                    }
                }
                for (String serial : serials) {
                    int answer = answers.get(serial);
                    long rows = db.sql("select count(*) from licenses where serial_number = ? and intent is null").param(serial)
                            .query(Long.class).single();
                    if (answer == 200) {
                        cancelled++;
                        assertThat(sent).as("a cancelled reclaim of " + serial + " was sent").doesNotContainKey(serial);
                        assertThat(rows).as("the license of " + serial + " is kept").isEqualTo(1);
                    } else {
                        refused++;
                        assertThat(answer).as("cancel of " + serial).isEqualTo(409);
                        assertThat(sent.get(serial)).as("the reclaim of " + serial + " reached Apple once").isEqualTo(1);
                        assertThat(rows).as("the license of " + serial + " is gone").isZero();
                    }
                }
                assertThat(answers).as("every cancel answered").hasSize(100);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("cancel race: %d cancels answered 200 (none sent), %d answered 409 (sent once)%n", cancelled, refused);
        assertThat(refused).as("the dispatchers won some races, so the cancels did race them").isPositive();
        assertThat(cancelled).as("and the cancels won some").isGreaterThan(100);
    }

    /**
     * Adds the location's account on node a, buys {@code bought} more Field Notes licenses (250 before), and labels
     * every device for them: the license label on node a, the app label on node b. Returns the account's id.
     */
    private long accountWithFieldNotesForAll(AppleSimulator.LocationInfo location, int bought) {
        long id = a.post("/api/v1/accounts", ADMIN_TOKEN, "{\"sToken\":\"" + location.sToken() + "\",\"takeOver\":true}")
                .json().get("id").asLong();
        a.awaitSyncs(id, 1);
        control.post("locations/" + location.uId() + "/purchases", "{\"adamId\":\"361309726\",\"count\":" + bought + "}");
        JdbcClient db = a.bean(JdbcClient.class);
        Await.until("the purchase", () -> db.sql("select total_count from pools where adam_id = '361309726'")
                .query(Long.class).single() == 250 + bought);
        assertThat(a.post("/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"LICENSE\",\"name\":\"All\",\"accountId\":" + id
                + ",\"targets\":[{\"type\":\"ALL\"}]}").status()).isEqualTo(201);
        assertThat(b.post("/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"APP\",\"name\":\"Field Notes\",\"adamIds\":[\"361309726\"],"
                + "\"targets\":[{\"type\":\"ALL\"}]}").status()).isEqualTo(201);
        return id;
    }
}
