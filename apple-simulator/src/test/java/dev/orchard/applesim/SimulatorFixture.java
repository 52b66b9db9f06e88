package dev.orchard.applesim;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Starts a simulator with the conformance seed for each test: no rate limit, events finish at once. */
abstract class SimulatorFixture {

    static final String MAIN = "1000000000000001";
    static final String OTHER = "2000000000000002";

    AppleSimulator sim;
    SimHttp http;
    String token;
    String otherToken;

    AppleSimulator.Builder configure(AppleSimulator.Builder builder) {
        return builder.rateLimit(0).eventDelayMs(0).notificationRetryDelayMs(20);
    }

    @BeforeEach
    void startSimulator() {
        sim = configure(AppleSimulator.builder().seedJson(seed())).start();
        http = new SimHttp(sim.baseUri());
        token = sim.location("Conformance Org").sToken();
        otherToken = sim.location("Other Org").sToken();
    }

    @AfterEach
    void stopSimulator() {
        sim.stop();
    }

    static String seed() {
        try (InputStream in = SimulatorFixture.class.getResourceAsStream("conformance-seed.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the event is no longer PENDING and returns its final status body. */
    SimHttp.Response awaitEvent(String eventId) {
        SimHttp.Response[] last = new SimHttp.Response[1];
        Await.until("event " + eventId + " ends", () -> {
            last[0] = http.get("mdm/v2/status?eventId=" + eventId, token);
            return !"PENDING".equals(last[0].body().path("eventStatus").asString());
        });
        return last[0];
    }

    String associate(String json) {
        SimHttp.Response r = http.post("mdm/v2/assets/associate", token, json);
        if (r.status() != 200) {
            throw new AssertionError("associate refused: " + r.body());
        }
        return r.body().get("eventId").asString();
    }

    SimHttp.Response asset(String adamId, String pricing) {
        return http.get("mdm/v2/assets?adamId=" + adamId + "&pricingParam=" + pricing, token);
    }
}
