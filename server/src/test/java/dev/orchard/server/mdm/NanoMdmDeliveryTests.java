package dev.orchard.server.mdm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.orchard.server.inventory.Platform;
import tools.jackson.databind.json.JsonMapper;

/** The NanoMDM connector against the loopback fake of NanoMDM's enqueue API. */
class NanoMdmDeliveryTests {

    private final FakeNanoMdm nano = new FakeNanoMdm("key-1");
    private final NanoMdmDelivery delivery = new NanoMdmDelivery(JsonMapper.builder().build());
    private final MdmCommand install = MdmCommands.installApplication("8d7c1f00-0000-4000-8000-000000000001",
            new MdmCommands.Install(361309726L, Platform.IOS, 1, false, false, null));

    @AfterEach
    void stop() {
        nano.close();
    }

    private MdmServer server() {
        return new MdmServer(1, "nano", MdmServer.Kind.NANOMDM, nano.url(), true, true, true, Instant.EPOCH, Instant.EPOCH);
    }

    @Test
    void oneRequestEnqueuesForSeveralEnrollments() {
        nano.enroll("UDID-A");
        nano.enroll("UDID-B");
        var outcomes = delivery.deliver(server(), "key-1", install, List.of("UDID-A", "UDID-B"));
        assertThat(outcomes.values()).allMatch(CommandDelivery.Outcome::delivered);
        assertThat(nano.requests()).isEqualTo(1);
        assertThat(nano.queued("UDID-A", "InstallApplication")).hasSize(1);
        assertThat(nano.queued("UDID-B").get(0).uuid()).isEqualTo(install.uuid());
    }

    @Test
    void a207PartialResultIsReadPerEnrollment() {
        nano.enroll("UDID-A");
        var outcomes = delivery.deliver(server(), "key-1", install, List.of("UDID-A", "UDID-GONE"));
        assertThat(outcomes.get("UDID-A").delivered()).isTrue();
        assertThat(outcomes.get("UDID-GONE").delivered()).isFalse();
        assertThat(outcomes.get("UDID-GONE").note()).contains("enrollment not found");
    }

    @Test
    void resendingTheSameCommandUuidIsHarmless() {
        nano.enroll("UDID-A");
        delivery.deliver(server(), "key-1", install, List.of("UDID-A"));
        var again = delivery.deliver(server(), "key-1", install, List.of("UDID-A"));
        assertThat(again.get("UDID-A").delivered()).isTrue();
        assertThat(nano.queued("UDID-A")).hasSize(1);
    }

    @Test
    void aWrongKeyAndADownServerRefuseEveryEnrollmentWithTheReason() {
        nano.enroll("UDID-A");
        assertThat(delivery.deliver(server(), "wrong", install, List.of("UDID-A")).get("UDID-A").note()).contains("401");
        nano.down();
        var down = delivery.deliver(server(), "key-1", install, List.of("UDID-A"));
        assertThat(down.get("UDID-A").delivered()).isFalse();
        assertThat(down.get("UDID-A").note()).contains("unreachable");
        nano.up();
        assertThat(delivery.deliver(server(), "key-1", install, List.of("UDID-A")).get("UDID-A").delivered()).isTrue();
    }

    @Test
    void nanoHubPrefixAndIdsAreEncoded() {
        assertThat(NanoMdmDelivery.enqueueUri("https://hub.example.com/api/v1/nanomdm/", List.of("A", "B:user 1")).toString())
                .isEqualTo("https://hub.example.com/api/v1/nanomdm/enqueue/A,B%3Auser%201");
        assertThat(NanoMdmDelivery.enqueueUri("https://mdm.example.com", List.of("A")).toString())
                .isEqualTo("https://mdm.example.com/v1/enqueue/A");
    }
}
