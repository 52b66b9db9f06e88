package dev.orchard.server.mdm;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.dd.plist.NSObject;

import dev.orchard.server.Await;
import dev.orchard.server.mdm.nano.DeviceEmulator;

/**
 * End to end with the Apple simulator, the NanoMDM double and emulated devices: a device enrolls, is labelled, gets a
 * license Apple confirms, receives InstallApplication and reports the app installed; the user deletes it and the
 * license is reclaimed (R4c); an erased device re-enrolls and gets its apps again (R10); a Shared iPad gets its apps on
 * registration and sign-in (R12); an MDM that is down only delays delivery; bad webhook calls change nothing.
 */
class MdmTests extends NanoMdmScenario {

    long installs(String serial, String state) {
        return count("select count(*) from mdm_app_installs where serial_number = ? and state = ?", serial, state);
    }

    /** The device gets the install, acknowledges it, and answers the confirming app list asked a little later. */
    void installedAndConfirmed(DeviceEmulator d, int installNumber) {
        Await.until("install " + installNumber + " queued", () -> count("select count(*) from mdm_targets t join mdm_commands c "
                + "on c.command_uuid = t.command_uuid where c.request_type = 'InstallApplication' and t.serial_number = ?",
                d.serial) >= installNumber);
        work(d);
        assertThat(d.received("InstallApplication")).hasSize(installNumber);
        assertThat(d.received("InstallApplication").get(installNumber - 1).command().get("iTunesStoreID").toJavaObject()
                .toString()).isEqualTo(FIELD_NOTES);
        later(Duration.ofSeconds(31)); // the confirming app list is asked a little after the install
        work(d);
        Await.until("the install confirmed by the app list", () -> installs(d.serial, "INSTALLED") == 1);
    }

    @Test
    void anEnrolledLabelledDeviceGetsItsAppAndLosesTheLicenseWhenTheUserDeletesIt() {
        known("MDM1", "iOS");
        var d = device(DeviceEmulator.Kind.IPHONE, "MDM1");
        enroll(d);
        assertThat(enrollmentState("MDM1")).isEqualTo("ENROLLED");
        // DeviceInformation and the first app list; one more DeviceInformation when NanoMDM's TokenUpdate event overtook
        // its Authenticate (Orchard then asks the channel it cannot name yet), as the real server's events may
        assertThat(work(d)).isBetween(2, 3);
        assertThat(d.received("ManagedApplicationList")).hasSize(1);
        assertThat(d.received("DeviceInformation")).isNotEmpty();
        assertThat(call("GET", "/api/v1/devices/MDM1", null).get("device").get("osVersion").asString()).isEqualTo("18.1");

        usDevicesGetFieldNotes();
        settle();
        assertThat(orchardLicenses("and serial_number = 'MDM1' and intent is null")).isEqualTo(1);
        installedAndConfirmed(d, 1);
        var view = call("GET", "/api/v1/mdm/commands?serialNumber=MDM1&requestType=InstallApplication", null).get("items").get(0);
        assertThat(view.get("reason").asString()).isEqualTo("LICENSE_CONFIRMED");
        assertThat(view.get("targets").get(0).get("state").asString()).isEqualTo("ACKNOWLEDGED");
        assertThat(view.get("targets").get(0).get("pushError").asString()).contains("retrieving push cert");
        assertThat(call("GET", "/api/v1/devices/MDM1", null).get("apps").get(0).get("managed").asBoolean()).isTrue();

        // the user deletes the app: the next full app list says so, and the license goes back (R4c)
        d.userDeletes(BUNDLE);
        call("POST", "/api/v1/devices/MDM1/app-list-request", null);
        work(d);
        settle();
        assertThat(orchardLicenses("and serial_number = 'MDM1'")).isZero();
        assertThat(installs("MDM1", "REMOVED")).isEqualTo(1);
        assertThat(d.received("InstallApplication")).hasSize(1); // not pushed back
    }

    @Test
    void anErasedDeviceThatReEnrollsGetsItsDeviceLicensedAppsAgain() {
        known("MDM2", "iOS");
        var d = device(DeviceEmulator.Kind.IPHONE, "MDM2");
        enroll(d);
        work(d);
        usDevicesGetFieldNotes();
        settle();
        installedAndConfirmed(d, 1);

        assertThat(d.eraseAndReEnroll()).containsExactly(200, 200);
        nano.awaitEvents();
        work(d);
        assertThat(d.received("InstallApplication")).hasSize(2);
        String uuid = db().sql("select c.command_uuid from mdm_commands c join mdm_targets t on t.command_uuid = c.command_uuid "
                + "where t.serial_number = 'MDM2' and c.request_type = 'InstallApplication' order by c.created_at desc limit 1")
                .query(String.class).single();
        assertThat(call("GET", "/api/v1/mdm/commands/" + uuid, null).get("reason").asString()).isEqualTo("REINSTALL");
        assertThat(call("GET", "/api/v1/audit?action=DEVICE_RE_ENROLLED", null).get("items").get(0).get("detail").asString())
                .contains("1 device-licensed app");
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

        var cart = device(DeviceEmulator.Kind.SHARED_IPAD, "CART1");
        enroll(cart);
        work(cart);
        var install = cart.received("InstallApplication");
        assertThat(install).hasSize(1);
        assertThat(install.get(0).command().get("ChangeManagementState")).isNull();
        String uuid = db().sql("select command_uuid from mdm_targets where serial_number = 'CART1' and wire_uuid = ?")
                .param(install.get(0).uuid()).query(String.class).single();
        assertThat(call("GET", "/api/v1/mdm/commands/" + uuid, null).get("reason").asString()).isEqualTo("REGISTRATION");

        // a student signs in (the Shared iPad user channel's token update): the device channel gets the install again
        assertThat(cart.signIn("ignored", "student1")).isEqualTo(200);
        nano.awaitEvents();
        assertThat(count("select count(*) from mdm_channels where enrollment_id = ? and channel_type = 'SHARED_IPAD'",
                cart.udid + ":student1")).isEqualTo(1);
        work(cart);
        assertThat(cart.received("InstallApplication")).hasSize(2);
        assertThat(cart.received("InstallApplication").get(1).channel()).isEqualTo(cart.udid);
    }

    @Test
    void anMdmThatIsDownDelaysDeliveryAndTheLicensingEngineIsNeverBlocked() {
        known("MDM3", "iOS");
        var d = device(DeviceEmulator.Kind.IPHONE, "MDM3");
        enroll(d);
        work(d);
        nano.down();
        String uuid = call("POST", "/api/v1/devices/MDM3/app-list-request", null).get("commandUuid").asString();
        Await.until("a failed attempt", () -> call("GET", "/api/v1/mdm/commands/" + uuid, null).get("targets").get(0)
                .get("attempts").asInt() >= 1 && "QUEUED".equals(call("GET", "/api/v1/mdm/commands/" + uuid, null)
                .get("targets").get(0).get("state").asString()));
        var target = call("GET", "/api/v1/mdm/commands/" + uuid, null).get("targets").get(0);
        assertThat(target.get("lastError").asString()).contains("unreachable");
        var server = call("GET", "/api/v1/mdm/servers", null).get(0);
        assertThat(server.get("unreachableSince").isNull()).isFalse();
        assertThat(server.get("unreachableError").asString()).contains("NanoMDM unreachable");
        // alerted at once with a threshold of 0 minutes
        call("PUT", "/api/v1/alerts/rules", "[{\"rule\":\"MDM_UNREACHABLE\",\"threshold\":0}]");
        Await.until("the MDM-unreachable alert", () -> openAlerts("MDM_UNREACHABLE") == 1);
        nano.up();
        later(Duration.ofMinutes(2));
        Await.until("delivered once the MDM is back", () -> "DELIVERED".equals(call("GET", "/api/v1/mdm/commands/" + uuid, null)
                .get("targets").get(0).get("state").asString()));
        assertThat(call("GET", "/api/v1/mdm/servers", null).get(0).get("unreachableSince").isNull()).isTrue();
        Await.until("the alert resolved", () -> {
            later(Duration.ofMinutes(1));
            return openAlerts("MDM_UNREACHABLE") == 0;
        });
        assertThat(work(d)).isEqualTo(1);
        assertThat(d.received("ManagedApplicationList")).hasSize(2);

        // the licensing engine was never blocked: licenses are assigned while the MDM is down
        nano.down();
        usDevicesGetFieldNotes();
        settle();
        assertThat(orchardLicenses("and serial_number = 'MDM3' and intent is null")).isEqualTo(1);
        Await.until("the install queued and refused by the down MDM", () -> count("select count(*) from mdm_targets t join "
                + "mdm_commands c on c.command_uuid = t.command_uuid where c.request_type = 'InstallApplication' "
                + "and t.attempts > 0 and t.state = 'QUEUED'") == 1);
        nano.up();
        later(Duration.ofMinutes(5));
        work(d);
        assertThat(d.received("InstallApplication")).hasSize(1);
    }

    private long openAlerts(String rule) {
        long n = 0;
        for (var a : call("GET", "/api/v1/alerts", null)) {
            if (a.get("alert").get("rule").asString().equals(rule) && a.get("alert").get("resolvedAt").isNull()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void outdatedDeviceLicensedAppsAreListedAndUpdatedOnRequest() {
        known("OLD1", "iOS");
        var d = device(DeviceEmulator.Kind.IPHONE, "OLD1");
        enroll(d);
        work(d);
        usDevicesGetFieldNotes();
        settle();
        Await.until("the install queued", () -> count("select count(*) from mdm_targets where serial_number = 'OLD1' "
                + "and command_uuid in (select command_uuid from mdm_commands where request_type = 'InstallApplication')") == 1);
        work(d);
        call("POST", "/api/v1/devices/OLD1/events", "{\"type\":\"APP_LIST\",\"apps\":[{\"bundleId\":\"" + BUNDLE
                + "\",\"version\":\"14.1.3\",\"managed\":true}]}");
        var page = call("GET", "/api/v1/mdm/outdated?limit=1", null); // a full page: a cursor to the next
        var outdated = page.get("items");
        assertThat(outdated.size()).isEqualTo(1);
        assertThat(outdated.get(0).get("installedVersion").asString()).isEqualTo("14.1.3");
        assertThat(outdated.get(0).get("currentVersion").asString()).isEqualTo("14.2");
        assertThat(page.get("next").asString()).isEqualTo("OLD1/" + FIELD_NOTES);
        assertThat(call("GET", "/api/v1/mdm/outdated?after=" + page.get("next").asString(), null).get("items")).isEmpty();
        var sent = call("POST", "/api/v1/mdm/updates", "{\"adamId\":\"" + FIELD_NOTES + "\"}");
        assertThat(sent.get("devices").asInt()).isEqualTo(1);
        work(d);
        assertThat(d.received("InstallApplication")).hasSize(2);
        assertThat(call("GET", "/api/v1/mdm/commands/" + sent.get("commandUuids").get(0).asString(), null).get("reason").asString())
                .isEqualTo("UPDATE");

        // an install request for a device without a confirmed license is refused with the reason
        call("PUT", "/api/v1/devices/NOLIC", "{\"serialNumber\":\"NOLIC\",\"platform\":\"macOS\",\"osVersion\":\"14.4\"}");
        var none = call("POST", "/api/v1/mdm/installs", "{\"serialNumber\":\"NOLIC\",\"adamId\":\"" + FIELD_NOTES + "\"}");
        assertThat(none.get("devices").asInt()).isZero();
        assertThat(none.get("skipped").toString()).contains("no license Apple confirmed");
    }

    @Test
    void badWebhookCallsChangeNothing() {
        var webhook = orchard.uri("/mdm/nanomdm/webhook");
        String plist = Base64.getEncoder().encodeToString(NSObject.fromJavaObject(Map.of("MessageType", "Authenticate",
                "UDID", "X", "SerialNumber", "EVIL1", "ProductName", "iPhone15,2")).toXMLPropertyList().getBytes(StandardCharsets.UTF_8));
        byte[] body = ("{\"topic\":\"mdm.Authenticate\",\"created_at\":\"2026-11-28T10:00:00.123456789Z\",\"checkin_event\":"
                + "{\"udid\":\"X\",\"ids\":{\"id\":\"X\",\"type\":\"Device\"},\"raw_payload\":\"" + plist + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(post(webhook, null, body)).isEqualTo(401);
        assertThat(post(webhook, "wrong-secret", body)).isEqualTo(401);
        assertThat(post(webhook, SECRET, "{not json".getBytes(StandardCharsets.UTF_8))).isEqualTo(400);
        assertThat(post(webhook, SECRET, "{\"topic\":\"mdm.Connect\",\"acknowledge_event\":{\"raw_payload\":\"bm90IGEgcGxpc3Q=\"}}"
                .getBytes(StandardCharsets.UTF_8))).isEqualTo(400);
        assertThat(post(webhook, SECRET, ("{\"topic\":\"mdm.Authenticate\",\"checkin_event\":{\"ids\":{\"id\":\"X\",\"type\":"
                + "\"Toaster\"},\"raw_payload\":\"" + plist + "\"}}").getBytes(StandardCharsets.UTF_8))).isEqualTo(400);
        assertThat(count("select count(*) from devices where serial_number = 'EVIL1'")).isZero();
        assertThat(post(webhook, SECRET, body)).isEqualTo(200);
        assertThat(count("select count(*) from devices where serial_number = 'EVIL1'")).isEqualTo(1);
        assertThat(orchard.get("/api/v1/mdm/servers", ADMIN_TOKEN).body()).doesNotContain(API_KEY).doesNotContain(SECRET);
        assertThat(call("GET", "/api/v1/mdm/servers", null).get(0).get("hasEventsSecret").asBoolean()).isTrue();
        var bad = orchard.post("/api/v1/devices/EVIL1/events", ADMIN_TOKEN, "{\"type\":\"EXPLODED\"}");
        assertThat(bad.status()).isEqualTo(400);
        List.of("{\"name\":\"x\",\"kind\":\"NANOMDM\",\"url\":\"ftp://x\"}", "{\"name\":\"\",\"kind\":\"WEBHOOK\",\"url\":\"https://x\"}",
                "{\"name\":\"y\",\"kind\":\"OTHER\",\"url\":\"https://x\"}",
                "{\"name\":\"z\",\"kind\":\"WEBHOOK\",\"url\":\"https://x\",\"urlForm\":\"NANOHUB\"}",
                "{\"name\":\"w\",\"kind\":\"NANOMDM\",\"url\":\"https://x\",\"urlForm\":\"NANOTUBE\"}").forEach(json ->
                assertThat(orchard.post("/api/v1/mdm/servers", ADMIN_TOKEN, json).status()).as(json).isEqualTo(400));
        assertThat(call("GET", "/api/v1/mdm/servers", null).size()).isEqualTo(1);
    }

    private int post(java.net.URI webhook, String secret, byte[] body) {
        var request = java.net.http.HttpRequest.newBuilder(webhook).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) {
            request.header("X-Hmac-Signature", Base64.getEncoder().encodeToString(MdmServerService.hmac(secret, body)));
        }
        try {
            return java.net.http.HttpClient.newHttpClient().send(request.build(), java.net.http.HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
