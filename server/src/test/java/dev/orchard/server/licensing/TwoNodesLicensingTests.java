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

/** Two Orchard nodes on one PostgreSQL: labels changed on both, every license assigned once, no request sent twice. */
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
        Map<String, Object> shared = Map.of("orchard.security.secret-key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                "orchard.public-url", "http://127.0.0.1:" + portA + "/");
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
        long id = a.post("/api/v1/accounts", ADMIN_TOKEN, "{\"sToken\":\"" + location.sToken() + "\",\"takeOver\":true}")
                .json().get("id").asLong();
        a.awaitSyncs(id, 1);
        control.post("locations/" + location.uId() + "/purchases", "{\"adamId\":\"361309726\",\"count\":3000}");
        JdbcClient db = a.bean(JdbcClient.class);
        Await.until("the purchase", () -> db.sql("select total_count from pools where adam_id = '361309726'")
                .query(Long.class).single() == 3250);
        assertThat(a.post("/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"LICENSE\",\"name\":\"All\",\"accountId\":" + id
                + ",\"targets\":[{\"type\":\"ALL\"}]}").status()).isEqualTo(200);
        assertThat(b.post("/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"APP\",\"name\":\"Field Notes\",\"adamIds\":[\"361309726\"],"
                + "\"targets\":[{\"type\":\"ALL\"}]}").status()).isEqualTo(200);
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
}
