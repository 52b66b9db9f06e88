package dev.orchard.server.mdm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.orchard.server.inventory.Platform;
import dev.orchard.server.mdm.nano.DeviceEmulator;
import dev.orchard.server.mdm.nano.NanoMdmDouble;
import dev.orchard.server.mdm.nano.TestCa;
import tools.jackson.databind.json.JsonMapper;

/** The NanoMDM connector against the double of the real server, in both storage personalities. */
class NanoMdmDeliveryTests {

    private static final TestCa CA = new TestCa("Orchard Test CA");
    private NanoMdmDouble nano;
    private final NanoMdmDelivery delivery = new NanoMdmDelivery(JsonMapper.builder().build());

    @AfterEach
    void stop() {
        nano.close();
    }

    private MdmServer server(MdmServer.UrlForm form) {
        return new MdmServer(1, "nano", MdmServer.Kind.NANOMDM, nano.url(), true, true, true, form, false, Instant.EPOCH, Instant.EPOCH);
    }

    private static MdmCommand install() {
        return MdmCommands.installApplication(UUID.randomUUID().toString(),
                new MdmCommands.Install(361309726L, Platform.IOS, 1, false, false, null));
    }

    private DeviceEmulator enrolled(String serial) {
        var d = new DeviceEmulator(CA, nano.mdmUrl(), null, DeviceEmulator.Kind.IPHONE, serial);
        assertThat(d.enroll()).containsExactly(200, 200);
        return d;
    }

    @ParameterizedTest
    @EnumSource(NanoMdmDouble.Storage.class)
    void withoutAPushCertificateTheCommandIsQueuedAndTheDeviceFetchesIt(NanoMdmDouble.Storage storage) {
        nano = NanoMdmDouble.start(NanoMdmDouble.options("key-1", storage, CA.certificate()));
        var a = enrolled("DELIV-A");
        var b = enrolled("DELIV-B");
        MdmCommand command = install();
        var outcomes = delivery.deliver(server(MdmServer.UrlForm.NANOMDM), "key-1", command, List.of(a.channel(), b.channel()), false);
        assertThat(outcomes.values()).allMatch(CommandDelivery.Outcome::delivered);
        assertThat(outcomes.get(a.channel()).note()).contains("retrieving push cert for topic");
        assertThat(nano.enqueueRequests()).isEqualTo(1);
        assertThat(a.poll()).isEqualTo(1);
        assertThat(a.received("InstallApplication").get(0).uuid()).isEqualTo(command.uuid());
    }

    @ParameterizedTest
    @EnumSource(NanoMdmDouble.Storage.class)
    void aUuidIsTakenOnceAResendOfTheSameRequestIsDeliveredANewRequestIsNot(NanoMdmDouble.Storage storage) {
        nano = NanoMdmDouble.start(NanoMdmDouble.options("key-1", storage, CA.certificate()));
        var a = enrolled("DELIV-C");
        var b = enrolled("DELIV-D");
        MdmCommand command = install();
        var s = server(MdmServer.UrlForm.NANOMDM);
        assertThat(delivery.deliver(s, "key-1", command, List.of(a.channel()), false).get(a.channel()).delivered()).isTrue();
        // the bug this guards: the same UUID for another device is refused by the real server
        var other = delivery.deliver(s, "key-1", command, List.of(b.channel()), false).get(b.channel());
        assertThat(other.result()).isEqualTo(CommandDelivery.Result.NOT_DELIVERED);
        assertThat(other.note()).contains(storage == NanoMdmDouble.Storage.PGSQL ? "duplicate key" : "command already exists");
        assertThat(nano.queued(b.channel())).isEmpty();
        // a resend of the request whose answer was lost: NanoMDM has it, so it was delivered
        assertThat(delivery.deliver(s, "key-1", command, List.of(a.channel()), true).get(a.channel()).delivered()).isTrue();
        assertThat(nano.queued(a.channel())).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(NanoMdmDouble.Storage.class)
    void anIdNanoMdmHasNoEnrollmentFor(NanoMdmDouble.Storage storage) {
        nano = NanoMdmDouble.start(NanoMdmDouble.options("key-1", storage, CA.certificate()));
        var a = enrolled("DELIV-E");
        var outcomes = delivery.deliver(server(MdmServer.UrlForm.NANOMDM), "key-1", install(), List.of(a.channel(), "NEVER-ENROLLED"), false);
        if (storage == NanoMdmDouble.Storage.PGSQL) {
            // the whole request fails on a foreign key: split it to find the bad id
            assertThat(outcomes.values()).allMatch(o -> o.result() == CommandDelivery.Result.SPLIT);
            assertThat(nano.queued(a.channel())).isEmpty();
        } else {
            // the key-value stores queue for any id; the push reports the id has no push data
            assertThat(outcomes.get(a.channel()).delivered()).isTrue();
            assertThat(outcomes.get("NEVER-ENROLLED").note()).isEqualTo("push data missing for id");
        }
    }

    @ParameterizedTest
    @EnumSource(NanoMdmDouble.Storage.class)
    void aWrongKeyADownServerAndPushesThroughNanoHubsForm(NanoMdmDouble.Storage storage) {
        nano = NanoMdmDouble.start(NanoMdmDouble.options("key-1", storage, CA.certificate()).withPushCertificate());
        var a = enrolled("DELIV-F");
        var s = server(MdmServer.UrlForm.NANOMDM);
        assertThat(delivery.deliver(s, "wrong", install(), List.of(a.channel()), false).get(a.channel()).note()).contains("401");
        var pushed = delivery.push(s, "key-1", List.of(a.channel(), "NO-TOKEN"));
        assertThat(pushed.get(a.channel())).isNull();
        assertThat(pushed.get("NO-TOKEN")).isEqualTo("push data missing for id");
        String url = nano.url();
        nano.close();
        var down = delivery.deliver(new MdmServer(1, "nano", MdmServer.Kind.NANOMDM, url, true, true, true,
                MdmServer.UrlForm.NANOMDM, false, Instant.EPOCH, Instant.EPOCH), "key-1", install(), List.of("X"), false);
        assertThat(down.get("X").result()).isEqualTo(CommandDelivery.Result.NOT_DELIVERED);
        assertThat(down.get("X").note()).contains("unreachable");
        nano = NanoMdmDouble.start(NanoMdmDouble.options("key-1", storage, CA.certificate()));
    }

    @org.junit.jupiter.api.Test
    void urlForms() {
        nano = NanoMdmDouble.start(NanoMdmDouble.options("k", NanoMdmDouble.Storage.FILEKV, CA.certificate()));
        var hub = new MdmServer(1, "hub", MdmServer.Kind.NANOMDM, "https://hub.example.com/", true, true, true,
                MdmServer.UrlForm.NANOHUB, false, Instant.EPOCH, Instant.EPOCH);
        assertThat(NanoMdmDelivery.apiUri(hub, "enqueue", List.of("A", "B:user 1")).toString())
                .isEqualTo("https://hub.example.com/api/v1/nanomdm/enqueue/A,B%3Auser%201");
        var hubPrefix = new MdmServer(1, "hub", MdmServer.Kind.NANOMDM, "https://hub.example.com/api/v1/nanomdm", true, true, true,
                MdmServer.UrlForm.NANOHUB, false, Instant.EPOCH, Instant.EPOCH);
        assertThat(NanoMdmDelivery.apiUri(hubPrefix, "push", List.of("A")).toString()).isEqualTo("https://hub.example.com/api/v1/nanomdm/push/A");
        var plain = new MdmServer(1, "n", MdmServer.Kind.NANOMDM, "https://mdm.example.com", true, true, true,
                MdmServer.UrlForm.NANOMDM, false, Instant.EPOCH, Instant.EPOCH);
        assertThat(NanoMdmDelivery.apiUri(plain, "enqueue", List.of("A")).toString()).isEqualTo("https://mdm.example.com/v1/enqueue/A");
    }
}
