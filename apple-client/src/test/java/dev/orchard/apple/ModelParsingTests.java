package dev.orchard.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.orchard.apple.model.AssetCountNotification;
import dev.orchard.apple.model.AssetManagementNotification;
import dev.orchard.apple.model.ClientConfigResponse;
import dev.orchard.apple.model.EventResponse;
import dev.orchard.apple.model.EventStatus;
import dev.orchard.apple.model.EventType;
import dev.orchard.apple.model.GetAssetsResponse;
import dev.orchard.apple.model.GetAssignmentsResponse;
import dev.orchard.apple.model.GetUsersResponse;
import dev.orchard.apple.model.ProductType;
import dev.orchard.apple.model.ServiceConfigResponse;
import dev.orchard.apple.model.StatusResponse;
import dev.orchard.apple.model.TestNotification;
import dev.orchard.apple.model.UnknownNotification;
import dev.orchard.apple.model.UserAssociatedNotification;
import dev.orchard.apple.model.UserManagementNotification;
import dev.orchard.apple.model.UserStatus;

/** Apple's documented example bodies read into the wire records. */
class ModelParsingTests {

    private static <T> T read(String fixture, Class<T> type) {
        return Json.MAPPER.readValue(Fixtures.bytes(fixture), type);
    }

    @Test
    void assetsPage() {
        GetAssetsResponse page = read("get-assets.json", GetAssetsResponse.class);

        assertThat(page.assets()).singleElement().satisfies(a -> {
            assertThat(a.adamId()).isEqualTo("408709785");
            assertThat(a.productType()).isEqualTo(ProductType.App);
            assertThat(a.assignedCount() + a.availableCount()).isEqualTo(a.totalCount());
            assertThat(a.isDeviceAssignable()).isTrue();
            assertThat(a.supportedPlatforms()).containsExactly("iOS");
            assertThat(a.isUnlimited()).isFalse();
        });
        assertThat(page.nextPageIndex()).isNull();
        assertThat(page.tokenExpiresAt()).contains(Instant.parse("2030-11-08T22:33:22Z"));
        assertThat(page.versionId()).isEqualTo("70e8c740-514c-11eb-bb63-a90b882fcd52");
    }

    @Test
    void assignmentsFirstPage() {
        GetAssignmentsResponse page = read("get-assignments-first-page.json", GetAssignmentsResponse.class);

        assertThat(page.nextPageIndex()).isEqualTo(1);
        assertThat(page.totalPages()).isEqualTo(353);
        assertThat(page.items()).singleElement().satisfies(a -> assertThat(a.isDeviceAssignment()).isTrue());
        assertThat(page.tokenExpiresAt()).isEmpty();
    }

    @Test
    void eventAndStatus() {
        assertThat(read("event-response.json", EventResponse.class).eventId())
                .isEqualTo("954910a8-3d9c-4fde-948d-253e5aef431a");

        StatusResponse failed = read("status-failed-partial.json", StatusResponse.class);
        assertThat(failed.eventStatus()).isEqualTo(EventStatus.FAILED);
        assertThat(failed.eventType()).isEqualTo(EventType.ASSOCIATE);
        assertThat(failed.numCompleted()).isEqualTo(14);
        assertThat(failed.failures()).singleElement().satisfies(f -> {
            assertThat(f.errorNumber()).isEqualTo(9609);
            assertThat(f.errorInfo().clientUserIds()).containsExactly("client-4");
        });

        StatusResponse pending = read("status-pending.json", StatusResponse.class);
        assertThat(pending.eventStatus().isFinished()).isFalse();
        assertThat(pending.failures()).isEmpty();
    }

    @Test
    void unknownEnumValuesAndFieldsAreTolerated() {
        StatusResponse s = Json.MAPPER.readValue(
                "{\"eventStatus\":\"PAUSED\",\"eventType\":\"TRANSFER\",\"brandNew\":{\"x\":1}}", StatusResponse.class);

        assertThat(s.eventStatus()).isEqualTo(EventStatus.UNKNOWN);
        assertThat(s.eventType()).isEqualTo(EventType.UNKNOWN);
    }

    @Test
    void clientConfig() {
        ClientConfigResponse c = read("client-config.json", ClientConfigResponse.class);

        assertThat(c.countryISO2ACode()).isEqualTo("US");
        assertThat(c.uId()).isEqualTo("2049025000431439");
        assertThat(c.websiteURL()).isEqualTo("https://school.apple.com");
        assertThat(c.mdmInfo().name()).isEqualTo("Apple Configurator 2");
        assertThat(c.subscribedNotificationTypes()).contains("ASSET_MANAGEMENT");
        assertThat(c.toString()).doesNotContain("abc123secret");
    }

    @Test
    void serviceConfigAndItsLimits() {
        ServiceConfigResponse s = read("service-config.json", ServiceConfigResponse.class);
        ServiceLimits limits = ServiceLimits.from(s.limits());

        assertThat(limits).isEqualTo(ServiceLimits.DEFAULTS);
        assertThat(s.limits()).containsEntry("someFutureLimit", 7);
        assertThat(s.urls()).containsKeys("getAssignments", "contentMetadataLookup", "invitationEmail");
        assertThat(s.errorCodes()).extracting(e -> e.errorNumber()).contains(9609, 9646);
    }

    @Test
    void users() {
        GetUsersResponse page = read("get-users.json", GetUsersResponse.class);

        assertThat(page.users()).extracting(u -> u.status())
                .containsExactly(UserStatus.Registered, UserStatus.Associated, UserStatus.Retired);
        assertThat(page.users().get(0).inviteCode()).isNotBlank();
        assertThat(page.users().get(1).status().isActive()).isTrue();
        assertThat(page.users().get(2).status().isActive()).isFalse();
    }

    @Test
    void notificationsOfEveryDocumentedType() {
        var count = AppleNotifications.parse(Fixtures.bytes("notification-asset-count.json"));
        assertThat(count.notificationId()).isEqualTo("526276ce-965a-4d94-b278-b3401ba86f6a");
        assertThat(count.uId()).isEqualTo("981060278089131045");
        assertThat(count.payload()).isEqualTo(new AssetCountNotification("361304891", "STDQ", 1));

        var managed = AppleNotifications.parse(Fixtures.bytes("notification-asset-management.json"));
        assertThat(managed.payload()).isInstanceOfSatisfying(AssetManagementNotification.class, n -> {
            assertThat(n.isSuccess()).isTrue();
            assertThat(n.type()).isEqualTo(EventType.ASSOCIATE);
            assertThat(n.assignments()).hasSize(2);
            assertThat(n.assignments().get(1).isDeviceAssignment()).isFalse();
        });

        var failure = AppleNotifications.parse(Fixtures.bytes("notification-asset-management-failure.json"));
        assertThat(failure.payload()).isInstanceOfSatisfying(AssetManagementNotification.class, n -> {
            assertThat(n.isSuccess()).isFalse();
            assertThat(n.error().errorNumber()).isEqualTo(9709);
        });

        assertThat(AppleNotifications.parse(Fixtures.bytes("notification-user-associated.json")).payload())
                .isInstanceOfSatisfying(UserAssociatedNotification.class,
                        n -> assertThat(n.associatedUsers().get(0).idHash()).isNotBlank());
        assertThat(AppleNotifications.parse(Fixtures.bytes("notification-user-management.json")).payload())
                .isInstanceOfSatisfying(UserManagementNotification.class,
                        n -> assertThat(n.users().get(0).status()).isEqualTo(UserStatus.Registered));
        assertThat(AppleNotifications.parse(Fixtures.bytes("notification-test.json")).payload())
                .isInstanceOf(TestNotification.class);
        assertThat(AppleNotifications.parse(Fixtures.bytes("notification-unknown.json")).payload())
                .isInstanceOfSatisfying(UnknownNotification.class, n -> {
                    assertThat(n.type()).isEqualTo("SUBSCRIPTION_COUNT");
                    assertThat(n.rawJson()).contains("someNewField");
                });
    }

    @Test
    void malformedNotificationsAreRejectedClearly() {
        assertThatThrownBy(() -> AppleNotifications.parse("not json".getBytes()))
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> AppleNotifications.parse("{\"notificationType\":\"ASSET_COUNT\"}".getBytes()))
                .hasMessageContaining("notificationId");
        assertThatThrownBy(() -> AppleNotifications.parse(
                "{\"notificationId\":\"1\",\"notificationType\":\"ASSET_COUNT\",\"notification\":{\"countDelta\":\"many\"}}".getBytes()))
                .hasMessageContaining("malformed");
    }
}
