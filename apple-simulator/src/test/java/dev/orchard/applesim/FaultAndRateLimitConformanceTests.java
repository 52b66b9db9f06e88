package dev.orchard.applesim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class FaultAndRateLimitConformanceTests extends SimulatorFixture {

    @Override
    AppleSimulator.Builder configure(AppleSimulator.Builder builder) {
        // a frozen clock puts every request in the same second, so the rate limit is exact
        return super.configure(builder).clock(Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC));
    }

    @Test
    void moreThanMaxRequestPerSecondIsRefusedWith429And9646() {
        http.control("POST", "settings", "{\"rateLimit\":15}");
        int ok = 0;
        SimHttp.Response refused = null;
        for (int i = 0; i < 20; i++) {
            var r = http.get("mdm/v2/assets", token);
            if (r.status() == 200) {
                ok++;
            } else {
                refused = r;
            }
        }

        assertThat(ok).isEqualTo(15);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.errorNumber()).isEqualTo(9646);
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(http.get("mdm/v2/assets", otherToken).status()).as("another token has its own budget").isEqualTo(200);
    }

    @Test
    void serviceConfigAdvertisesTheRateItEnforces() {
        http.control("POST", "settings", "{\"rateLimit\":8}");
        assertThat(advertisedRate()).isEqualTo(8);

        http.control("POST", "settings", "{\"rateLimit\":0}");
        assertThat(advertisedRate()).as("unlimited: a number no client reaches").isEqualTo(Settings.UNLIMITED_ADVERTISED_RATE);
        for (int i = 0; i < 40; i++) {
            assertThat(http.get("mdm/v2/assets", token).status()).isEqualTo(200);
        }

        http.control("POST", "settings", "{\"limits\":{\"maxRequestPerSecond\":3,\"maxAssets\":10}}");
        assertThat(http.control("GET", "settings", null).body().get("rateLimit").asInt()).as("one rate, set either way").isEqualTo(3);
        assertThat(advertisedRate()).isEqualTo(3);
        assertThat(http.get("mdm/v2/service/config", null).body().get("limits").get("maxAssets").asInt()).isEqualTo(10);
        int ok = 0;
        for (int i = 0; i < 5; i++) {
            ok += http.get("mdm/v2/assets", token).status() == 200 ? 1 : 0;
        }
        assertThat(ok).isEqualTo(3);
    }

    private int advertisedRate() {
        return http.get("mdm/v2/service/config", null).body().get("limits").get("maxRequestPerSecond").asInt();
    }

    @Test
    void injected503WithRetryAfterHitsOnlyTheMatchingLocationAndPath() {
        http.control("POST", "faults", "{\"uId\":\"" + MAIN + "\",\"path\":\"assets\",\"status\":503,"
                + "\"retryAfterSeconds\":120,\"count\":2}");

        assertThat(http.get("mdm/v2/assets", otherToken).status()).isEqualTo(200);
        assertThat(http.get("mdm/v2/assignments", token).status()).isEqualTo(200);
        var first = http.get("mdm/v2/assets", token);
        assertThat(first.status()).isEqualTo(503);
        assertThat(first.errorNumber()).isEqualTo(9729);
        assertThat(first.header("Retry-After")).isEqualTo("120");
        assertThat(http.get("mdm/v2/assets", token).status()).isEqualTo(503);
        assertThat(http.get("mdm/v2/assets", token).status()).isEqualTo(200);
    }

    @Test
    void internalErrorAndErrorBodyWithStatus200() {
        http.control("POST", "faults", "{\"status\":500,\"errorNumber\":9603}");
        var internal = http.get("mdm/v2/client/config", token);
        assertThat(internal.status()).isEqualTo(500);
        assertThat(internal.errorNumber()).isEqualTo(9603);

        http.control("POST", "faults", "{\"status\":200,\"errorNumber\":9622,\"errorMessage\":\"Invalid authentication token\"}");
        var okWithError = http.get("mdm/v2/client/config", token);
        assertThat(okWithError.status()).isEqualTo(200);
        assertThat(okWithError.errorNumber()).isEqualTo(9622);
    }

    @Test
    void droppedConnectionsAndSlowAnswers() {
        // a POST is not retried by the HTTP client, so the dropped connection surfaces as an I/O error
        http.control("POST", "faults", "{\"path\":\"assets/associate\",\"drop\":true}");
        assertThatThrownBy(() -> http.post("mdm/v2/assets/associate", token,
                "{\"assets\":[{\"adamId\":\"100002\"}],\"serialNumbers\":[\"D1\"]}"))
                .isInstanceOf(UncheckedIOException.class);
        assertThat(http.get("mdm/v2/assignments?serialNumber=D1", token).body().get("assignments").size()).isZero();
        assertThat(http.control("GET", "faults", null).body().size()).isZero();

        http.control("POST", "faults", "{\"path\":\"users\",\"delayMs\":150}");
        long started = System.nanoTime();
        assertThat(http.get("mdm/v2/users", token).status()).isEqualTo(200);
        assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(150);
    }

    @Test
    void maintenanceFailsTheNextEventAsynchronously() {
        http.control("POST", "faults", "{\"uId\":\"" + MAIN + "\",\"asyncErrorNumber\":9644}");

        var status = awaitEvent(associate("{\"assets\":[{\"adamId\":\"100002\"}],\"serialNumbers\":[\"M1\",\"M2\"]}")).body();

        assertThat(status.get("eventStatus").asString()).isEqualTo("FAILED");
        assertThat(status.get("numCompleted").asInt()).isZero();
        assertThat(status.get("failures").get(0).get("errorNumber").asInt()).isEqualTo(9644);
        assertThat(http.get("mdm/v2/assignments?serialNumber=M1", token).body().get("assignments").size()).isZero();
        assertThat(http.control("GET", "faults", null).body().size()).isZero();
    }

    @Test
    void aFaultNeedsSomethingToDo() {
        var r = http.control("POST", "faults", "{\"uId\":\"x\"}");
        assertThat(r.status()).isEqualTo(400);
    }
}
