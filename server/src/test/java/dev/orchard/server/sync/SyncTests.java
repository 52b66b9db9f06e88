package dev.orchard.server.sync;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
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
import tools.jackson.databind.JsonNode;

/** Sync end to end against the simulator (rule R5), on H2; {@link PostgresSyncTests} runs the same on PostgreSQL. */
class SyncTests {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));

    @TempDir
    Path dataDir;
    AppleSimulator sim;
    SimControl control;
    OrchardInstance orchard;
    String uId;
    long id;

    @BeforeEach
    void start() {
        sim = AppleSimulator.builder().demoSeed().rateLimit(0).eventDelayMs(0).notificationRetryDelayMs(10).clock(clock).start();
        control = new SimControl(sim);
        control.post("settings", "{\"pageSize\":3}");
        startOrchard();
        var location = sim.location("Orchard Demo Corp");
        uId = location.uId();
        id = orchard.post("/api/v1/accounts", ADMIN_TOKEN, "{\"sToken\":\"" + location.sToken() + "\",\"takeOver\":true}")
                .json().get("id").asLong();
        awaitRuns(1);
    }

    /** The database Orchard runs on; null is the embedded H2 file. */
    String databaseUrl() {
        return null;
    }

    private String url;

    private void startOrchard() {
        if (url == null) {
            url = databaseUrl();
        }
        int port = OrchardInstance.freePort();
        orchard = OrchardInstance.start(sim, dataDir, url, clock, "node-a",
                Map.of("server.port", port, "orchard.public-url", "http://127.0.0.1:" + port + "/"));
    }

    @AfterEach
    void stop() {
        orchard.close();
        sim.stop();
    }

    private JsonNode status() {
        return orchard.get("/api/v1/accounts/" + id + "/sync", ADMIN_TOKEN).json();
    }

    private void awaitRuns(int finished) {
        Await.until(finished + " finished sync runs", () -> {
            JsonNode s = status();
            long done = 0;
            for (JsonNode r : s.get("history")) {
                if (!"RUNNING".equals(r.get("result").asString())) {
                    done++;
                }
            }
            return done >= finished && s.get("progress").get("runId").isNull();
        });
    }

    private void syncAndWait(String query) {
        int before = status().get("history").size();
        orchard.post("/api/v1/accounts/" + id + "/sync" + query, ADMIN_TOKEN, null);
        awaitRuns(before + 1);
    }

    private long licenses(String where) {
        return orchard.bean(JdbcClient.class).sql("select count(*) from licenses where account_id = ? " + where)
                .param(id).query(Long.class).single();
    }

    private JsonNode pool(String adamId) {
        for (JsonNode app : orchard.get("/api/v1/accounts/" + id + "/apps", ADMIN_TOKEN).json()) {
            if (app.get("adamId").asString().equals(adamId)) {
                return app.get("pools").get(0);
            }
        }
        throw new AssertionError("no pool " + adamId);
    }

    private int simAssignments() {
        return control.get("locations/" + uId).get("assignments").asInt();
    }

    @Test
    void aFullThenIncrementalSyncFollowsWhatChangesAtApple() {
        JsonNode first = status().get("history").get(0);
        assertThat(first.get("kind").asString()).isEqualTo("FULL");
        assertThat(first.get("result").asString()).isEqualTo("OK");
        assertThat(licenses("")).isEqualTo(simAssignments());
        assertThat(pool("361309726").get("total").asLong()).isEqualTo(250);
        assertThat(pool("408709785").get("unlimited").asBoolean()).isTrue();
        // metadata is fetched by its own task right after the sync, with the account's token (custom apps too)
        Await.until("app metadata", () -> orchard.get("/api/v1/apps", ADMIN_TOKEN).json().findValuesAsString("name")
                .containsAll(java.util.List.of("Orchard Inspections (custom)", "Security Handbook 2026")));

        control.post("locations/" + uId + "/assignments", "{\"adamId\":\"361309726\",\"serialNumber\":\"NEW-EXT-1\"}");
        control.post("locations/" + uId + "/assignments/remove", "{\"adamId\":\"361309726\",\"serialNumber\":\"C02DEMO00002\"}");
        control.post("locations/" + uId + "/purchases", "{\"adamId\":\"1091189122\",\"count\":-5}");
        syncAndWait("");

        // the purchase's notification asks for a sync of its own, so the changes may come over one or two runs
        long added = 0;
        long removed = 0;
        for (JsonNode run : status().get("history")) {
            if (!run.get("kind").asString().equals("FULL")) {
                assertThat(run.get("kind").asString()).isEqualTo("INCREMENTAL");
                added += run.get("added").asLong();
                removed += run.get("removed").asLong();
            }
        }
        assertThat(added).isEqualTo(1);
        assertThat(removed).isEqualTo(1);
        assertThat(licenses("and serial_number = 'NEW-EXT-1'")).isEqualTo(1);
        assertThat(licenses("and serial_number = 'C02DEMO00002'")).isZero();
        assertThat(licenses("")).isEqualTo(simAssignments());
        assertThat(pool("1091189122").get("total").asLong()).isEqualTo(25);
        assertThat(pool("361309726").get("assigned").asLong()).isEqualTo(4);
    }

    @Test
    void aLicenseOrchardAssignedIsConfirmedAmongPagesOfNewOnes() {
        for (int i = 0; i < 30; i++) {
            control.post("locations/" + uId + "/assignments", "{\"adamId\":\"408709785\",\"serialNumber\":\"LATE-" + i + "\"}");
        }
        // Orchard's own assignment, not yet confirmed, on a page that follows pages of licenses the ledger lacks
        orchard.bean(JdbcClient.class).sql("insert into licenses (account_id, adam_id, pricing_param, serial_number, origin, "
                + "since, intent) values (?, '408709785', 'STDQ', 'LATE-25', 'ORCHARD', ?, 'ASSIGN')")
                .params(id, Timestamp.from(clock.instant())).update();

        syncAndWait("?full=true");

        JsonNode run = status().get("history").get(0);
        assertThat(run.get("result").asString()).isEqualTo("OK");
        assertThat(run.get("added").asLong()).isEqualTo(29);
        var late25 = orchard.bean(JdbcClient.class).sql("select origin, intent, confirmed_at from licenses "
                + "where account_id = ? and serial_number = 'LATE-25'").param(id).query().listOfRows();
        assertThat(late25).hasSize(1);
        assertThat(late25.get(0).get("origin")).isEqualTo("ORCHARD");
        assertThat(late25.get(0).get("intent")).as("confirmed by the read").isNull();
        assertThat(late25.get(0).get("confirmed_at")).isNotNull();
        assertThat(licenses("")).isEqualTo(simAssignments());
    }

    @Test
    void aSyncRequestedWhileOneRunsRunsRightAfterIt() {
        control.post("locations/" + uId + "/generate", "{\"assets\":2,\"assignments\":600}"); // 200 pages of 3
        orchard.post("/api/v1/accounts/" + id + "/sync?full=true", ADMIN_TOKEN, null);
        Await.until("the sync runs", () -> !status().get("progress").get("runId").isNull());
        int before = status().get("history").size();
        orchard.post("/api/v1/accounts/" + id + "/sync", ADMIN_TOKEN, null); // cannot move the running instance
        awaitRuns(before + 1); // the running one and the one asked for meanwhile, not 30 minutes later
        assertThat(status().get("history").get(0).get("result").asString()).isEqualTo("OK");
    }

    @Test
    void anUnknownVersionLeadsToAFullRead() {
        control.post("locations/" + uId + "/reset-versions", null);
        control.post("locations/" + uId + "/assignments", "{\"adamId\":\"408709785\",\"serialNumber\":\"AFTER-RESET\"}");

        syncAndWait("");

        assertThat(status().get("history").get(0).get("kind").asString()).isEqualTo("FULL");
        assertThat(licenses("and serial_number = 'AFTER-RESET'")).isEqualTo(1);
        var requests = control.appleRequests(uId);
        assertThat(requests.toString()).contains("sinceVersionId");
        assertThat(requests.findValuesAsString("status")).contains("400");
    }

    @Test
    void anInterruptedSyncResumesAtItsPageEvenAcrossARestartWithoutDuplicates() {
        for (int i = 0; i < 10; i++) {
            control.post("locations/" + uId + "/assignments", "{\"adamId\":\"408709785\",\"serialNumber\":\"RES-" + i + "\"}");
        }
        control.post("faults", "{\"uId\":\"" + uId + "\",\"path\":\"assignments\",\"query\":\"pageIndex=2\","
                + "\"status\":503,\"retryAfterSeconds\":60}");
        control.delete("requests");
        orchard.post("/api/v1/accounts/" + id + "/sync?full=true", ADMIN_TOKEN, null);
        Await.until("the sync stops at page 2", () -> "BLOCKED".equals(
                orchard.get("/api/v1/accounts/" + id, ADMIN_TOKEN).json().get("state").asString()));
        JsonNode progress = status().get("progress");
        assertThat(progress.get("phase").asString()).isEqualTo("ASSIGNMENTS");
        assertThat(progress.get("nextPage").asInt()).isEqualTo(2);

        orchard.close();
        control.delete("requests");
        startOrchard();
        clock.advance(Duration.ofSeconds(61));
        awaitRuns(2);

        var pages = control.appleRequests(uId).findValuesAsString("query");
        assertThat(pages).filteredOn(q -> q.contains("pageIndex=0")).isEmpty();
        assertThat(pages).anyMatch(q -> q.contains("pageIndex=2"));
        assertThat(licenses("")).isEqualTo(simAssignments());
        assertThat(orchard.bean(JdbcClient.class).sql("select count(*) from (select adam_id, serial_number from licenses "
                + "where serial_number is not null group by adam_id, serial_number having count(*) > 1) d")
                .query(Long.class).single()).isZero();
    }

    @Test
    void aVersionChangeDuringAFullReadSchedulesAnotherFullRead() {
        control.post("faults", "{\"uId\":\"" + uId + "\",\"path\":\"assignments\",\"query\":\"pageIndex=1\",\"delayMs\":400}");
        orchard.post("/api/v1/accounts/" + id + "/sync?full=true", ADMIN_TOKEN, null);
        Await.until("page 1 is being served", () -> control.get("faults").size() == 0);
        control.post("locations/" + uId + "/assignments", "{\"adamId\":\"408709785\",\"serialNumber\":\"MID-WALK\"}");
        awaitRuns(2);

        JsonNode run = status().get("history").get(0);
        assertThat(run.get("message").asString()).contains("full read follows");
        // the run is recorded as finished just before its task schedules the follow-up (a minute from then): moving
        // the clock before that would put the follow-up a minute after the moved clock
        Await.until("the follow-up scheduled", () -> orchard.bean(JdbcClient.class).sql("select count(*) from scheduled_tasks "
                + "where task_name = 'account-sync' and task_instance = ? and picked = false").param(Long.toString(id))
                .query(Long.class).single() == 1);
        clock.advance(Duration.ofMinutes(2));
        Await.until("the follow-up full read", () -> status().get("history").size() >= 3
                && "OK".equals(status().get("history").get(0).get("result").asString())
                && status().get("history").get(0).get("message").isNull());
        assertThat(licenses("and serial_number = 'MID-WALK'")).isEqualTo(1);
    }

    @Test
    void notificationsAreAuthenticatedDeduplicatedAndMoveCountsAtOnce() throws Exception {
        control.post("settings", "{\"duplicateNotifications\":true}");
        String token = sim.location("Orchard Demo Corp").sToken();
        long assignedBefore = pool("361309726").get("assigned").asLong();

        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(sim.v2Uri().resolve("assets/associate"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"assets\":[{\"adamId\":\"361309726\"}],\"serialNumbers\":[\"NOTE-1\",\"NOTE-2\"]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Await.until("the notification and its duplicate were delivered", () -> control.get("notifications?uId=" + uId
                + "&type=ASSET_MANAGEMENT").findValuesAsString("delivered").stream().filter("true"::equals).count() == 2);

        // by the time Apple got its 200 the counts had moved: no waiting here
        assertThat(pool("361309726").get("assigned").asLong()).isEqualTo(assignedBefore + 2);
        assertThat(licenses("and serial_number in ('NOTE-1', 'NOTE-2')")).isEqualTo(2);
        assertThat(orchard.bean(JdbcClient.class).sql("select count(*) from apple_notifications where account_id = ? "
                + "and notification_type = 'ASSET_MANAGEMENT'").param(id).query(Long.class).single()).isEqualTo(1);

        // a sync whose assets page was requested before the purchase would still write Apple's older total (pools
        // have two writers, Apple's snapshots and these deltas): this part is about the notification, so no sync
        // runs meanwhile
        Await.until("no sync running", () -> status().get("progress").get("runId").isNull());
        int runs = status().get("history").size();
        control.post("locations/" + uId + "/purchases", "{\"adamId\":\"361309726\",\"count\":7}");
        // both deliveries: the simulator sends the duplicate at the same time, and a duplicate is answered 200 as soon
        // as it is recognised, possibly while the first delivery's request is still applying the delta
        Await.until("ASSET_COUNT and its duplicate delivered", () -> control.get("notifications?uId=" + uId + "&type=ASSET_COUNT")
                .findValuesAsString("delivered").stream().filter("true"::equals).count() == 2);
        assertThat(pool("361309726").get("total").asLong()).isEqualTo(257);
        // and the notification asks for a sync, whose read of Apple's own counts settles whatever a delta met
        Await.until("the sync the purchase asked for", () -> status().get("history").size() > runs
                && status().get("progress").get("runId").isNull());
        assertThat(pool("361309726").get("total").asLong()).isEqualTo(257);
    }

    @Test
    void theDriftReportShowsBothKindsOfDifference() {
        orchard.bean(JdbcClient.class).sql("insert into licenses (account_id, adam_id, pricing_param, serial_number, origin, since) "
                + "values (?, '361309726', 'STDQ', 'ONLY-IN-ORCHARD', 'ORCHARD', ?)")
                .params(id, Timestamp.from(clock.instant().minusSeconds(60))).update();

        syncAndWait("?full=true");

        JsonNode drift = orchard.get("/api/v1/accounts/" + id + "/drift", ADMIN_TOKEN).json();
        assertThat(drift.get("assignedByOrchardMissingAtApple").asLong()).isEqualTo(1);
        assertThat(drift.get("missingAtApple").get(0).get("serialNumber").asString()).isEqualTo("ONLY-IN-ORCHARD");
        assertThat(drift.get("missingAtApple").get(0).get("missingSince").isString()).isTrue();
        assertThat(drift.get("foundAtAppleNotAssignedByOrchard").asLong()).isEqualTo(simAssignments());
        assertThat(licenses("and serial_number = 'ONLY-IN-ORCHARD'")).as("never silently removed").isEqualTo(1);
    }

    @Test
    void licensesAreFilteredAndPaged() {
        JsonNode page = orchard.get("/api/v1/licenses?accountId=" + id + "&limit=4", ADMIN_TOKEN).json();
        assertThat(page.get("items").size()).isEqualTo(4);
        String after = page.get("next").asString();
        JsonNode rest = orchard.get("/api/v1/licenses?accountId=" + id + "&limit=100&after=" + after, ADMIN_TOKEN).json();
        assertThat(rest.get("items").size() + 4).isEqualTo(simAssignments());
        assertThat(rest.get("next").isNull()).as("the last page").isTrue();
        assertThat(orchard.get("/api/v1/licenses?after=x", ADMIN_TOKEN).status()).isEqualTo(400);
        assertThat(orchard.get("/api/v1/licenses?clientUserId=u-alice", ADMIN_TOKEN).json().get("items").size()).isEqualTo(2);
        assertThat(orchard.get("/api/v1/licenses?origin=NOPE", ADMIN_TOKEN).status()).isEqualTo(400);
        assertThat(orchard.get("/api/v1/apps/361309726/availability?country=DE&accountId=" + id, ADMIN_TOKEN).json()
                .get("available").asBoolean()).isTrue();
        assertThat(orchard.get("/api/v1/apps/361309726/availability?country=JP&accountId=" + id, ADMIN_TOKEN).json()
                .get("available").asBoolean()).isFalse();
    }
}
