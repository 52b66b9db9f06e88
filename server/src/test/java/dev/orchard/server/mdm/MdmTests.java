package dev.orchard.server.mdm;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.orchard.server.Await;
import dev.orchard.server.licensing.LicensingScenario;

/**
 * End to end with the Apple simulator and a fake NanoMDM: a device enrolls through NanoMDM's webhook, is labelled,
 * gets a license Apple confirms, receives InstallApplication, reports the app installed; the user deletes it and
 * the license is reclaimed (R4c); an erased device re-enrolls and gets its apps again (R10); a Shared iPad gets its
 * apps on registration and sign-in (R12); an MDM that is down only delays delivery; bad webhook calls change nothing.
 */
class MdmTests extends LicensingScenario {

    static final String SECRET = "events-secret-1";
    static final String BUNDLE = "com.example.fieldnotes";
    FakeNanoMdm nano;
    URI webhook;

    @BeforeEach
    void mdm() {
        nano = new FakeNanoMdm("api-key-1");
        webhook = orchard.uri("/mdm/nanomdm/webhook");
        call("POST", "/api/v1/mdm/servers", "{\"name\":\"NanoMDM\",\"kind\":\"NANOMDM\",\"url\":\"" + nano.url()
                + "\",\"apiKey\":\"api-key-1\",\"eventsSecret\":\"" + SECRET + "\"}");
    }

    @AfterEach
    void stopMdm() {
        nano.close();
    }

    /** The device is known to Orchard (country from the directory) and enrolls through NanoMDM. */
    void enroll(String serial, String udid, String product, String extraDeviceJson) {
        call("PUT", "/api/v1/devices/" + serial, "{\"serialNumber\":\"" + serial + "\",\"platform\":\"" + (product.startsWith("iPad")
                ? "iPadOS" : "iOS") + "\",\"osVersion\":\"17.4\",\"country\":\"US\"" + extraDeviceJson + "}");
        nano.enroll(udid);
        assertThat(nano.checkIn(webhook, SECRET, "mdm.Authenticate", udid, udid, Map.of("MessageType", "Authenticate",
                "UDID", udid, "SerialNumber", serial, "ProductName", product, "OSVersion", "17.5", "Topic", "com.apple.mgmt.x")))
                .isEqualTo(200);
        assertThat(nano.checkIn(webhook, SECRET, "mdm.TokenUpdate", udid, udid, Map.of("MessageType", "TokenUpdate",
                "UDID", udid, "Topic", "com.apple.mgmt.x"))).isEqualTo(200);
    }

    FakeNanoMdm.Queued awaitCommand(String udid, String type, int n) {
        Await.until(n + " " + type + " for " + udid, () -> nano.queued(udid, type).size() >= n);
        return nano.queued(udid, type).get(n - 1);
    }

    long installs(String serial, String state) {
        return count("select count(*) from mdm_app_installs where serial_number = ? and state = ?", serial, state);
    }

    void installedAndConfirmed(String udid, String serial, int installNumber) {
        var install = awaitCommand(udid, "InstallApplication", installNumber);
        assertThat(install.command().get("iTunesStoreID").toJavaObject().toString()).isEqualTo(FIELD_NOTES);
        assertThat(nano.report(webhook, SECRET, udid, install.uuid(), "Acknowledged", Map.of("Identifier", BUNDLE,
                "State", "Installing"))).isEqualTo(200);
        int lists = nano.queued(udid, "ManagedApplicationList").size();
        clock.advance(Duration.ofSeconds(31)); // the confirming app list is asked a little after the install
        call("POST", "/api/v1/devices/" + serial + "/app-list-request", null); // wakes the delivery without waiting
        Await.until("the confirming app list", () -> nano.queued(udid, "ManagedApplicationList").stream()
                .anyMatch(q -> q.command().containsKey("Identifiers")) && nano.queued(udid, "ManagedApplicationList").size() > lists);
        var confirm = nano.queued(udid, "ManagedApplicationList").stream().filter(q -> q.command().containsKey("Identifiers"))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(nano.report(webhook, SECRET, udid, confirm.uuid(), "Acknowledged", Map.of("ManagedApplicationList",
                Map.of(BUNDLE, Map.of("Status", "Managed", "ManagementFlags", 1))))).isEqualTo(200);
        assertThat(installs(serial, "INSTALLED")).isEqualTo(1);
    }

    @Test
    void anEnrolledLabelledDeviceGetsItsAppAndLosesTheLicenseWhenTheUserDeletesIt() {
        enroll("MDM1", "UDID-1", "iPhone15,2", "");
        assertThat(count("select count(*) from mdm_enrollments where serial_number = 'MDM1' and state = 'ENROLLED'")).isEqualTo(1);
        assertThat(call("GET", "/api/v1/devices/MDM1", null).get("device").get("osVersion").asString()).isEqualTo("17.5");
        awaitCommand("UDID-1", "DeviceInformation", 1);

        usDevicesGetFieldNotes();
        settle();
        assertThat(orchardLicenses("and serial_number = 'MDM1' and intent is null")).isEqualTo(1);
        installedAndConfirmed("UDID-1", "MDM1", 1);
        var view = call("GET", "/api/v1/mdm/commands?serialNumber=MDM1&requestType=InstallApplication", null).get("items").get(0);
        assertThat(view.get("reason").asString()).isEqualTo("LICENSE_CONFIRMED");
        assertThat(view.get("targets").get(0).get("state").asString()).isEqualTo("ACKNOWLEDGED");
        assertThat(call("GET", "/api/v1/devices/MDM1", null).get("apps").get(0).get("managed").asBoolean()).isTrue();

        // the user deletes the app: the next full app list says so, and the license goes back (R4c)
        var periodic = nano.queued("UDID-1", "ManagedApplicationList").stream().filter(q -> !q.command().containsKey("Identifiers"))
                .findFirst().orElseThrow();
        assertThat(nano.report(webhook, SECRET, "UDID-1", periodic.uuid(), "Acknowledged", Map.of("ManagedApplicationList",
                Map.of(BUNDLE, Map.of("Status", "ManagedButUninstalled"))))).isEqualTo(200);
        settle();
        assertThat(orchardLicenses("and serial_number = 'MDM1'")).isZero();
        assertThat(installs("MDM1", "REMOVED")).isEqualTo(1);
        assertThat(nano.queued("UDID-1", "InstallApplication")).hasSize(1); // not pushed back
    }

    @Test
    void anErasedDeviceThatReEnrollsGetsItsDeviceLicensedAppsAgain() {
        enroll("MDM2", "UDID-2", "iPhone15,2", "");
        usDevicesGetFieldNotes();
        settle();
        installedAndConfirmed("UDID-2", "MDM2", 1);

        // erased: it enrolls again from scratch
        enroll("MDM2", "UDID-2", "iPhone15,2", "");
        var again = awaitCommand("UDID-2", "InstallApplication", 2);
        assertThat(call("GET", "/api/v1/mdm/commands/" + again.uuid(), null).get("reason").asString()).isEqualTo("REINSTALL");
        assertThat(call("GET", "/api/v1/audit?action=DEVICE_RE_ENROLLED", null).get("items").get(0).get("detail").asString())
                .contains("1 device-licensed app");
        // its first app list after the erase is empty: a fresh start, not the user deleting everything
        var list = nano.queued("UDID-2", "ManagedApplicationList").stream().filter(q -> !q.command().containsKey("Identifiers"))
                .reduce((a, b) -> b).orElseThrow();
        nano.report(webhook, SECRET, "UDID-2", list.uuid(), "Acknowledged", Map.of("ManagedApplicationList", Map.of()));
        settle();
        assertThat(orchardLicenses("and serial_number = 'MDM2' and intent is null")).isEqualTo(1);
    }

    @Test
    void aSharedIpadGetsItsAppsOnRegistrationAndSignIn() {
        call("PUT", "/api/v1/apps/" + FIELD_NOTES + "/settings", "{\"autoInstall\":false,\"installOnRegistration\":true}");
        label("{\"kind\":\"LICENSE\",\"name\":\"US iPads\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"RULE\",\"platform\":\"iPadOS\"}]}");
        label("{\"kind\":\"APP\",\"name\":\"Field Notes\",\"adamIds\":[\"" + FIELD_NOTES + "\"],\"targets\":[{\"type\":\"ALL\"}]}");
        call("PUT", "/api/v1/devices/CART1", "{\"serialNumber\":\"CART1\",\"platform\":\"iPadOS\",\"osVersion\":\"17.4\","
                + "\"country\":\"US\",\"sharedIpad\":true}");
        settle();
        assertThat(orchardLicenses("and serial_number = 'CART1' and intent is null")).isEqualTo(1);

        enroll("CART1", "UDID-CART", "iPad13,1", ",\"sharedIpad\":true");
        var install = awaitCommand("UDID-CART", "InstallApplication", 1);
        assertThat(call("GET", "/api/v1/mdm/commands/" + install.uuid(), null).get("reason").asString()).isEqualTo("REGISTRATION");
        assertThat(install.command().get("ChangeManagementState")).isNull();

        // a student signs in (user channel token update): the device channel gets the install again
        nano.checkIn(webhook, SECRET, "mdm.TokenUpdate", "UDID-CART", "UDID-CART:student1", Map.of("MessageType", "TokenUpdate",
                "UDID", "UDID-CART", "UserShortName", "student1", "UserID", "A1B2"));
        var second = awaitCommand("UDID-CART", "InstallApplication", 2);
        assertThat(second.enrollmentId()).isEqualTo("UDID-CART");
    }

    @Test
    void anMdmThatIsDownDelaysDeliveryAndAPartialResultIsRetriedPerDevice() {
        enroll("MDM3", "UDID-3", "iPhone15,2", "");
        awaitCommand("UDID-3", "DeviceInformation", 1);
        nano.down();
        String uuid = call("POST", "/api/v1/devices/MDM3/app-list-request", null).get("commandUuid").asString();
        Await.until("a failed attempt", () -> call("GET", "/api/v1/mdm/commands/" + uuid, null).get("targets").get(0)
                .get("attempts").asInt() >= 1 && "QUEUED".equals(call("GET", "/api/v1/mdm/commands/" + uuid, null)
                .get("targets").get(0).get("state").asString()));
        var target = call("GET", "/api/v1/mdm/commands/" + uuid, null).get("targets").get(0);
        assertThat(target.get("lastError").asString()).contains("unreachable");
        nano.up();
        clock.advance(Duration.ofMinutes(2));
        Await.until("delivered once the MDM is back", () -> "DELIVERED".equals(call("GET", "/api/v1/mdm/commands/" + uuid, null)
                .get("targets").get(0).get("state").asString()));
        assertThat(nano.queued("UDID-3").stream().filter(q -> q.uuid().equals(uuid))).hasSize(1);

        // the licensing engine was never blocked: a device unknown to the MDM waits alone
        call("PUT", "/api/v1/devices/MDM4", "{\"serialNumber\":\"MDM4\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"country\":\"US\"}");
        call("POST", "/api/v1/devices/MDM4/events", "{\"type\":\"ENROLLED\",\"enrollmentId\":\"UDID-4\"}");
        usDevicesGetFieldNotes();
        settle();
        Await.until("both installs recorded", () -> count("select count(*) from mdm_command_targets t join mdm_commands c "
                + "on c.command_uuid = t.command_uuid where c.request_type = 'InstallApplication'") == 2);
        Await.until("MDM3 delivered, MDM4 refused by the MDM", () -> count("select count(*) from mdm_command_targets t join "
                + "mdm_commands c on c.command_uuid = t.command_uuid where c.request_type = 'InstallApplication' and "
                + "((t.serial_number = 'MDM3' and t.state = 'DELIVERED') or (t.serial_number = 'MDM4' and t.state = 'QUEUED' "
                + "and t.last_error like '%enrollment not found%'))") == 2);
    }

    @Test
    void outdatedDeviceLicensedAppsAreListedAndUpdatedOnRequest() {
        call("PUT", "/api/v1/devices/OLD1", "{\"serialNumber\":\"OLD1\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"country\":\"US\"}");
        call("POST", "/api/v1/devices/OLD1/events", "{\"type\":\"ENROLLED\",\"enrollmentId\":\"UDID-OLD\"}");
        nano.enroll("UDID-OLD");
        usDevicesGetFieldNotes();
        settle();
        awaitCommand("UDID-OLD", "InstallApplication", 1);
        call("POST", "/api/v1/devices/OLD1/events", "{\"type\":\"APP_LIST\",\"apps\":[{\"bundleId\":\"" + BUNDLE
                + "\",\"version\":\"14.1.3\",\"managed\":true}]}");
        var outdated = call("GET", "/api/v1/mdm/outdated", null);
        assertThat(outdated.size()).isEqualTo(1);
        assertThat(outdated.get(0).get("installedVersion").asString()).isEqualTo("14.1.3");
        assertThat(outdated.get(0).get("currentVersion").asString()).isEqualTo("14.2");
        var sent = call("POST", "/api/v1/mdm/updates", "{\"adamId\":\"" + FIELD_NOTES + "\"}");
        assertThat(sent.get("devices").asInt()).isEqualTo(1);
        var update = awaitCommand("UDID-OLD", "InstallApplication", 2);
        assertThat(call("GET", "/api/v1/mdm/commands/" + update.uuid(), null).get("reason").asString()).isEqualTo("UPDATE");

        // an install request for a device without a confirmed license is refused with the reason
        call("PUT", "/api/v1/devices/NOLIC", "{\"serialNumber\":\"NOLIC\",\"platform\":\"macOS\",\"osVersion\":\"14.4\"}");
        var none = call("POST", "/api/v1/mdm/installs", "{\"serialNumber\":\"NOLIC\",\"adamId\":\"" + FIELD_NOTES + "\"}");
        assertThat(none.get("devices").asInt()).isZero();
        assertThat(none.get("skipped").toString()).contains("no license Apple confirmed");
    }

    @Test
    void badWebhookCallsChangeNothing() {
        byte[] body = ("{\"topic\":\"mdm.Authenticate\",\"checkin_event\":{\"udid\":\"X\",\"raw_payload\":\""
                + FakeNanoMdm.base64Plist(Map.of("MessageType", "Authenticate", "UDID", "X", "SerialNumber", "EVIL1",
                "ProductName", "iPhone15,2")) + "\"}}").getBytes(StandardCharsets.UTF_8);
        assertThat(nano.post(webhook, null, body)).isEqualTo(401);
        assertThat(nano.post(webhook, "wrong-secret", body)).isEqualTo(401);
        assertThat(nano.post(webhook, SECRET, "{not json".getBytes(StandardCharsets.UTF_8))).isEqualTo(400);
        assertThat(nano.post(webhook, SECRET, "{\"topic\":\"mdm.Connect\",\"acknowledge_event\":{\"raw_payload\":\"bm90IGEgcGxpc3Q=\"}}"
                .getBytes(StandardCharsets.UTF_8))).isEqualTo(400);
        assertThat(count("select count(*) from devices where serial_number = 'EVIL1'")).isZero();
        assertThat(nano.post(webhook, SECRET, body)).isEqualTo(200);
        assertThat(count("select count(*) from devices where serial_number = 'EVIL1'")).isEqualTo(1);
        assertThat(orchard.get("/api/v1/mdm/servers", ADMIN_TOKEN).body()).doesNotContain("api-key-1").doesNotContain(SECRET);
        assertThat(call("GET", "/api/v1/mdm/servers", null).get(0).get("hasEventsSecret").asBoolean()).isTrue();
        var bad = orchard.post("/api/v1/devices/EVIL1/events", ADMIN_TOKEN, "{\"type\":\"EXPLODED\"}");
        assertThat(bad.status()).isEqualTo(400);
        List.of("{\"name\":\"x\",\"kind\":\"NANOMDM\",\"url\":\"ftp://x\"}", "{\"name\":\"\",\"kind\":\"WEBHOOK\",\"url\":\"https://x\"}",
                "{\"name\":\"y\",\"kind\":\"OTHER\",\"url\":\"https://x\"}").forEach(json ->
                assertThat(orchard.post("/api/v1/mdm/servers", ADMIN_TOKEN, json).status()).as(json).isEqualTo(400));
        assertThat(call("GET", "/api/v1/mdm/servers", null).size()).isEqualTo(1);
    }
}
