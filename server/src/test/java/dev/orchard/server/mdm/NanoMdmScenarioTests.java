package dev.orchard.server.mdm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import dev.orchard.server.Await;
import dev.orchard.server.mdm.nano.DeviceEmulator;

/**
 * The chain against the NanoMDM double as the real server behaves: unique command UUIDs across requests and resends,
 * no push certificate, a crash between two enqueue requests, webhook events shuffled and lost, User Enrollment, a
 * Mac's user channel, check-out, NotNow and Error answers, one bad id in a bulk request, license-only servers.
 */
class NanoMdmScenarioTests extends NanoMdmScenario {

    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    {
        settings.put("db-scheduler.shutdown-max-wait", "1s"); // a node that goes down does not wait for its requests
    }

    private List<DeviceEmulator> emulatedPhones(String prefix, int n) {
        List<DeviceEmulator> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            list.add(device(DeviceEmulator.Kind.IPHONE, prefix + i));
        }
        return list;
    }

    private void each(List<DeviceEmulator> devices, Consumer<DeviceEmulator> action) {
        List<Future<?>> futures = new ArrayList<>();
        devices.forEach(d -> futures.add(pool.submit(() -> action.accept(d))));
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        nano.awaitEvents();
    }

    /** Every device enrolls; once Orchard has them all, they answer its enrolment queries. */
    private void enrollAll(List<DeviceEmulator> devices) {
        each(devices, d -> assertThat(d.enroll()).containsExactly(200, 200));
        Await.until(devices.size() + " devices enrolled", () -> count("select count(*) from mdm_enrollments where state = "
                + "'ENROLLED'") == devices.size(), MDM_WAIT);
        workAll(devices);
    }

    /** Every device checks in and works its queue until Orchard has nothing due for any of them. */
    private void workAll(List<DeviceEmulator> devices) {
        for (int round = 0; round < 10; round++) {
            awaitDelivered();
            int[] answered = {0};
            each(devices, d -> {
                int n = d.poll();
                synchronized (answered) {
                    answered[0] += n;
                }
            });
            if (answered[0] == 0) {
                return;
            }
        }
    }

    @Test
    void oneInstallForAThousandDevicesReachesEveryDeviceExactlyOnce() {
        var devices = emulatedPhones("BULK", 1000);
        enrollAll(devices);
        // the install's requests only: under load a device slow to answer is asked again (SilenceWatch), which is
        // another command's request
        int before = nano.enqueueRequests("InstallApplication");
        var result = install(devices.stream().map(d -> d.serial).toList(), false);
        assertThat(result.commandUuids()).hasSize(1);
        workAll(devices);
        for (DeviceEmulator d : devices) {
            assertThat(d.received("InstallApplication")).as(d.serial).hasSize(1);
        }
        assertThat(count("select count(*) from mdm_targets where command_uuid = ? and state = 'ACKNOWLEDGED'",
                result.commandUuids().get(0))).isEqualTo(1000);
        assertThat(nano.enqueueRequests("InstallApplication") - before).isEqualTo(20); // ⌈1,000 ÷ 50⌉ requests
        List<String> uuids = nano.enqueueUuids();
        assertThat(new HashSet<>(uuids)).as("no UUID was sent twice").hasSameSizeAs(uuids);
    }

    @Test
    void withoutAPushCertificateTheCommandWaitsForTheDeviceAndAPushCanBeRetried() {
        var d = device(DeviceEmulator.Kind.IPHONE, "NOPUSH1");
        enroll(d);
        work(d);
        String uuid = call("POST", "/api/v1/devices/NOPUSH1/app-list-request", null).get("commandUuid").asString();
        awaitDelivered();
        var target = call("GET", "/api/v1/mdm/commands/" + uuid, null).get("targets").get(0);
        assertThat(target.get("state").asString()).isEqualTo("DELIVERED");
        assertThat(target.get("pushError").asString()).contains("retrieving push cert for topic");
        var pushed = call("POST", "/api/v1/mdm/commands/" + uuid + "/push", null);
        assertThat(pushed.get("pushes").get(0).get("enrollmentId").asString()).isEqualTo(d.channel());
        assertThat(pushed.get("pushes").get(0).get("pushed").asBoolean()).isFalse();
        assertThat(pushed.get("pushes").get(0).get("error").asString()).contains("retrieving push cert for topic");
        assertThat(page("/operations", "OPERATOR")).contains("Push again").contains("queued at the MDM; push failed: retrieving push cert");
        assertThat(page("/operations")).doesNotContain("Push again"); // a viewer sees the state, not the action
        assertThat(work(d)).isEqualTo(1); // the device fetches it at its next check-in
        assertThat(call("GET", "/api/v1/mdm/commands/" + uuid, null).get("targets").get(0).get("state").asString())
                .isEqualTo("ACKNOWLEDGED");
    }

    @Test
    void aCrashBetweenTwoEnqueueRequestsIsResentWithTheSameUuidAndReachesEachDeviceOnce() {
        var devices = emulatedPhones("CRASH", 120);
        enrollAll(devices);
        nano.pauseEnqueuesAfter(nano.enqueueRequests() + 1); // the second request of the install hangs at NanoMDM
        var result = install(devices.stream().map(d -> d.serial).toList(), false);
        String uuid = result.commandUuids().get(0);
        Await.until("the first request delivered and the second in flight", () -> count("select count(*) from mdm_targets "
                + "where command_uuid = ? and state = 'DELIVERED'", uuid) == 50 && count("select count(*) from mdm_targets "
                + "where command_uuid = ? and state = 'SENDING'", uuid) == 50);
        String inFlight = db().sql("select distinct wire_uuid from mdm_targets where command_uuid = ? and state = 'SENDING'")
                .param(uuid).query(String.class).single();
        orchard.close(); // the node goes down while NanoMDM still works on the request
        nano.resumeEnqueues();
        Await.until("NanoMDM took the request Orchard never heard back from", () -> nano.holds(inFlight));
        startOrchard();
        deliverNow();
        awaitMdm("every target delivered", () -> count("select count(*) from mdm_targets where command_uuid = ? "
                + "and state = 'DELIVERED'", uuid) == 120);
        workAll(devices);
        for (DeviceEmulator d : devices) {
            assertThat(d.received("InstallApplication")).as(d.serial).hasSize(1);
        }
        List<String> uuids = nano.enqueueUuids();
        assertThat(uuids.stream().filter(inFlight::equals).count()).as("the lost request resent once, same UUID").isEqualTo(2);
        var twice = uuids.stream().filter(u -> java.util.Collections.frequency(uuids, u) > 1).distinct().toList();
        assertThat(twice).as("UUIDs NanoMDM was sent more than once (the lost request is %s)", inFlight).containsExactly(inFlight);
    }

    @Test
    void eventsInAnyOrderAndLostOnesConvergeToEveryDeviceEnrolledOnce() {
        for (long seed : new long[] {1, 7, 42}) {
            var devices = emulatedPhones("SHUF" + seed + "X", 12);
            String lostToken = devices.get(2).channel();
            String lostAuth = devices.get(4).channel();
            events.hold();
            events.drop(e -> (e.topic().equals("mdm.TokenUpdate") && e.channel().equals(lostToken))
                    || (e.topic().equals("mdm.Authenticate") && e.channel().equals(lostAuth)));
            each(devices, d -> assertThat(d.enroll()).containsExactly(200, 200));
            assertThat(events.release(seed)).allMatch(s -> s == 200);
            events.drop(e -> false);
            // every device but the one whose TokenUpdate was lost works its queue (that one stays away: any report of
            // its own would prove it enrolled); the one whose Authenticate was lost is asked for its DeviceInformation
            String silent = devices.get(2).serial;
            workAll(devices.stream().filter(d -> !d.serial.equals(silent)).toList());
            for (DeviceEmulator d : devices) {
                if (!d.serial.equals(silent)) {
                    assertThat(enrollmentState(d.serial)).as(d.serial + " seed " + seed).isEqualTo("ENROLLED");
                }
            }
            assertThat(enrollmentState(silent)).isEqualTo("AUTHENTICATED");
            later(Duration.ofMinutes(16)); // no TokenUpdate ever came: Orchard asks the device again
            Await.until("the silent device asked again", () -> count("select count(*) from mdm_enrollments where serial_number = ? "
                    + "and waiting_since is not null", silent) == 1);
            var waiting = call("GET", "/api/v1/mdm/waiting?limit=1", null); // a full page: a cursor to the next
            assertThat(waiting.get("items").get(0).get("serialNumber").asString()).isEqualTo(silent);
            assertThat(waiting.get("items").get(0).get("waitingForMdm").asBoolean()).isTrue();
            assertThat(waiting.get("items").get(0).get("waitingReason").asString()).contains("no TokenUpdate reached Orchard");
            assertThat(call("GET", "/api/v1/mdm/waiting?after=" + waiting.get("next").asString(), null).get("items")).isEmpty();
            assertThat(page("/devices/" + silent)).contains("Waiting for the MDM").contains("no TokenUpdate reached Orchard");
            assertThat(page("/")).contains("device(s) waiting for the MDM, longest " + silent);
            workAll(devices);
            assertThat(enrollmentState(silent)).isEqualTo("ENROLLED");
            assertThat(count("select count(*) from mdm_enrollments where serial_number = ? and waiting_since is null", silent))
                    .isEqualTo(1);
            for (DeviceEmulator d : devices) {
                assertThat(count("select enrollments from mdm_enrollments where serial_number = ?", d.serial)).as(d.serial).isEqualTo(1);
                assertThat(d.received("DeviceInformation")).as(d.serial).isNotEmpty();
            }
        }
    }

    @Test
    void aUserEnrollmentDeviceIsKeyedByItsEnrollmentIdAndOwnedByItsManagedAppleAccount() {
        call("PUT", "/api/v1/users/u-alice", "{\"userId\":\"u-alice\",\"email\":\"alice@corp.example\",\"managedAppleId\":"
                + "\"alice@appleid.corp.example\",\"displayName\":\"Alice\"}");
        var byod = device(DeviceEmulator.Kind.USER_ENROLLMENT, "BYOD1");
        enroll(byod);
        assertThat(byod.signIn("EUID-ALICE", "alice@appleid.corp.example")).isEqualTo(200);
        nano.awaitEvents();
        work(byod);
        var device = call("GET", "/api/v1/devices/" + byod.enrollmentId, null).get("device");
        assertThat(device.get("enrollment").asString()).isEqualTo("USER");
        assertThat(device.get("ownerUserId").asString()).isEqualTo("u-alice");
        assertThat(device.get("udid").isNull()).isTrue();
        assertThat(enrollmentState(byod.enrollmentId)).isEqualTo("ENROLLED");
        assertThat(call("GET", "/api/v1/devices/" + byod.enrollmentId + "/mdm", null).get("enrollment").get("userChannelId")
                .asString()).isEqualTo(byod.enrollmentId + ":EUID-ALICE");
        // an install never converts a User Enrollment device's apps (R8 does not apply there)
        var result = install(List.of(byod.enrollmentId), true);
        assertThat(result.devices()).isEqualTo(1);
        work(byod);
        assertThat(byod.received("InstallApplication").get(0).command().get("ChangeManagementState")).isNull();
    }

    @Test
    void aMacUserChannelGetsTheUserLicensedInstallsAndTheDeviceChannelTheRest() {
        var mac = device(DeviceEmulator.Kind.MAC, "MAC1");
        enroll(mac);
        work(mac);
        assertThat(mac.signIn("501-JDOE", "jdoe")).isEqualTo(200);
        nano.awaitEvents();
        assertThat(call("GET", "/api/v1/devices/MAC1/mdm", null).get("enrollment").get("userChannelId").asString())
                .isEqualTo(mac.udid + ":501-JDOE");
        install(List.of("MAC1"), true);
        awaitDelivered();
        assertThat(mac.poll()).isZero();
        assertThat(mac.pollUser("501-JDOE")).isEqualTo(1);
        nano.awaitEvents();
        assertThat(mac.received("InstallApplication")).hasSize(1);
        assertThat(mac.received("InstallApplication").get(0).command().get("InstallAsManaged").toJavaObject()).isEqualTo(true);
        install(List.of("MAC1"), false);
        assertThat(work(mac)).isEqualTo(1);
    }

    @Test
    void aCheckOutRetiresTheDeviceAndALateEventDoesNotBringItBack() {
        var d = device(DeviceEmulator.Kind.IPHONE, "LEAVER1");
        events.hold();
        enroll(d);
        assertThat(d.checkOut()).isEqualTo(200);
        nano.awaitEvents();
        // the check-out arrives first, the enrolment's events after it
        var held = events.held();
        assertThat(held).hasSize(3);
        events.release(3);
        assertThat(enrollmentState("LEAVER1")).isEqualTo("CHECKED_OUT");
        assertThat(call("GET", "/api/v1/devices/LEAVER1", null).get("device").get("status").asString()).isEqualTo("RETIRED");
    }

    @Test
    void notNowIsAskedAgainAndAnErrorIsRecordedWithItsReason() {
        known("SLOW1", "iOS");
        var d = device(DeviceEmulator.Kind.IPHONE, "SLOW1");
        enroll(d);
        work(d);
        d.notNow("ManagedApplicationList", 1);
        String uuid = call("POST", "/api/v1/devices/SLOW1/app-list-request", null).get("commandUuid").asString();
        awaitDelivered();
        assertThat(d.poll()).isEqualTo(1);
        nano.awaitEvents();
        var target = call("GET", "/api/v1/mdm/commands/" + uuid, null).get("targets").get(0);
        assertThat(target.get("state").asString()).isEqualTo("DELIVERED");
        assertThat(target.get("result").asString()).isEqualTo("NotNow");
        assertThat(d.poll()).isEqualTo(1); // NanoMDM offers it again at the next Idle
        nano.awaitEvents();
        assertThat(call("GET", "/api/v1/mdm/commands/" + uuid, null).get("targets").get(0).get("state").asString())
                .isEqualTo("ACKNOWLEDGED");

        d.error("InstallApplication", "Couldn't install the app: not enough storage");
        String install = install(List.of("SLOW1"), false).commandUuids().get(0);
        work(d);
        var failed = call("GET", "/api/v1/mdm/commands/" + install, null).get("targets").get(0);
        assertThat(failed.get("state").asString()).isEqualTo("ERROR");
        assertThat(failed.get("result").asString()).contains("not enough storage");
        assertThat(count("select count(*) from mdm_app_installs where serial_number = 'SLOW1' and state = 'FAILED'")).isEqualTo(1);
    }

    @Test
    void oneIdNanoMdmDoesNotKnowDoesNotHoldUpTheOthers() {
        var devices = emulatedPhones("MIX", 9);
        enrollAll(devices);
        // a device Orchard was told about (REST), enrolled in NanoMDM under an id NanoMDM has since forgotten
        known("GHOST1", "iOS");
        call("POST", "/api/v1/devices/GHOST1/events", "{\"type\":\"ENROLLED\",\"enrollmentId\":\"GHOST-ID\"}");
        awaitDelivered();
        var serials = new ArrayList<>(devices.stream().map(d -> d.serial).toList());
        serials.add(4, "GHOST1");
        String uuid = install(serials, false).commandUuids().get(0);
        awaitDelivered();
        Await.until("the known devices delivered", () -> count("select count(*) from mdm_targets where command_uuid = ? "
                + "and state = 'DELIVERED' and serial_number <> 'GHOST1'", uuid) == 9);
        workAll(devices);
        devices.forEach(d -> assertThat(d.received("InstallApplication")).as(d.serial).hasSize(1));
        var ghost = db().sql("select state, last_error from mdm_targets where command_uuid = ? and serial_number = 'GHOST1'")
                .param(uuid).query().singleRow();
        if (storage() == dev.orchard.server.mdm.nano.NanoMdmDouble.Storage.PGSQL) {
            assertThat(ghost.get("state")).isEqualTo("QUEUED");
            assertThat((String) ghost.get("last_error")).contains("no enrollment for this id");
        } else {
            assertThat(ghost.get("state")).isEqualTo("DELIVERED"); // the key-value stores queue for any id
        }
    }

    @Test
    void aLicenseOnlyServerGetsNoInstallCommandsButItsDevicesGetLicenses() {
        known("LONLY1", "iOS");
        var d = device(DeviceEmulator.Kind.IPHONE, "LONLY1");
        enroll(d);
        work(d);
        call("PATCH", "/api/v1/mdm/servers/" + serverId, "{\"licenseOnly\":true}");
        usDevicesGetFieldNotes();
        settle();
        assertThat(orchardLicenses("and serial_number = 'LONLY1' and intent is null")).isEqualTo(1); // Orchard still licenses
        orchard.bean(MdmSweep.class).run(); // the sweep finds no install due for a license-only server's device
        assertThat(count("select count(*) from mdm_targets t join mdm_commands c on c.command_uuid = t.command_uuid "
                + "where c.request_type = 'InstallApplication'")).isZero();
        var result = install(List.of("LONLY1"), false);
        assertThat(result.devices()).isZero();
        assertThat(result.skipped()).extracting(dev.orchard.server.mdm.MdmService.Skipped::reason)
                .containsExactly("the device's MDM server is license-only: another tool installs");
        assertThat(work(d)).isZero();
        assertThat(call("GET", "/api/v1/audit?action=MDM_SERVER_CHANGED", null).get("items").get(0).get("detail").asString())
                .contains("license-only");
    }
}
