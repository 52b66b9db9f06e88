package dev.orchard.server.web.api;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.Await;
import dev.orchard.server.OrchardInstance;
import dev.orchard.server.SimControl;
import tools.jackson.databind.JsonNode;

/** Accounts end to end: a real Orchard (H2 file) against the Apple simulator. */
class AccountsApiTests {

    private static final AtomicInteger UIDS = new AtomicInteger(7_100_000);
    /** These tests move no time; the real clock keeps db-scheduler's view of "now" moving as in production. */
    private static final java.time.Clock CLOCK = java.time.Clock.systemUTC();

    @TempDir
    static Path dataDir;
    static AppleSimulator sim;
    static SimControl control;
    static OrchardInstance orchard;

    @BeforeAll
    static void start() {
        sim = AppleSimulator.builder().rateLimit(0).eventDelayMs(0).notificationRetryDelayMs(10).clock(CLOCK).start();
        control = new SimControl(sim);
        int port = OrchardInstance.freePort();
        orchard = OrchardInstance.start(sim, dataDir, null, CLOCK, "node-a",
                Map.of("orchard.public-url", "http://127.0.0.1:" + port + "/", "server.port", port));
    }

    @AfterAll
    static void stop() {
        orchard.close();
        sim.stop();
    }

    /** A new location at the simulator; returns {uId, sToken, …}. */
    static JsonNode location(String country) {
        String uId = Integer.toString(UIDS.incrementAndGet());
        return control.post("locations", "{\"orgName\":\"Org " + uId + "\",\"locationName\":\"Location " + uId
                + "\",\"countryCode\":\"" + country + "\",\"uId\":\"" + uId + "\",\"assets\":[{\"adamId\":\"361309726\","
                + "\"totalCount\":10,\"name\":\"Field Notes\",\"countries\":[\"US\"]}]}");
    }

    static String addJson(JsonNode loc, String extra) {
        return "{\"name\":\"Account " + loc.get("uId").asString() + "\",\"sToken\":\"" + loc.get("sToken").asString() + "\""
                + (extra == null ? "" : "," + extra) + "}";
    }

    /** Adds the location as an account and returns its id. */
    static long add(JsonNode loc) {
        var r = orchard.post("/api/v1/accounts", ADMIN_TOKEN, addJson(loc, null));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asLong();
    }

    /** Queues a refresh and waits until the account shows the state. */
    static void refreshUntil(long id, String state) {
        orchard.post("/api/v1/accounts/" + id + "/refresh", ADMIN_TOKEN, null);
        Await.until("account " + id + " is " + state, () -> state.equals(
                orchard.get("/api/v1/accounts/" + id, ADMIN_TOKEN).json().get("state").asString()));
    }

    private int accountCount() {
        return orchard.get("/api/v1/accounts", ADMIN_TOKEN).json().size();
    }

    @Test
    void addsFromJsonClaimsTheLocationAndSubscribesToNotifications() {
        JsonNode loc = location("DE");

        var r = orchard.post("/api/v1/accounts", ADMIN_TOKEN, addJson(loc, "\"priority\":3"));

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode a = r.json();
        assertThat(r.header("Location")).isEqualTo("/api/v1/accounts/" + a.get("id").asLong());
        assertThat(a.get("state").asString()).isEqualTo("ACTIVE");
        assertThat(a.get("country").asString()).isEqualTo("DE");
        assertThat(a.get("locationUid").asString()).isEqualTo(loc.get("uId").asString());
        assertThat(a.get("priority").asInt()).isEqualTo(3);
        assertThat(a.get("owner").get("thisOrchard").asBoolean()).isTrue();
        assertThat(a.get("notificationsSubscribed").asBoolean()).isTrue();
        assertThat(a.get("daysLeft").asLong()).isBetween(363L, 365L);
        assertThat(r.body()).doesNotContain(loc.get("sToken").asString());
        JsonNode simLocation = control.get("locations/" + loc.get("uId").asString());
        assertThat(simLocation.get("mdmInfo").get("name").asString()).isEqualTo("Orchard");
        assertThat(simLocation.get("notificationTypes").toString()).contains("ASSET_MANAGEMENT", "ASSET_COUNT");
        assertThat(control.get("notifications?uId=" + loc.get("uId").asString() + "&type=TEST_NOTIFICATION")
                .get(0).get("delivered").asBoolean()).isTrue();
    }

    @Test
    void addsFromAnUploadedVppTokenFile() {
        JsonNode loc = location("US");

        var r = orchard.upload("POST", "/api/v1/accounts", ADMIN_TOKEN, loc.get("sToken").asString() + "\n",
                Map.of("name", "Uploaded", "takeOver", "false"));

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("name").asString()).isEqualTo("Uploaded");
    }

    @Test
    void garbageExpiredAndDuplicateTokensAreRefusedAndChangeNothing() {
        int before = accountCount();
        var garbage = orchard.post("/api/v1/accounts", ADMIN_TOKEN, "{\"sToken\":\"this is not a token\"}");
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.json().get("type").asString()).isEqualTo("https://orchard.dev/problems/invalid-token");

        String pastToken = Base64.getEncoder().encodeToString(("{\"token\":\"x\",\"expDate\":\"2020-01-01T00:00:00+0000\","
                + "\"orgName\":\"Old\"}").getBytes(StandardCharsets.UTF_8));
        var past = orchard.post("/api/v1/accounts", ADMIN_TOKEN, "{\"sToken\":\"" + pastToken + "\"}");
        assertThat(past.status()).isEqualTo(422);
        assertThat(past.json().get("type").asString()).endsWith("/token-expired");

        JsonNode expiredAtApple = location("US");
        control.post("locations/" + expiredAtApple.get("uId").asString() + "/expire", null);
        var expired = orchard.post("/api/v1/accounts", ADMIN_TOKEN, addJson(expiredAtApple, null));
        assertThat(expired.status()).isEqualTo(422);
        assertThat(expired.json().get("type").asString()).endsWith("/token-expired");

        JsonNode revokedAtApple = location("US");
        control.post("locations/" + revokedAtApple.get("uId").asString() + "/revoke", null);
        assertThat(orchard.post("/api/v1/accounts", ADMIN_TOKEN, addJson(revokedAtApple, null)).json()
                .get("type").asString()).endsWith("/token-revoked");

        JsonNode loc = location("US");
        assertThat(orchard.post("/api/v1/accounts", ADMIN_TOKEN, addJson(loc, null)).status()).isEqualTo(201);
        var duplicate = orchard.post("/api/v1/accounts", ADMIN_TOKEN, addJson(loc, null));
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().get("type").asString()).endsWith("/location-already-registered");
        assertThat(duplicate.json().get("accountId").asLong()).isPositive();

        var missing = orchard.post("/api/v1/accounts", ADMIN_TOKEN, "{\"name\":\"x\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("type").asString()).endsWith("/invalid-input");
        assertThat(missing.json().get("errors").get(0).get("field").asString()).isEqualTo("sToken");
        assertThat(orchard.post("/api/v1/accounts", ADMIN_TOKEN, "{\"sToken\":").json().get("type").asString())
                .endsWith("/malformed-request");

        assertThat(accountCount()).isEqualTo(before + 1);
    }

    @Test
    void aLocationOfAnotherMdmIsTakenOverOnlyWhenAsked() {
        JsonNode loc = location("US");
        String uId = loc.get("uId").asString();
        control.post("locations/" + uId + "/claim", "{\"mdmInfo\":{\"id\":\"rival-1\",\"name\":\"Rival MDM\",\"metadata\":\"9\"}}");

        var refused = orchard.post("/api/v1/accounts", ADMIN_TOKEN, addJson(loc, null));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("type").asString()).endsWith("/claimed-by-other-mdm");
        assertThat(refused.json().get("owner").asString()).isEqualTo("Rival MDM");
        assertThat(control.get("locations/" + uId).get("mdmInfo").get("id").asString()).isEqualTo("rival-1");

        var taken = orchard.post("/api/v1/accounts", ADMIN_TOKEN, addJson(loc, "\"takeOver\":true"));
        assertThat(taken.status()).isEqualTo(201);
        assertThat(control.get("locations/" + uId).get("mdmInfo").get("name").asString()).isEqualTo("Orchard");
    }

    @Test
    void aTakeoverByAnotherMdmStopsWritesUntilAnAdminClaimsItBack() throws Exception {
        JsonNode loc = location("US");
        String uId = loc.get("uId").asString();
        long id = add(loc);
        control.post("locations/" + uId + "/claim", "{\"mdmInfo\":{\"id\":\"rival-2\",\"name\":\"Other MDM\",\"metadata\":\"1\"}}");

        refreshUntil(id, "CLAIMED_BY_OTHER");
        JsonNode claimed = orchard.get("/api/v1/accounts/" + id, ADMIN_TOKEN).json();
        assertThat(claimed.get("owner").get("name").asString()).isEqualTo("Other MDM");
        assertThat(claimed.get("owner").get("thisOrchard").asBoolean()).isFalse();

        // the dashboard says so, and the account's page takes the location back
        var mvc = org.springframework.test.web.servlet.setup.MockMvcBuilders
                .webAppContextSetup((org.springframework.web.context.WebApplicationContext) orchard.context())
                .apply(org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity()).build();
        var admin = org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user("admin")
                .roles("ADMIN");
        String dashboard = mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get("/").with(admin))
                .andReturn().getResponse().getContentAsString();
        assertThat(dashboard).contains("another MDM (Other MDM) manages the location").contains("has no Apple License Label");
        String page = mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get("/accounts/" + id)
                .with(admin)).andReturn().getResponse().getContentAsString();
        assertThat(page).contains("Claim the location back");
        var back = mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post("/accounts/" + id + "/claim")
                .with(admin).with(org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf()))
                .andReturn();
        assertThat(back.getResponse().getRedirectedUrl()).isEqualTo("/accounts/" + id);
        assertThat(back.getFlashMap().get("ok")).asString().contains("managed by this Orchard again");
        assertThat(orchard.get("/api/v1/accounts/" + id, ADMIN_TOKEN).json().get("state").asString()).isEqualTo("ACTIVE");
        assertThat(control.get("locations/" + uId).get("mdmInfo").get("name").asString()).isEqualTo("Orchard");
    }

    @Test
    void renewsInPlaceWithATokenOfTheSameLocationOnly() {
        JsonNode loc = location("US");
        String uId = loc.get("uId").asString();
        long id = add(loc);
        control.post("locations/" + uId + "/renew", "{\"days\":200}");

        refreshUntil(id, "REVOKED");

        var other = orchard.method("PUT", "/api/v1/accounts/" + id + "/token", ADMIN_TOKEN,
                "{\"sToken\":\"" + location("US").get("sToken").asString() + "\"}");
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.json().get("type").asString()).endsWith("/different-location");

        var renewed = orchard.method("PUT", "/api/v1/accounts/" + id + "/token", ADMIN_TOKEN,
                "{\"sToken\":\"" + control.token(uId) + "\"}");
        assertThat(renewed.status()).as(renewed.body()).isEqualTo(200);
        assertThat(renewed.json().get("state").asString()).isEqualTo("ACTIVE");
        assertThat(renewed.json().get("daysLeft").asLong()).isBetween(198L, 200L);
    }

    @Test
    void editsNameAndPriorityAndRefusesBadValues() {
        long id = add(location("US"));

        var ok = orchard.method("PATCH", "/api/v1/accounts/" + id, ADMIN_TOKEN, "{\"name\":\"Renamed\",\"priority\":0}");
        assertThat(ok.json().get("name").asString()).isEqualTo("Renamed");
        assertThat(ok.json().get("priority").asInt()).isZero();

        var bad = orchard.method("PATCH", "/api/v1/accounts/" + id, ADMIN_TOKEN, "{\"name\":\"\",\"priority\":-1}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(orchard.get("/api/v1/accounts/" + id, ADMIN_TOKEN).json().get("name").asString()).isEqualTo("Renamed");
        assertThat(orchard.get("/api/v1/accounts/999999", ADMIN_TOKEN).status()).isEqualTo(404);
        assertThat(orchard.get("/api/v1/accounts/abc", ADMIN_TOKEN).status()).isEqualTo(400);
    }

    @Test
    void deletesSafelyRevokingOrchardsLicensesFirstWhenAsked() {
        JsonNode loc = location("US");
        String uId = loc.get("uId").asString();
        long id = add(loc);
        for (String serial : new String[] {"DEL-1", "DEL-2"}) {
            // Orchard's row first: Apple's notification of the assignment then confirms it instead of racing it
            orchard.bean(JdbcClient.class).sql("insert into licenses (account_id, adam_id, pricing_param, serial_number, "
                    + "origin, since) values (?, '361309726', 'STDQ', ?, 'ORCHARD', ?)")
                    .params(id, serial, Timestamp.from(CLOCK.instant())).update();
            control.post("locations/" + uId + "/assignments", "{\"adamId\":\"361309726\",\"serialNumber\":\"" + serial + "\"}");
        }

        var refused = orchard.method("DELETE", "/api/v1/accounts/" + id, ADMIN_TOKEN, null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("type").asString()).endsWith("/account-has-licenses");
        assertThat(refused.json().get("licenses").asInt()).isEqualTo(2);

        var accepted = orchard.method("DELETE", "/api/v1/accounts/" + id + "?revokeLicenses=true", ADMIN_TOKEN, null);
        assertThat(accepted.status()).isEqualTo(202);
        Await.until("account deleted", () -> orchard.get("/api/v1/accounts/" + id, ADMIN_TOKEN).status() == 404);
        assertThat(control.appleRequests(uId).findValuesAsString("path")).contains("/mdm/v2/assets/revoke");
        Await.until("licenses revoked at Apple", () -> control.get("locations/" + uId).get("assignments").asInt() == 0);

        long plain = add(location("US"));
        assertThat(orchard.method("DELETE", "/api/v1/accounts/" + plain, ADMIN_TOKEN, null).status()).isEqualTo(204);
    }

    @Test
    void tokensAreEncryptedAtRest() throws Exception {
        JsonNode loc = location("US");
        String sToken = loc.get("sToken").asString();
        String inner = new String(Base64.getDecoder().decode(sToken),
                StandardCharsets.UTF_8).replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        orchard.post("/api/v1/accounts", ADMIN_TOKEN, addJson(loc, null));
        JdbcClient jdbc = orchard.bean(JdbcClient.class);
        jdbc.sql("checkpoint sync").update();

        String stored = jdbc.sql("select token_ciphertext from accounts where location_uid = ?")
                .param(loc.get("uId").asString()).query(String.class).single();
        assertThat(stored).doesNotContain(sToken).doesNotContain(inner);
        byte[] file = Files.readAllBytes(dataDir.resolve("orchard.mv.db"));
        String content = new String(file, StandardCharsets.ISO_8859_1);
        assertThat(content).doesNotContain(sToken).doesNotContain(inner).doesNotContain(sToken.substring(0, 40));
    }

    @Test
    void notificationsNeedTheAccountsSecret() {
        JsonNode loc = location("US");
        orchard.post("/api/v1/accounts", ADMIN_TOKEN, addJson(loc, null));
        String url = control.get("locations/" + loc.get("uId").asString()).get("notificationUrl").asString();
        String path = url.substring(url.indexOf("/apple/"));
        String body = "{\"notificationId\":\"n-1\",\"notificationType\":\"ASSET_COUNT\",\"uId\":\"x\","
                + "\"notification\":{\"adamId\":\"1\",\"countDelta\":1,\"pricingParam\":\"STDQ\"}}";

        assertThat(orchard.post(path, null, body).status()).isEqualTo(403);
        assertThat(orchard.post(path, "wrong-secret", body).status()).isEqualTo(403);
        assertThat(orchard.post("/apple/notifications/unknown-key", "x", body).status()).isEqualTo(403);
        control.post("locations/" + loc.get("uId").asString() + "/purchases", "{\"adamId\":\"361309726\",\"count\":2}");
        Await.until("ASSET_COUNT delivered", () -> control.get("notifications?uId=" + loc.get("uId").asString()
                + "&type=ASSET_COUNT").findValuesAsString("delivered").contains("true"));
    }

    @Test
    void appleRequestsAreCounted() {
        orchard.post("/api/v1/accounts", ADMIN_TOKEN, addJson(location("US"), null));
        long id = orchard.get("/api/v1/accounts", ADMIN_TOKEN).json().get(0).get("id").asLong();
        orchard.post("/api/v1/accounts/" + id + "/refresh", ADMIN_TOKEN, null);
        Await.until("a gateway request is counted", () -> orchard.get("/actuator/prometheus", ADMIN_TOKEN).body()
                .contains("orchard_apple_requests_total{account=\"" + id + "\",endpoint=\"client/config\",outcome=\"ok\""));
        assertThat(orchard.get("/actuator/prometheus", ADMIN_TOKEN).body()).contains("orchard_accounts_blocked");
        assertThat(orchard.get("/actuator/health", null).json().get("status").asString()).isEqualTo("UP");
        assertThat(orchard.get("/actuator/health", ADMIN_TOKEN).body()).contains("\"accounts\"");
    }

}
