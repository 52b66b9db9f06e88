package dev.orchard.server.accounts;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.OrchardInstance;
import dev.orchard.server.SimControl;
import tools.jackson.databind.JsonNode;

/**
 * Rule R1 end to end, in real time (about two seconds): the simulator enforces and advertises Apple's example limit
 * of 15 requests per second; adding an account (its client config calls are made before the account exists) and
 * the first sync that follows at once must share one budget and never draw a 429.
 */
class RequestBudgetTests {

    @TempDir
    Path dataDir;
    AppleSimulator sim;
    OrchardInstance orchard;

    @AfterEach
    void stop() {
        if (orchard != null) {
            orchard.close();
        }
        sim.stop();
    }

    @Test
    void addingAnAccountAndItsFirstSyncStayWithinTheAdvertisedRate() {
        sim = AppleSimulator.builder().rateLimit(15).eventDelayMs(0).start();
        SimControl control = new SimControl(sim);
        control.post("settings", "{\"pageSize\":50}");
        JsonNode location = control.post("locations", "{\"orgName\":\"Budget Org\",\"countryCode\":\"US\"}");
        String uId = location.get("uId").asString();
        control.post("locations/" + uId + "/generate", "{\"assets\":3,\"assignments\":1500,\"users\":0}");
        orchard = OrchardInstance.start(sim, dataDir, null, Clock.systemUTC(), "node-a", Map.of());

        long id = orchard.post("/api/v1/accounts", ADMIN_TOKEN, "{\"sToken\":\"" + location.get("sToken").asString()
                + "\",\"takeOver\":true}").json().get("id").asLong();
        orchard.awaitSyncs(id, 1);

        JsonNode run = orchard.get("/api/v1/accounts/" + id + "/sync", ADMIN_TOKEN).json().get("history").get(0);
        assertThat(run.get("result").asString()).isEqualTo("OK");
        assertThat(run.get("items").asLong()).isEqualTo(1503);
        List<String> refused = new ArrayList<>();
        int assignmentRequests = 0;
        for (JsonNode r : control.get("requests?uId=" + uId)) {
            if (r.get("status").asInt() == 429) {
                refused.add(r.get("time").asString() + " " + r.get("path").asString());
            }
            if (r.get("path").asString().endsWith("/assignments")) {
                assignmentRequests++;
            }
        }
        assertThat(refused).as("requests Apple refused for exceeding maxRequestPerSecond").isEmpty();
        assertThat(assignmentRequests).as("one request per page (1,500 / 50)").isEqualTo(30);
    }
}
