package dev.orchard.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.orchard.apple.model.Asset;
import dev.orchard.apple.model.AssetQuery;
import dev.orchard.apple.model.AssignmentQuery;
import dev.orchard.apple.model.ClientConfigRequest;
import dev.orchard.apple.model.ManageAssetsRequest;
import dev.orchard.apple.model.ManageUsersRequest;
import dev.orchard.apple.model.MdmInfo;
import dev.orchard.apple.model.ProductType;
import dev.orchard.apple.model.RequestUser;
import dev.orchard.apple.model.RevokeAssetsRequest;
import dev.orchard.apple.model.UserQuery;

/** The exact request each endpoint method sends, and how it reads Apple's answer. */
class AppsAndBooksClientTests {

    private final ScriptedServer server = new ScriptedServer();
    private final AppsAndBooksClient client = AppsAndBooksClient.builder().baseUri(server.uri()).build();
    private final SToken token = Fixtures.token();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void serviceConfigNeedsNoToken() {
        server.replyFixture("service-config.json");

        assertThat(client.serviceConfig().limits()).containsEntry("maxSerialNumbers", 1000);
        var r = server.last();
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.path()).isEqualTo("/mdm/v2/service/config");
        assertThat(r.header("Authorization")).isNull();
    }

    @Test
    void clientConfigSendsTheWholeTokenAsBearer() {
        server.replyFixture("client-config.json");

        assertThat(client.clientConfig(token).locationName()).isEqualTo("PS01");
        var r = server.last();
        assertThat(r.path()).isEqualTo("/mdm/v2/client/config");
        assertThat(r.header("Authorization")).isEqualTo("Bearer " + token.secret());
        assertThat(r.header("Accept")).isEqualTo("application/json");
    }

    @Test
    void updateClientConfigPostsOnlyTheGivenFields() {
        server.replyFixture("client-config.json");

        client.updateClientConfig(token, new ClientConfigRequest(List.of("ASSET_MANAGEMENT", "ASSET_COUNT"),
                "https://orchard.example.com/apple/notifications/abc", "s3cret", new MdmInfo("id-1", "Orchard", "0.1")));

        var r = server.last();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.body()).isEqualTo("{\"notificationTypes\":[\"ASSET_MANAGEMENT\",\"ASSET_COUNT\"],"
                + "\"notificationUrl\":\"https://orchard.example.com/apple/notifications/abc\","
                + "\"notificationAuthToken\":\"s3cret\",\"mdmInfo\":{\"id\":\"id-1\",\"name\":\"Orchard\",\"metadata\":\"0.1\"}}");

        server.replyFixture("client-config.json");
        client.updateClientConfig(token, ClientConfigRequest.claim(new MdmInfo("id-1", "Orchard", "0.1")));
        assertThat(server.last().body()).isEqualTo("{\"mdmInfo\":{\"id\":\"id-1\",\"name\":\"Orchard\",\"metadata\":\"0.1\"}}");
    }

    @Test
    void assetsPageCarriesFiltersAndPageIndex() {
        server.replyFixture("get-assets.json");

        client.assetsPage(token, AssetQuery.of(Asset.standard("408709785")).withProductType(ProductType.App)
                .withUnlimited(true).withAvailableCount(1, 10), 2);

        assertThat(server.last().path()).isEqualTo("/mdm/v2/assets");
        assertThat(server.last().query()).isEqualTo(
                "adamId=408709785&pricingParam=STDQ&productType=App&minAvailableCount=1&maxAvailableCount=10&unlimited=true&pageIndex=2");
    }

    @Test
    void assignmentsPageCarriesFiltersAndVersion() {
        server.replyFixture("get-assignments-first-page.json");

        client.assignmentsPage(token, AssignmentQuery.all().withAsset(Asset.standard("1")).withSerialNumber("C02 X")
                .since("v-1").withUserState(true).withExcludeInactiveUsers(true), 0);

        assertThat(server.last().query()).isEqualTo("adamId=1&pricingParam=STDQ&serialNumber=C02+X"
                + "&sinceVersionId=v-1&excludeInactiveUsers=true&includeUserState=true&pageIndex=0");
    }

    @Test
    void associateAndDisassociateSendApplesBody() {
        server.replyFixture("event-response.json").replyFixture("event-response.json");
        var request = new ManageAssetsRequest(List.of(Asset.standard("408709785")), List.of("client-1"),
                List.of("C02XXXXXXXXX"));

        assertThat(client.associate(token, request).eventId()).isEqualTo("954910a8-3d9c-4fde-948d-253e5aef431a");
        assertThat(server.last().path()).isEqualTo("/mdm/v2/assets/associate");
        assertThat(server.last().body()).isEqualTo("{\"assets\":[{\"adamId\":\"408709785\",\"pricingParam\":\"STDQ\"}],"
                + "\"clientUserIds\":[\"client-1\"],\"serialNumbers\":[\"C02XXXXXXXXX\"]}");

        client.disassociate(token, ManageAssetsRequest.devices(List.of(Asset.standard("408709785")), List.of("S1")));
        assertThat(server.last().path()).isEqualTo("/mdm/v2/assets/disassociate");
        assertThat(server.last().body()).isEqualTo(
                "{\"assets\":[{\"adamId\":\"408709785\",\"pricingParam\":\"STDQ\"}],\"serialNumbers\":[\"S1\"]}");
    }

    @Test
    void revokeAndUsersEndpoints() {
        for (int i = 0; i < 4; i++) {
            server.replyFixture("event-response.json");
        }
        client.revoke(token, new RevokeAssetsRequest(null, List.of("S1", "S2")));
        assertThat(server.last().path()).isEqualTo("/mdm/v2/assets/revoke");
        assertThat(server.last().body()).isEqualTo("{\"serialNumbers\":[\"S1\",\"S2\"]}");

        var users = new ManageUsersRequest(List.of(new RequestUser("u1", "u1@example.com", "u1@appleid.example.com"),
                RequestUser.of("u2")));
        client.createUsers(token, users);
        assertThat(server.last().path()).isEqualTo("/mdm/v2/users/create");
        assertThat(server.last().body()).isEqualTo("{\"users\":[{\"clientUserId\":\"u1\",\"email\":\"u1@example.com\","
                + "\"managedAppleId\":\"u1@appleid.example.com\"},{\"clientUserId\":\"u2\"}]}");
        client.updateUsers(token, users);
        assertThat(server.last().path()).isEqualTo("/mdm/v2/users/update");
        client.retireUsers(token, new ManageUsersRequest(List.of(RequestUser.of("u1"))));
        assertThat(server.last().path()).isEqualTo("/mdm/v2/users/retire");
    }

    @Test
    void usersPageAndStatus() {
        server.replyFixture("get-users.json").replyFixture("status-failed-partial.json");

        assertThat(client.usersPage(token, UserQuery.active().since("v9"), 0).users()).hasSize(3);
        assertThat(server.last().query()).isEqualTo("activeOnly=true&sinceVersionId=v9&pageIndex=0");

        assertThat(client.status(token, "954910a8").numRequested()).isEqualTo(16);
        assertThat(server.last().path()).isEqualTo("/mdm/v2/status");
        assertThat(server.last().query()).isEqualTo("eventId=954910a8");
    }

    @Test
    void invalidRequestsFailBeforeAnythingIsSent() {
        assertThatThrownBy(() -> new ManageAssetsRequest(List.of(), List.of("u"), null)).hasMessageContaining("9718");
        assertThatThrownBy(() -> new ManageAssetsRequest(List.of(Asset.standard("1")), null, List.of()))
                .hasMessageContaining("9719");
        assertThatThrownBy(() -> ManageAssetsRequest.devices(List.of(Asset.standard("1")), List.of("S", "S")))
                .hasMessageContaining("9705");
        assertThatThrownBy(() -> new ManageUsersRequest(List.of(RequestUser.of("a"), RequestUser.of("a"))))
                .hasMessageContaining("9715");
        assertThatThrownBy(() -> new RevokeAssetsRequest(null, null)).hasMessageContaining("9719");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void errorsCarryStatusNumberAndRetryAfter() {
        server.reply(503, "{\"errorNumber\":9729,\"errorMessage\":\"Service unavailable\"}", Map.of("Retry-After", "120"));

        assertThatThrownBy(() -> client.assetsPage(token, AssetQuery.all(), 0))
                .isInstanceOfSatisfying(AppleApiException.class, e -> {
                    assertThat(e.isRateLimited()).isTrue();
                    assertThat(e.retryAt()).isPresent();
                    assertThat(e.endpoint()).isEqualTo("assets");
                    assertThat(e.getMessage()).doesNotContain(token.secret());
                });
    }

    @Test
    void anUnreachableServiceIsATransportError() {
        var dead = AppsAndBooksClient.builder().baseUri(URI.create("http://127.0.0.1:1/mdm/v2")).build();

        assertThatThrownBy(() -> dead.clientConfig(token)).isInstanceOf(AppleTransportException.class)
                .hasMessageStartingWith("client/config: connection failed");
    }

    @Test
    void garbageInASuccessfulAnswerIsATransportError() {
        server.reply(200, "<html>maintenance</html>");

        assertThatThrownBy(() -> client.clientConfig(token)).isInstanceOf(AppleTransportException.class)
                .hasMessageContaining("unreadable response");
    }

    @Test
    void endpointUrlsCanComeFromServiceConfig() {
        server.replyFixture("get-assets.json");
        var other = client.withServiceUrls(Map.of("getAssets", server.root() + "elsewhere/assets"));

        other.assetsPage(token, AssetQuery.all(), 0);

        assertThat(server.last().path()).isEqualTo("/elsewhere/assets");
        assertThat(other.uri(Endpoint.EVENT_STATUS)).isEqualTo(server.uri().resolve("status"));
    }
}
