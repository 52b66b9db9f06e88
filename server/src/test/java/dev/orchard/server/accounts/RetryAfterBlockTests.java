package dev.orchard.server.accounts;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.github.kagkarlsson.scheduler.SchedulerClient;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.Await;
import dev.orchard.server.MutableClock;
import dev.orchard.server.OrchardInstance;
import dev.orchard.server.SimControl;
import tools.jackson.databind.JsonNode;

/**
 * Rule R1 end to end: a 503 with Retry-After blocks the account (and only it) until the time given, nothing
 * reaches Apple inside the window (the simulator's request log proves it), deferred work completes afterwards,
 * and the block survives a restart.
 */
class RetryAfterBlockTests {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));

    @TempDir
    Path dataDir;
    AppleSimulator sim;
    SimControl control;
    OrchardInstance orchard;

    @BeforeEach
    void start() {
        sim = AppleSimulator.builder().demoSeed().rateLimit(0).clock(clock).start();
        control = new SimControl(sim);
        orchard = OrchardInstance.start(sim, dataDir, null, clock, "node-a", Map.of());
    }

    @AfterEach
    void stop() {
        orchard.close();
        sim.stop();
    }

    private long add(String org) {
        var location = sim.location(org);
        var r = orchard.post("/api/v1/accounts", ADMIN_TOKEN, "{\"sToken\":\"" + location.sToken() + "\",\"takeOver\":true}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        long id = r.json().get("id").asLong();
        orchard.awaitSyncs(id, 1); // the first sync, started by adding, is done before faults are injected
        return id;
    }

    private JsonNode account(long id) {
        return orchard.get("/api/v1/accounts/" + id, ADMIN_TOKEN).json();
    }

    private Instant refreshScheduledAt(long id) {
        return orchard.bean(SchedulerClient.class).getScheduledExecution(AccountTasks.REFRESH.instanceId(Long.toString(id)))
                .orElseThrow().getExecutionTime();
    }

    @Test
    void aRetryAfterBlocksOnlyThatAccountUntilTheTimeGivenAndDeferredWorkCompletesAfterIt() {
        long us = add("Orchard Demo Corp");
        long de = add("Orchard Demo GmbH");
        String usUid = sim.location("Orchard Demo Corp").uId();
        control.delete("requests");
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"status\":503,\"retryAfterSeconds\":120,\"count\":1}");
        Instant until = clock.instant().plusSeconds(120);

        orchard.post("/api/v1/accounts/" + us + "/refresh", ADMIN_TOKEN, null);
        Await.until("the account is blocked", () -> "BLOCKED".equals(account(us).get("state").asString()));
        assertThat(account(us).get("blockedUntil").asString()).isEqualTo(until.toString());
        Await.until("the refresh is deferred to the block's end", () -> refreshScheduledAt(us).equals(until));
        control.delete("requests");

        // inside the window: queued work waits, direct calls are refused, nothing is sent to Apple for this account
        orchard.post("/api/v1/accounts/" + us + "/refresh", ADMIN_TOKEN, null);
        var direct = orchard.post("/api/v1/accounts/" + us + "/claim", ADMIN_TOKEN, null);
        assertThat(direct.status()).isEqualTo(503);
        assertThat(direct.json().get("type").asString()).endsWith("/account-blocked");
        assertThat(direct.header("Retry-After")).isEqualTo("121");
        clock.advance(Duration.ofSeconds(119));
        Await.until("the refresh is still deferred", () -> refreshScheduledAt(us).equals(until));
        assertThat(control.appleRequests(usUid).size()).isZero();

        // the other account is not affected
        orchard.post("/api/v1/accounts/" + de + "/refresh", ADMIN_TOKEN, null);
        Await.until("the other account is read", () -> control.appleRequests(sim.location("Orchard Demo GmbH").uId()).size() == 1);
        assertThat(account(de).get("state").asString()).isEqualTo("ACTIVE");

        // after the window the deferred refresh runs by itself
        clock.advance(Duration.ofSeconds(2));
        Await.until("the deferred refresh reached Apple", () -> control.appleRequests(usUid).size() == 1);
        JsonNode request = control.appleRequests(usUid).get(0);
        assertThat(request.get("path").asString()).isEqualTo("/mdm/v2/client/config");
        assertThat(request.get("status").asInt()).isEqualTo(200);
        Await.until("the account is active", () -> "ACTIVE".equals(account(us).get("state").asString()));
        assertThat(account(us).get("lastContactAt").asString()).isEqualTo(clock.instant().toString());
    }

    @Test
    void theBlockSurvivesARestart() {
        long us = add("Orchard Demo Corp");
        String usUid = sim.location("Orchard Demo Corp").uId();
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"status\":429,\"errorNumber\":9646,\"retryAfterSeconds\":300}");
        orchard.post("/api/v1/accounts/" + us + "/refresh", ADMIN_TOKEN, null);
        Await.until("the account is blocked", () -> "BLOCKED".equals(account(us).get("state").asString()));
        Instant until = clock.instant().plusSeconds(300);

        orchard.close();
        control.delete("requests");
        orchard = OrchardInstance.start(sim, dataDir, null, clock, "node-a", Map.of());

        assertThat(account(us).get("state").asString()).isEqualTo("BLOCKED");
        assertThat(account(us).get("blockedUntil").asString()).isEqualTo(until.toString());
        orchard.post("/api/v1/accounts/" + us + "/refresh", ADMIN_TOKEN, null);
        Await.until("the refresh is deferred", () -> refreshScheduledAt(us).equals(until));
        assertThat(control.appleRequests(usUid).size()).isZero();

        clock.advance(Duration.ofSeconds(301));
        Await.until("the refresh reached Apple after the block", () -> control.appleRequests(usUid).size() == 1);
        Await.until("the account is active", () -> "ACTIVE".equals(account(us).get("state").asString()));
    }

    @Test
    void withoutRetryAfterTheBackoffGrowsExponentiallyWithJitter() {
        long us = add("Orchard Demo Corp");
        String usUid = sim.location("Orchard Demo Corp").uId();
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"status\":503,\"count\":2}");
        control.delete("requests");

        orchard.post("/api/v1/accounts/" + us + "/refresh", ADMIN_TOKEN, null);
        Await.until("first backoff", () -> account(us).get("blockedUntil").isString());
        Instant first = Instant.parse(account(us).get("blockedUntil").asString());
        assertThat(Duration.between(clock.instant(), first).toSeconds()).isBetween(24L, 36L);

        clock.set(first.plusSeconds(1));
        Await.until("second backoff", () -> account(us).get("blockedUntil").isString()
                && Instant.parse(account(us).get("blockedUntil").asString()).isAfter(first.plusSeconds(1)));
        Instant second = Instant.parse(account(us).get("blockedUntil").asString());
        assertThat(Duration.between(clock.instant(), second).toSeconds()).isBetween(48L, 72L);

        clock.set(second.plusSeconds(1));
        Await.until("recovered", () -> "ACTIVE".equals(account(us).get("state").asString())
                && control.appleRequests(usUid).size() == 3);
    }
}
