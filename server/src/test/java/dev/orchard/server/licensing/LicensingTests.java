package dev.orchard.server.licensing;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
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
import tools.jackson.databind.JsonNode;

/**
 * The licensing engine end to end against the simulator: labels → decisions → batched Apple operations →
 * notifications; every reclaim trigger (R4a–d), the waitlist filled by a purchase, partial failures, a Retry-After
 * in the middle of a batch and a restart with operations in flight. {@link PostgresLicensingTests} runs the same
 * on PostgreSQL.
 */
class LicensingTests {

    static final String FIELD_NOTES = "361309726";
    static final String BOOK = "1187654321";

    final MutableClock clock = MutableClock.ticking(Instant.parse("2026-11-28T10:00:00Z"));

    @TempDir
    Path dataDir;
    AppleSimulator sim;
    SimControl control;
    OrchardInstance orchard;
    String usUid;
    long us;
    String url;

    String databaseUrl() {
        return null;
    }

    @BeforeEach
    void start() {
        sim = AppleSimulator.builder().demoSeed().rateLimit(0).eventDelayMs(0).notificationRetryDelayMs(10).clock(clock).start();
        control = new SimControl(sim);
        url = databaseUrl();
        startOrchard();
        var location = sim.location("Orchard Demo Corp");
        usUid = location.uId();
        us = call("POST", "/api/v1/accounts", "{\"sToken\":\"" + location.sToken() + "\",\"takeOver\":true}").get("id").asLong();
        orchard.awaitSyncs(us, 1);
    }

    int port;
    final Map<String, Object> settings = new java.util.HashMap<>();

    /** Starts (or restarts) Orchard on the same port: Apple keeps sending notifications to the registered URL. */
    void startOrchard() {
        port = port == 0 ? OrchardInstance.freePort() : port;
        var p = new java.util.HashMap<String, Object>(settings);
        p.put("server.port", port);
        p.put("orchard.public-url", "http://127.0.0.1:" + port + "/");
        orchard = OrchardInstance.start(sim, dataDir, url, clock, "node-a", p);
    }

    @AfterEach
    void stop() {
        orchard.close();
        sim.stop();
    }

    JsonNode call(String method, String path, String json) {
        var r = orchard.method(method, path, ADMIN_TOKEN, json);
        assertThat(r.status()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
        return r.body().isEmpty() ? null : r.json();
    }

    JdbcClient db() {
        return orchard.bean(JdbcClient.class);
    }

    long count(String sql, Object... params) {
        return db().sql(sql).params(params).query(Long.class).single();
    }

    /** Waits until a licensing pass has run after the last change and the outbox has nothing in flight. */
    void settle() {
        try {
            awaitSettled();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; pass " + db().sql("select * from licensing_pass").query().listOfRows()
                    + "; outbox " + db().sql("select action, state, count(*) from operation_targets group by action, state").query().listOfRows()
                    + "; tasks " + db().sql("select task_name, task_instance, execution_time, picked from scheduled_tasks").query().listOfRows()
                    + "; now " + clock.instant() + "; notifications " + control.get("notifications"), e);
        }
    }

    void awaitSettled() {
        Await.until("the licensing pass and the outbox to settle", () -> count("select count(*) from licensing_pass "
                + "where running = false and requests = served and finished_at is not null") == 1
                && count("select count(*) from operation_targets where state in ('SENDING', 'SENT') "
                + "or (state = 'QUEUED' and not_before <= ?)", java.sql.Timestamp.from(clock.instant())) == 0);
    }

    long simRequests(String path, int status) {
        long n = 0;
        for (JsonNode r : control.get("requests?path=/mdm/v2/" + path + "&uId=" + usUid)) {
            if (r.get("status").asInt() == status) {
                n++;
            }
        }
        return n;
    }

    void label(String json) {
        call("POST", "/api/v1/labels", json);
    }

    void usDevicesGetFieldNotes() {
        label("{\"kind\":\"LICENSE\",\"name\":\"US iPhones\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"RULE\",\"platform\":\"iOS\"}]}");
        label("{\"kind\":\"APP\",\"name\":\"Field Notes\",\"adamIds\":[\"" + FIELD_NOTES + "\"],\"targets\":[{\"type\":\"ALL\"}]}");
    }

    String phones(String prefix, int n) {
        var list = new ArrayList<String>();
        for (int i = 1; i <= n; i++) {
            list.add("{\"serialNumber\":\"" + prefix + i + "\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"country\":\"US\"}");
        }
        return "[" + String.join(",", list) + "]";
    }

    long orchardLicenses(String where) {
        return count("select count(*) from licenses where origin = 'ORCHARD' " + where);
    }

    @Test
    void labelsAssignDeviceLicensesInOneRequestThatAppleConfirms() {
        long assignedBefore = count("select assigned_count from pools where account_id = ? and adam_id = ?", us, FIELD_NOTES);
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("TESTPHONE", 5));
        settle();

        assertThat(orchardLicenses("and serial_number like 'TESTPHONE%' and intent is null and confirmed_at is not null")).isEqualTo(5);
        assertThat(simRequests("assets/associate", 200)).isEqualTo(1);
        assertThat(count("select assigned_count from pools where account_id = ? and adam_id = ?", us, FIELD_NOTES))
                .isEqualTo(assignedBefore + 5);
        JsonNode ops = call("GET", "/api/v1/operations", null).get("items");
        assertThat(ops).hasSize(1);
        assertThat(ops.get(0).get("state").asString()).isEqualTo("COMPLETE");
        assertThat(ops.get(0).get("targetCount").asInt()).isEqualTo(5);
        assertThat(ops.get(0).get("eventId").asString()).isNotBlank();
        assertThat(call("GET", "/api/v1/audit?action=LICENSE_ASSIGNED", null).get("items")).hasSize(5);

        // a second pass changes nothing: licenses are reused, never duplicated
        call("POST", "/api/v1/licensing/pass", null);
        settle();
        assertThat(simRequests("assets/associate", 200)).isEqualTo(1);
        assertThat(orchardLicenses("and serial_number like 'TESTPHONE%'")).isEqualTo(5);
    }

    @Test
    void aRetiredDeviceGivesBackItsLicenses() {
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("RETIRE", 2));
        settle();
        call("POST", "/api/v1/devices/RETIRE1/retire", null);
        settle();

        assertThat(orchardLicenses("and serial_number = 'RETIRE1'")).isZero();
        assertThat(orchardLicenses("and serial_number = 'RETIRE2'")).isEqualTo(1);
        assertThat(simRequests("assets/disassociate", 200)).isEqualTo(1);
        JsonNode audit = call("GET", "/api/v1/audit?action=LICENSE_RECLAIMED", null).get("items");
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).get("actor").asString()).isEqualTo("rule:R4b");
        assertThat(audit.get(0).get("subject").asString()).isEqualTo("device RETIRE1");
    }

    @Test
    void leavingTheGroupOfAnAppleLicenseLabelReclaims() {
        call("PUT", "/api/v1/users/ann", "{\"email\":\"ann@example.com\"}");
        call("PUT", "/api/v1/groups/sales", "{\"name\":\"Sales\"}");
        call("POST", "/api/v1/groups/sales/members", "{\"add\":[\"ann\"]}");
        label("{\"kind\":\"LICENSE\",\"name\":\"Sales\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"GROUP\",\"value\":\"sales\"}]}");
        label("{\"kind\":\"APP\",\"name\":\"Field Notes\",\"adamIds\":[\"" + FIELD_NOTES + "\"],\"targets\":[{\"type\":\"GROUP\",\"value\":\"sales\"}]}");
        call("PUT", "/api/v1/devices/ANNMAC01", "{\"serialNumber\":\"ANNMAC01\",\"platform\":\"macOS\",\"osVersion\":\"14.2\","
                + "\"country\":\"US\",\"ownerUserId\":\"ann\"}");
        settle();
        assertThat(orchardLicenses("and serial_number = 'ANNMAC01' and intent is null")).isEqualTo(1);

        call("POST", "/api/v1/groups/sales/members", "{\"remove\":[\"ann\"]}");
        settle();
        assertThat(orchardLicenses("and serial_number = 'ANNMAC01'")).isZero();
        assertThat(call("GET", "/api/v1/audit?action=LICENSE_RECLAIMED", null).get("items").get(0).get("actor").asString())
                .isEqualTo("rule:R4a");
    }

    @Test
    void anAppRemovedFromTheDeviceIsReclaimedAndNotPushedBack() {
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("REMOVE", 1));
        settle();
        call("PUT", "/api/v1/devices/REMOVE1/apps", "[{\"bundleId\":\"com.example.fieldnotes\",\"version\":\"14.2\",\"managed\":true}]");
        settle();
        assertThat(orchardLicenses("and serial_number = 'REMOVE1'")).isEqualTo(1);

        call("PUT", "/api/v1/devices/REMOVE1/apps", "[]");
        settle();
        assertThat(orchardLicenses("and serial_number = 'REMOVE1'")).isZero();
        call("POST", "/api/v1/licensing/pass", null);
        settle();
        assertThat(orchardLicenses("and serial_number = 'REMOVE1'")).as("opted out until asked again").isZero();
        JsonNode device = call("GET", "/api/v1/devices/REMOVE1", null);
        assertThat(device.get("waitlist").get(0).get("reason").asString()).contains("reclaimed on purpose");

        call("DELETE", "/api/v1/devices/REMOVE1/opt-outs/" + FIELD_NOTES, null);
        call("POST", "/api/v1/licensing/pass", null);
        settle();
        assertThat(orchardLicenses("and serial_number = 'REMOVE1'")).isEqualTo(1);
    }

    @Test
    void anAdministratorReclaimsAnAppWithADryRunFirst() {
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("ADMIN", 3));
        settle();
        long heldAtApple = count("select count(*) from licenses where account_id = ? and adam_id = ?", us, FIELD_NOTES);

        JsonNode dry = call("POST", "/api/v1/apps/" + FIELD_NOTES + "/reclaim?accountId=" + us + "&dryRun=true", null);
        assertThat(dry.get("licenses").asLong()).isEqualTo(heldAtApple);
        assertThat(count("select count(*) from operation_targets where action = 'DISASSOCIATE'")).isZero();

        JsonNode done = call("POST", "/api/v1/apps/" + FIELD_NOTES + "/reclaim?accountId=" + us, null);
        assertThat(done.get("licenses").asLong()).isEqualTo(heldAtApple);
        settle();
        assertThat(count("select count(*) from licenses where account_id = ? and adam_id = ?", us, FIELD_NOTES)).isZero();
        assertThat(control.get("locations/" + usUid).get("assignments").asInt())
                .isEqualTo((int) count("select count(*) from licenses where account_id = ?", us));
    }

    @Test
    void anAdministratorReclaimsAWholeAccount() {
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("ACCOUNT", 2));
        settle();
        long held = count("select count(*) from licenses where account_id = ? and intent is null", us);
        assertThat(held).isGreaterThan(2); // the demo organisation's own licenses and Orchard's two

        JsonNode dry = call("POST", "/api/v1/accounts/" + us + "/reclaim?dryRun=true", null);
        assertThat(dry.get("dryRun").asBoolean()).isTrue();
        assertThat(dry.get("licenses").asLong()).isEqualTo(held);
        assertThat(count("select count(*) from licenses where account_id = ? and intent = 'RECLAIM'", us)).isZero();
        assertThat(call("GET", "/api/v1/audit?action=RECLAIM_PREVIEWED", null).get("items")).hasSize(1);

        call("POST", "/api/v1/accounts/" + us + "/reclaim", null);
        settle();
        // user-based licenses of users Apple no longer knows may fail; device licenses are all gone
        assertThat(count("select count(*) from licenses where account_id = ? and serial_number is not null", us)).isZero();
        assertThat(orchard.method("POST", "/api/v1/accounts/999/reclaim", ADMIN_TOKEN, null).status()).isEqualTo(404);
    }

    @Test
    void aTargetWaitsWhenThePoolIsEmptyAndIsServedWhenLicensesAreBought() {
        control.post("locations/" + usUid + "/purchases", "{\"adamId\":\"900000001\",\"count\":2,\"productType\":\"App\","
                + "\"deviceAssignable\":true,\"revocable\":true,\"supportedPlatforms\":[\"iOS\"],\"name\":\"Scarce App\"}");
        Await.until("the new pool", () -> count("select count(*) from pools where adam_id = '900000001'") == 1);
        label("{\"kind\":\"LICENSE\",\"name\":\"US iPhones\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"RULE\",\"platform\":\"iOS\"}]}");
        label("{\"kind\":\"APP\",\"name\":\"Scarce\",\"adamIds\":[\"900000001\"],\"targets\":[{\"type\":\"SERIAL\",\"value\":\"WAIT1\"},"
                + "{\"type\":\"SERIAL\",\"value\":\"WAIT2\"},{\"type\":\"SERIAL\",\"value\":\"WAIT3\"}]}");
        call("POST", "/api/v1/devices", phones("WAIT", 3));
        settle();
        assertThat(orchardLicenses("and adam_id = '900000001'")).isEqualTo(2);
        JsonNode waiting = call("GET", "/api/v1/waitlist?kind=WAITING", null).get("items");
        assertThat(waiting).hasSize(1);
        assertThat(waiting.get(0).get("reason").asString()).contains("no license left");

        control.post("locations/" + usUid + "/purchases", "{\"adamId\":\"900000001\",\"count\":1}");
        settle();
        Await.until("the waiting device served", () -> orchardLicenses("and adam_id = '900000001' and intent is null") == 3);
        assertThat(call("GET", "/api/v1/waitlist?kind=WAITING", null).get("items")).isEmpty();
    }

    @Test
    void aTargetAppleRefusesForLackOfLicensesGoesOnTheWaitlist() {
        usDevicesGetFieldNotes();
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"path\":\"assets/associate\",\"asyncErrorNumber\":9709,\"count\":1}");
        call("POST", "/api/v1/devices", phones("FULL", 2));
        settle();
        assertThat(orchardLicenses("and serial_number like 'FULL%'")).isZero();
        JsonNode op = call("GET", "/api/v1/operations", null).get("items").get(0);
        assertThat(op.get("state").asString()).isEqualTo("FAILED");
        JsonNode detail = call("GET", "/api/v1/operations/" + op.get("id").asLong(), null);
        assertThat(detail.get("targets").findValuesAsString("state")).containsOnly("FAILED");
        assertThat(detail.get("targets").get(0).get("errorNumber").asInt()).isEqualTo(9709);
        assertThat(call("GET", "/api/v1/waitlist?kind=WAITING", null).get("items")).hasSize(2);
    }

    @Test
    void aRetryAfterInTheMiddleOfABatchHoldsTheRestUntilItEnds() {
        control.post("locations/" + usUid + "/purchases", "{\"adamId\":\"" + FIELD_NOTES + "\",\"count\":2000}");
        Await.until("the purchase", () -> count("select total_count from pools where account_id = ? and adam_id = ?", us, FIELD_NOTES) == 2250);
        usDevicesGetFieldNotes();
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"path\":\"assets/associate\",\"status\":503,\"retryAfterSeconds\":120,\"count\":1}");
        call("POST", "/api/v1/devices", phones("BATCH", 1500));
        Await.until("the block", () -> simRequests("assets/associate", 503) == 1
                && count("select count(*) from licensing_pass where running = false and requests = served") == 1);
        assertThat(simRequests("assets/associate", 200)).as("nothing is sent early").isZero();

        clock.advance(Duration.ofSeconds(121));
        settle();
        assertThat(simRequests("assets/associate", 200)).as("⌈1500 / 1000⌉ requests, each once").isEqualTo(2);
        assertThat(orchardLicenses("and serial_number like 'BATCH%' and intent is null")).isEqualTo(1500);
    }

    @Test
    void operationsInFlightSurviveARestartAndAreSentOnce() {
        usDevicesGetFieldNotes();
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"path\":\"assets/associate\",\"status\":503,\"retryAfterSeconds\":60,\"count\":1}");
        call("POST", "/api/v1/devices", phones("RESTART", 3));
        Await.until("the block", () -> simRequests("assets/associate", 503) == 1);
        orchard.close();

        clock.advance(Duration.ofSeconds(61));
        startOrchard();
        // the simulator's quick notification retries may all fall before the restarted node listens: then the
        // operation is completed by polling Apple's event status once no notification came within 5 minutes
        Await.until("the operation sent", () -> simRequests("assets/associate", 200) == 1);
        clock.advance(Duration.ofMinutes(5));
        settle();
        assertThat(simRequests("assets/associate", 200)).isEqualTo(1);
        assertThat(orchardLicenses("and serial_number like 'RESTART%' and intent is null")).isEqualTo(3);
        assertThat(count("select count(*) from operations")).isEqualTo(1);
    }

    @Test
    void aBookGoesToTheUserOnceAppleHasRegisteredThem() {
        call("PUT", "/api/v1/users/carol", "{\"email\":\"carol@example.com\",\"managedAppleId\":\"carol@appleid.example.com\"}");
        label("{\"kind\":\"LICENSE\",\"name\":\"Carol\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"USER\",\"value\":\"carol\"}]}");
        label("{\"kind\":\"APP\",\"name\":\"Handbook\",\"adamIds\":[\"" + BOOK + "\"],\"targets\":[{\"type\":\"USER\",\"value\":\"carol\"}]}");
        settle();

        assertThat(count("select count(*) from licenses where client_user_id = 'carol' and adam_id = ? and intent is null", BOOK)).isEqualTo(1);
        assertThat(simRequests("users/create", 200)).isEqualTo(1);
        assertThat(simRequests("assets/associate", 200)).isEqualTo(1);
        JsonNode user = call("GET", "/api/v1/users/carol", null);
        assertThat(user.get("appleUsers").get(0).get("status").asString()).isEqualTo("Associated");
    }

    @Test
    void aReclaimInItsGracePeriodCanBeCancelled() {
        orchard.close();
        settings.put("orchard.licensing.reclaim-grace", "1h");
        startOrchard();
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("GRACE", 1));
        settle();
        long license = count("select id from licenses where serial_number = 'GRACE1'");

        call("POST", "/api/v1/licenses/" + license + "/reclaim", null);
        assertThat(call("GET", "/api/v1/operations/queued", null)).hasSize(1);
        call("POST", "/api/v1/licenses/" + license + "/reclaim/cancel", null);
        assertThat(call("GET", "/api/v1/operations/queued", null)).isEmpty();
        clock.advance(Duration.ofHours(2));
        settle();
        assertThat(simRequests("assets/disassociate", 200)).isZero();
        assertThat(count("select count(*) from licenses where id = ? and intent is null", license)).isEqualTo(1);
        assertThat(call("GET", "/api/v1/audit?action=RECLAIM_CANCELLED", null).get("items")).hasSize(1);

        call("POST", "/api/v1/licenses/" + license + "/reclaim", null);
        clock.advance(Duration.ofMinutes(61));
        settle();
        assertThat(simRequests("assets/disassociate", 200)).isEqualTo(1);
        assertThat(count("select count(*) from licenses where id = ?", license)).isZero();
        assertThat(orchard.method("POST", "/api/v1/licenses/" + license + "/reclaim/cancel", ADMIN_TOKEN, null).status()).isEqualTo(409);
    }

    @Test
    void aUserAppleLostIsRegisteredAgainAndTheAssignmentRetried() {
        call("PUT", "/api/v1/users/dave", "{\"email\":\"dave@example.com\"}");
        label("{\"kind\":\"LICENSE\",\"name\":\"Dave\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"USER\",\"value\":\"dave\"}]}");
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"path\":\"assets/associate\",\"asyncErrorNumber\":9609,\"count\":1}");
        label("{\"kind\":\"APP\",\"name\":\"Handbook\",\"adamIds\":[\"" + BOOK + "\"],\"targets\":[{\"type\":\"USER\",\"value\":\"dave\"}]}");
        settle();

        assertThat(count("select count(*) from licenses where client_user_id = 'dave' and adam_id = ? and intent is null", BOOK)).isEqualTo(1);
        assertThat(simRequests("users/create", 200)).isEqualTo(2);
        assertThat(simRequests("assets/associate", 200)).isEqualTo(2);
    }

    @Test
    void aUserWithoutManagedAppleIdIsInvited() {
        call("PUT", "/api/v1/users/erin", "{\"email\":\"erin@example.com\"}");
        label("{\"kind\":\"LICENSE\",\"name\":\"Erin\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"USER\",\"value\":\"erin\"}]}");
        label("{\"kind\":\"APP\",\"name\":\"Handbook\",\"adamIds\":[\"" + BOOK + "\"],\"targets\":[{\"type\":\"USER\",\"value\":\"erin\"}]}");
        settle();

        assertThat(count("select count(*) from licenses where client_user_id = 'erin' and intent is null")).isEqualTo(1);
        JsonNode apple = call("GET", "/api/v1/users/erin", null).get("appleUsers").get(0);
        assertThat(apple.get("status").asString()).isEqualTo("Registered");
        assertThat(apple.get("invitation_url").asString()).contains("inviteCode=" + apple.get("invite_code").asString());
    }

    @Test
    void theAuditTrailExportsAsCsv() {
        usDevicesGetFieldNotes();
        var csv = orchard.get("/api/v1/audit?format=csv", ADMIN_TOKEN);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        assertThat(csv.body()).startsWith("id,at,actor,action,subject,detail,outcome\r\n").contains("LABEL_CREATED,label Field Notes");
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        var bad = orchard.method("POST", "/api/v1/devices", ADMIN_TOKEN, "[{\"serialNumber\":\"OK000001\",\"platform\":\"iOS\"},"
                + "{\"serialNumber\":\"BAD 1\",\"platform\":\"iOS\"}]");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asString()).contains("record 2");
        assertThat(count("select count(*) from devices")).isZero();
        assertThat(orchard.method("POST", "/api/v1/labels", ADMIN_TOKEN,
                "{\"kind\":\"LICENSE\",\"name\":\"x\",\"accountId\":999,\"targets\":[{\"type\":\"ALL\"}]}").status()).isEqualTo(404);
        assertThat(orchard.method("POST", "/api/v1/labels", ADMIN_TOKEN,
                "{\"kind\":\"APP\",\"name\":\"x\",\"adamIds\":[\"abc\"],\"targets\":[{\"type\":\"ALL\"}]}").status()).isEqualTo(400);
        assertThat(orchard.method("POST", "/api/v1/devices/NOPE0001/retire", ADMIN_TOKEN, null).status()).isEqualTo(404);
        assertThat(count("select count(*) from labels")).isZero();
    }
}
