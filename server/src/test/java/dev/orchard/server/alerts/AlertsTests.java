package dev.orchard.server.alerts;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import dev.orchard.server.OrchardInstance;
import dev.orchard.server.licensing.LicensingScenario;
import jakarta.mail.internet.MimeMessage;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Alerts end to end, against a real SMTP server (GreenMail, with authentication) and a real HTTP receiver: channels
 * of every kind, a test notice, a token's expiry raised once, repeated at the rule's interval, escalated at the next
 * stage and resolved when a renewed token is uploaded; an empty pool routed to one channel, muted, and resolved when
 * licenses are bought; bad input refused with a 400 that changes nothing.
 */
class AlertsTests extends LicensingScenario {

    private static final String MAIL_PASSWORD = "smtp-password-for-tests";
    private static final String HOOK_SECRET = "hook-secret-0123456789";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private GreenMail smtp;
    private WebhookReceiver receiver;

    @Override
    protected boolean stepped() {
        return true;
    }

    @BeforeEach
    @Override
    protected void start() {
        smtp = new GreenMail(new ServerSetup(OrchardInstance.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.withConfiguration(GreenMailConfiguration.aConfig().withUser("orchard@example.com", "orchard", MAIL_PASSWORD));
        smtp.start();
        receiver = new WebhookReceiver();
        settings.put("orchard.alerts.mail.host", "127.0.0.1");
        settings.put("orchard.alerts.mail.port", smtp.getSmtp().getPort());
        settings.put("orchard.alerts.mail.username", "orchard");
        settings.put("orchard.alerts.mail.password", MAIL_PASSWORD);
        settings.put("orchard.alerts.mail.starttls", "false");
        settings.put("orchard.alerts.mail.from", "orchard@example.com");
        super.start();
    }

    @AfterEach
    @Override
    protected void stop() {
        super.stop();
        smtp.stop();
        receiver.close();
    }

    @Test
    void aTokensExpiryIsRaisedOnceRepeatedEscalatedAndResolvedOnEveryChannel() throws Exception {
        long mail = channel("{\"name\":\"IT mail\",\"kind\":\"EMAIL\",\"recipients\":\"it@example.com, ops@example.com\"}");
        channel("{\"name\":\"Hook\",\"kind\":\"WEBHOOK\",\"url\":\"" + receiver.url("/hook") + "\",\"secret\":\"" + HOOK_SECRET + "\"}");
        channel("{\"name\":\"Slack\",\"kind\":\"SLACK\",\"url\":\"" + receiver.url("/slack/T000/B000/XXXX") + "\"}");
        channel("{\"name\":\"Teams\",\"kind\":\"TEAMS\",\"url\":\"" + receiver.url("/teams/workflow") + "\"}");
        String listed = orchard.get("/api/v1/alerts/channels", ADMIN_TOKEN).body();
        assertThat(listed).as("URLs and secrets are never shown").doesNotContain("/hook", "XXXX", "workflow", HOOK_SECRET)
                .contains("\"urlHint\":\"http://127.0.0.1:");

        // a test notice goes out at once; a wrong SMTP password is an error that says so
        assertThat(call("POST", "/api/v1/alerts/channels/" + mail + "/test", null).get("sent").asBoolean()).isTrue();
        assertThat(smtp.getReceivedMessages()).hasSize(2); // one per recipient
        assertThat(smtp.getReceivedMessages()[0].getSubject()).isEqualTo("[Orchard] TEST: Test notice from Orchard");

        // the token expires in 20 days: raised once, on every channel
        renewAndUpload(20);
        evaluate();
        JsonNode alert = openAlert("TOKEN_EXPIRING");
        assertThat(alert.get("alert").get("stage").asString()).isEqualTo("30");
        assertThat(alert.get("deliveries").get("SENT").asLong()).isEqualTo(4);
        assertThat(subjects()).anyMatch(s -> s.startsWith("[Orchard] WARNING: ") && s.contains("the token expires in 19 day(s)"));
        var hook = hooks("TOKEN_EXPIRING");
        assertThat(hook).hasSize(1);
        var raised = hook.get(0);
        assertThat(raised.header("X-Orchard-Event")).isEqualTo("RAISED");
        assertThat(raised.header("X-Orchard-Signature")).isEqualTo("sha256=" + NoticeSenders.sign(HOOK_SECRET,
                raised.header("X-Orchard-Timestamp"), raised.body().getBytes(StandardCharsets.UTF_8)));
        assertThat(JSON.readTree(raised.body()).get("alert").get("rule").asString()).isEqualTo("TOKEN_EXPIRING");
        JsonNode slack = JSON.readTree(receiver.at("/slack/T000/B000/XXXX").get(0).body());
        assertThat(slack.get("blocks").get(0).get("type").asString()).isEqualTo("header");
        assertThat(slack.get("text").asString()).contains("the token expires in");
        JsonNode teams = JSON.readTree(receiver.at("/teams/workflow").get(0).body());
        assertThat(teams.get("attachments").get(0).get("contentType").asString()).isEqualTo("application/vnd.microsoft.card.adaptive");
        assertThat(teams.get("attachments").get(0).get("content").get("type").asString()).isEqualTo("AdaptiveCard");

        evaluate();
        assertThat(hooks("TOKEN_EXPIRING")).as("raised once").hasSize(1);

        // repeated at the rule's interval while it lasts
        call("PUT", "/api/v1/alerts/rules", "[{\"rule\":\"TOKEN_EXPIRING\",\"repeatMinutes\":60}]");
        clock.advance(Duration.ofMinutes(61));
        evaluate();
        assertThat(hooks("TOKEN_EXPIRING")).hasSize(2);
        assertThat(hooks("TOKEN_EXPIRING").get(1).header("X-Orchard-Event")).isEqualTo("REPEATED");

        // the next stage (14 days) notifies again
        renewAndUpload(10);
        evaluate();
        assertThat(openAlert("TOKEN_EXPIRING").get("alert").get("stage").asString()).isEqualTo("14");
        assertThat(hooks("TOKEN_EXPIRING")).hasSize(3);
        assertThat(hooks("TOKEN_EXPIRING").get(2).header("X-Orchard-Event")).isEqualTo("ESCALATED");

        // a renewed token resolves it, with a notice
        renewAndUpload(365);
        evaluate();
        assertThat(openAlerts()).noneMatch(a -> a.get("alert").get("rule").asString().equals("TOKEN_EXPIRING"));
        assertThat(hooks("TOKEN_EXPIRING")).hasSize(4);
        assertThat(hooks("TOKEN_EXPIRING").get(3).header("X-Orchard-Event")).isEqualTo("RESOLVED");
        assertThat(subjects()).anyMatch(s -> s.startsWith("[Orchard] RESOLVED: "));
        var resolved = new java.util.ArrayList<JsonNode>();
        call("GET", "/api/v1/alerts", null).forEach(a -> {
            if (a.get("alert").get("rule").asString().equals("TOKEN_EXPIRING")) {
                resolved.add(a);
            }
        });
        assertThat(resolved).as("one alert all along, resolved").hasSize(1);
        assertThat(resolved.get(0).get("alert").get("resolvedAt").isNull()).isFalse();
        assertThat(resolved.get(0).get("deliveries").get("SENT").asLong()).as("raised, repeated, escalated, resolved × 4").isEqualTo(16);
        assertThat(call("GET", "/api/v1/audit?action=ALERT_CHANNEL_ADDED", null).get("items")).hasSize(4);
    }

    @Test
    void anEmptyPoolAlertGoesWhereItIsRoutedStaysQuietWhileMutedAndResolvesWhenLicensesAreBought() throws Exception {
        long hook = channel("{\"name\":\"Hook\",\"kind\":\"WEBHOOK\",\"url\":\"" + receiver.url("/hook") + "\",\"secret\":\""
                + HOOK_SECRET + "\"}");
        channel("{\"name\":\"Slack\",\"kind\":\"SLACK\",\"url\":\"" + receiver.url("/slack") + "\"}");
        long failing = channel("{\"name\":\"Broken\",\"kind\":\"SLACK\",\"url\":\"" + receiver.url("/fail") + "\"}");
        call("PUT", "/api/v1/alerts/rules", "[{\"rule\":\"POOL_EMPTY\",\"channelIds\":[" + hook + "," + failing + "]}]");
        JsonNode test = call("POST", "/api/v1/alerts/channels/" + failing + "/test", null);
        assertThat(test.get("sent").asBoolean()).isFalse();
        assertThat(test.get("error").asString()).contains("answered 500").doesNotContain("/fail");

        control.post("locations/" + usUid + "/purchases", "{\"adamId\":\"900000001\",\"count\":2,\"productType\":\"App\","
                + "\"deviceAssignable\":true,\"revocable\":true,\"supportedPlatforms\":[\"iOS\"],\"name\":\"Scarce App\"}");
        until("the new pool", () -> count("select count(*) from pools where adam_id = '900000001'") == 1);
        label("{\"kind\":\"LICENSE\",\"name\":\"US iPhones\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"RULE\",\"platform\":\"iOS\"}]}");
        label("{\"kind\":\"APP\",\"ahead\":true,\"name\":\"Scarce\",\"adamIds\":[\"900000001\"],\"targets\":[{\"type\":\"SERIAL\",\"value\":\"WAIT1\"},"
                + "{\"type\":\"SERIAL\",\"value\":\"WAIT2\"},{\"type\":\"SERIAL\",\"value\":\"WAIT3\"}]}");
        call("POST", "/api/v1/devices", phones("WAIT", 3));
        settle();
        evaluate();
        JsonNode alert = openAlert("POOL_EMPTY");
        assertThat(alert.get("alert").get("severity").asString()).isEqualTo("CRITICAL");
        assertThat(alert.get("alert").get("title").asString()).contains("no license left, 1 target(s) waiting");
        assertThat(hooks("POOL_EMPTY")).hasSize(1);
        assertThat(receiver.at("/slack")).as("not routed there").noneMatch(r -> r.body().contains("no license left"));
        // the broken channel's notice is tried again later, and counted as queued until then
        assertThat(alert.get("deliveries").get("SENT").asLong()).isEqualTo(1);
        assertThat(alert.get("deliveries").get("QUEUED").asLong()).isEqualTo(1);

        // muted: the cause goes away without a notice
        call("PUT", "/api/v1/alerts/rules", "[{\"rule\":\"POOL_EMPTY\",\"mutedUntil\":\"" + clock.instant().plus(Duration.ofHours(2))
                + "\"}]");
        control.post("locations/" + usUid + "/purchases", "{\"adamId\":\"900000001\",\"count\":5,\"productType\":\"App\","
                + "\"deviceAssignable\":true,\"revocable\":true,\"supportedPlatforms\":[\"iOS\"],\"name\":\"Scarce App\"}");
        until("licenses for every waiting device", () -> orchardLicenses("and adam_id = '900000001'") == 3);
        settle();
        evaluate();
        assertThat(openAlerts()).noneMatch(a -> a.get("alert").get("rule").asString().equals("POOL_EMPTY"));
        assertThat(hooks("POOL_EMPTY")).as("muted: no resolved notice").hasSize(1);
    }

    @Test
    void applesAnswersRaiseBlockFailureAndRevokedTokenAlertsThatResolve() {
        channel("{\"name\":\"Hook\",\"kind\":\"WEBHOOK\",\"url\":\"" + receiver.url("/hook") + "\",\"secret\":\"" + HOOK_SECRET + "\"}");

        // Apple refuses an assignment for good: the failed target is alerted
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"path\":\"assets/associate\",\"asyncErrorNumber\":9635,\"count\":1}");
        usDevicesGetFieldNotes();
        call("POST", "/api/v1/devices", phones("FAIL", 1));
        settle();
        evaluate();
        assertThat(openAlert("OPERATIONS_FAILED").get("alert").get("title").asString()).contains("1 Apple operation target(s) failed");

        // Apple asks to wait two hours: a block longer than the rule's hour is alerted, and resolved when it ends
        control.post("faults", "{\"uId\":\"" + usUid + "\",\"status\":503,\"retryAfterSeconds\":7200,\"count\":1}");
        call("POST", "/api/v1/accounts/" + us + "/refresh", null);
        until("the account blocked", () -> "BLOCKED".equals(call("GET", "/api/v1/accounts/" + us, null).get("state").asString()));
        evaluate();
        assertThat(openAlert("ACCOUNT_BLOCKED").get("alert").get("detail").asString()).contains("until");
        clock.advance(Duration.ofHours(2).plusMinutes(1));
        evaluate();
        assertThat(openAlerts()).noneMatch(a -> a.get("alert").get("rule").asString().equals("ACCOUNT_BLOCKED"));
        assertThat(hooks("ACCOUNT_BLOCKED")).extracting(r -> r.header("X-Orchard-Event")).containsExactly("RAISED", "RESOLVED");

        // Apple revokes the token: critical until a renewed token is uploaded
        control.post("locations/" + usUid + "/revoke", "{}");
        call("POST", "/api/v1/accounts/" + us + "/refresh", null);
        until("the token revoked", () -> "REVOKED".equals(call("GET", "/api/v1/accounts/" + us, null).get("state").asString()));
        evaluate();
        JsonNode revoked = openAlert("TOKEN_UNUSABLE");
        assertThat(revoked.get("alert").get("severity").asString()).isEqualTo("CRITICAL");
        assertThat(revoked.get("alert").get("stage").asString()).isEqualTo("REVOKED");
        renewAndUpload(365);
        evaluate();
        assertThat(openAlerts()).noneMatch(a -> a.get("alert").get("rule").asString().equals("TOKEN_UNUSABLE"));
        assertThat(hooks("TOKEN_UNUSABLE")).extracting(r -> r.header("X-Orchard-Event")).containsExactly("RAISED", "RESOLVED");
    }

    @Test
    void anSmtpServerWithoutStartTlsIsRefusedWhenStartTlsIsRequired() {
        orchard.close();
        settings.put("orchard.alerts.mail.starttls", "true");
        startOrchard();
        long mail = channel("{\"name\":\"Mail\",\"kind\":\"EMAIL\",\"recipients\":\"it@example.com\"}");
        JsonNode test = call("POST", "/api/v1/alerts/channels/" + mail + "/test", null);
        assertThat(test.get("sent").asBoolean()).as("GreenMail offers no STARTTLS: nothing goes in clear text").isFalse();
        assertThat(test.get("error").asString()).contains("did not take the e-mail").doesNotContain(MAIL_PASSWORD);
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    @Test
    void anAlertNobodyWasToldOfIsAnnouncedOnceAChannelExistsAndARuleSwitchedOffResolvesQuietly() {
        evaluate();
        JsonNode untold = openAlert("DRIFT");
        assertThat(untold.get("alert").get("notifiedAt").isNull()).as("no channel yet").isTrue();
        assertThat(untold.get("deliveries")).isEmpty();
        channel("{\"name\":\"Hook\",\"kind\":\"WEBHOOK\",\"url\":\"" + receiver.url("/hook") + "\",\"secret\":\"" + HOOK_SECRET + "\"}");
        evaluate();
        assertThat(hooks("DRIFT")).extracting(r -> r.header("X-Orchard-Event")).containsExactly("RAISED");
        assertThat(openAlert("DRIFT").get("alert").get("id").asLong()).as("the same alert").isEqualTo(untold.get("alert").get("id").asLong());
        call("PUT", "/api/v1/alerts/rules", "[{\"rule\":\"DRIFT\",\"enabled\":false}]");
        evaluate();
        assertThat(openAlerts()).noneMatch(a -> a.get("alert").get("rule").asString().equals("DRIFT"));
        assertThat(hooks("DRIFT")).as("switched off: resolved without a notice").hasSize(1);
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        for (String body : new String[] {
                "{\"name\":\"x\",\"kind\":\"PAGER\"}",
                "{\"name\":\"x\",\"kind\":\"EMAIL\",\"recipients\":\"not-an-address\"}",
                "{\"name\":\"x\",\"kind\":\"EMAIL\",\"recipients\":\"it@example.com\",\"url\":\"https://x.example.com\"}",
                "{\"name\":\"x\",\"kind\":\"WEBHOOK\",\"url\":\"https://x.example.com/h\",\"secret\":\"short\"}",
                "{\"name\":\"x\",\"kind\":\"SLACK\",\"url\":\"ftp://x.example.com/h\"}",
                "{\"kind\":\"SLACK\",\"url\":\"https://x.example.com/h\"}"}) {
            var r = orchard.post("/api/v1/alerts/channels", ADMIN_TOKEN, body);
            assertThat(r.status()).as(body + " → " + r.body()).isEqualTo(400);
            assertThat(r.header("Content-Type")).contains("application/problem+json");
        }
        for (String body : new String[] {"[{\"rule\":\"NOPE\"}]", "[{\"rule\":\"LEAKS\",\"threshold\":-1}]",
                "[{\"rule\":\"LEAKS\",\"repeatMinutes\":1}]", "[{\"rule\":\"LEAKS\",\"channelIds\":[999]}]",
                "[{\"rule\":\"LEAKS\",\"threshold\":5},{\"rule\":\"DRIFT\",\"threshold\":-5}]"}) {
            var r = orchard.method("PUT", "/api/v1/alerts/rules", ADMIN_TOKEN, body);
            assertThat(r.status()).as(body + " → " + r.body()).isEqualTo(400);
        }
        assertThat(call("GET", "/api/v1/alerts/channels", null)).isEmpty();
        assertThat(count("select count(*) from alert_rules")).as("all of a change or none of it").isZero();
        assertThat(orchard.post("/api/v1/alerts/channels/12345/test", ADMIN_TOKEN, null).status()).isEqualTo(404);
    }

    /** What the generic webhook received about alerts of the rule (the demo's drift raises its own alert too). */
    private java.util.List<WebhookReceiver.Received> hooks(String rule) {
        return receiver.at("/hook").stream().filter(r -> JSON.readTree(r.body()).get("alert").get("rule").asString().equals(rule))
                .toList();
    }

    @Test
    void thePageListsAlertsAndLetsAdminsManageChannelsAndRules() throws Exception {
        var admin = orchard.login("admin", OrchardInstance.ADMIN_PASSWORD);
        var added = orchard.ui(admin, "POST", "/alerts/channels", "name=Ops+mail&kind=EMAIL&recipients=" + OrchardInstance.form("ops@example.com"));
        assertThat(added.status()).isEqualTo(302);
        long id = call("GET", "/api/v1/alerts/channels", null).get(0).get("id").asLong();
        orchard.ui(admin, "POST", "/alerts/channels/" + id + "/test", "");
        assertThat(subjects()).contains("[Orchard] TEST: Test notice from Orchard");
        var saved = orchard.ui(admin, "POST", "/alerts/rules/LEAKS", "enabled=true&threshold=7&repeatMinutes=120&mute=2&channelIds=" + id);
        assertThat(saved.status()).isEqualTo(302);
        JsonNode leaks = null;
        for (JsonNode r : call("GET", "/api/v1/alerts/rules", null)) {
            if (r.get("rule").asString().equals("LEAKS")) {
                leaks = r;
            }
        }
        assertThat(leaks.get("threshold").asInt()).isEqualTo(7);
        assertThat(leaks.get("repeatMinutes").asInt()).isEqualTo(120);
        assertThat(leaks.get("mutedUntil").isNull()).isFalse();
        assertThat(leaks.get("channelIds").get(0).asLong()).isEqualTo(id);
        evaluate();
        var pageResponse = orchard.ui(admin, "GET", "/alerts", null);
        assertThat(pageResponse.status()).as(pageResponse.body()).isEqualTo(200);
        String page = pageResponse.body();
        assertThat(page).contains("id=\"channels\"", "Ops mail", "id=\"rules\"", "drift of 11 license(s)");
        assertThat(orchard.ui(admin, "GET", "/", null).body()).contains("id=\"open-alerts\"");

        var uiUsers = orchard.bean(dev.orchard.server.system.UiUsers.class);
        uiUsers.create("watcher", "watcher-password-1", dev.orchard.server.system.Role.VIEWER);
        var viewer = orchard.login("watcher", "watcher-password-1");
        String seen = orchard.ui(viewer, "GET", "/alerts", null).body();
        assertThat(seen).contains("drift of 11 license(s)").doesNotContain("id=\"channels\"", "id=\"add-channel\"");
        assertThat(orchard.ui(viewer, "POST", "/alerts/channels/" + id + "/delete", "").status()).isEqualTo(403);
        assertThat(call("GET", "/api/v1/alerts/channels", null)).hasSize(1);
    }

    private long channel(String json) {
        return call("POST", "/api/v1/alerts/channels", json).get("id").asLong();
    }

    /** A renewed token for the location, uploaded to Orchard. */
    private void renewAndUpload(int days) {
        control.post("locations/" + usUid + "/renew", "{\"days\":" + days + "}");
        call("PUT", "/api/v1/accounts/" + us + "/token", "{\"sToken\":\"" + control.token(usUid) + "\"}");
    }

    /** The next evaluation (a minute on) and the deliveries it queued. */
    private void evaluate() {
        clock.advance(Duration.ofMinutes(1));
        orchard.step();
    }

    private java.util.List<JsonNode> openAlerts() {
        var out = new java.util.ArrayList<JsonNode>();
        call("GET", "/api/v1/alerts", null).forEach(a -> {
            if (a.get("alert").get("resolvedAt").isNull()) {
                out.add(a);
            }
        });
        return out;
    }

    private JsonNode openAlert(String rule) {
        return openAlerts().stream().filter(a -> a.get("alert").get("rule").asString().equals(rule)).findFirst()
                .orElseThrow(() -> new AssertionError("no open " + rule + " alert: " + call("GET", "/api/v1/alerts", null)));
    }

    private java.util.List<String> subjects() throws Exception {
        var out = new java.util.ArrayList<String>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            out.add(m.getSubject());
        }
        return out;
    }
}
