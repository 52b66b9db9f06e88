package dev.orchard.applesim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import tools.jackson.databind.JsonNode;

class EventConformanceTests extends SimulatorFixture {

    private final NotificationReceiver receiver = new NotificationReceiver();

    @BeforeEach
    void subscribe() {
        var r = http.post("mdm/v2/client/config", token, "{\"notificationTypes\":[\"ASSET_MANAGEMENT\",\"ASSET_COUNT\","
                + "\"USER_MANAGEMENT\",\"USER_ASSOCIATED\"],\"notificationUrl\":\"" + receiver.url()
                + "\",\"notificationAuthToken\":\"nsecret\"}");
        assertThat(r.status()).isEqualTo(200);
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    private int available(String adamId) {
        return asset(adamId, "STDQ").body().get("assets").get(0).get("availableCount").asInt();
    }

    @Test
    void associateIsAsynchronousAndPartialFailuresAreReportedPerTarget() {
        // 3 licenses, 1 used: two serials fit, the third does not; one user is unknown
        String eventId = associate("{\"assets\":[{\"adamId\":\"100001\",\"pricingParam\":\"STDQ\"}],"
                + "\"serialNumbers\":[\"A1\",\"A2\",\"A3\"],\"clientUserIds\":[\"u1\",\"ghost\"]}");

        JsonNode status = awaitEvent(eventId).body();

        assertThat(status.get("eventStatus").asString()).isEqualTo("FAILED");
        assertThat(status.get("eventType").asString()).isEqualTo("ASSOCIATE");
        assertThat(status.get("numRequested").asInt()).isEqualTo(5);
        assertThat(status.get("numCompleted").asInt()).isEqualTo(2);
        assertThat(status.get("failures").findValuesAsString("errorNumber")).containsExactlyInAnyOrder("9709", "9609");
        assertThat(available("100001")).isZero();
        Await.until("failure notifications", () -> receiver.ofType("ASSET_MANAGEMENT").size() >= 3);
        var results = receiver.ofType("ASSET_MANAGEMENT").stream().map(n -> n.get("notification")).toList();
        assertThat(results).allSatisfy(n -> assertThat(n.get("eventId").asString()).isEqualTo(eventId));
        // tasks run users first, then serials: u1 and A1 take the two free licenses
        assertThat(results).filteredOn(n -> n.get("result").asString().equals("SUCCESS"))
                .flatExtracting(n -> List.of(n.get("assignments").toString()))
                .singleElement().asString().contains("\"clientUserId\":\"u1\"", "\"serialNumber\":\"A1\"");
        assertThat(results).filteredOn(n -> n.get("result").asString().equals("FAILURE"))
                .extracting(n -> n.get("error").get("errorNumber").asInt()).containsExactlyInAnyOrder(9709, 9609);
        assertThat(receiver.received()).allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer nsecret"));
    }

    @Test
    void pendingEventsShowGrowingProgress() {
        http.control("POST", "settings", "{\"eventDelayMs\":400}");
        String eventId = associate("{\"assets\":[{\"adamId\":\"100002\"}],\"serialNumbers\":["
                + String.join(",", IntStream.range(0, 8).mapToObj(i -> "\"P" + i + "\"").toList()) + "]}");

        var first = http.get("mdm/v2/status?eventId=" + eventId, token).body();
        assertThat(first.get("eventStatus").asString()).isEqualTo("PENDING");
        assertThat(first.get("numCompleted").asInt()).isLessThan(8);
        assertThat(first.get("numRequested").asInt()).isEqualTo(8);
        var done = awaitEvent(eventId).body();
        assertThat(done.get("eventStatus").asString()).isEqualTo("COMPLETE");
        assertThat(done.get("numCompleted").asInt()).isEqualTo(8);
    }

    @Test
    void heldEventsStayPendingUntilReleasedThenRunInOrder() {
        http.control("POST", "settings", "{\"holdEvents\":true}");
        String first = associate("{\"assets\":[{\"adamId\":\"100002\"}],\"serialNumbers\":[\"H1\"]}");
        String second = associate("{\"assets\":[{\"adamId\":\"100002\"}],\"serialNumbers\":[\"H2\"]}");

        var held = http.get("mdm/v2/status?eventId=" + first, token).body();
        assertThat(held.get("eventStatus").asString()).isEqualTo("PENDING");
        assertThat(held.get("numCompleted").asInt()).isZero();
        assertThat(receiver.ofType("ASSET_MANAGEMENT")).isEmpty();
        assertThat(http.control("GET", "settings", null).body().get("holdEvents").asBoolean()).isTrue();

        http.control("POST", "settings", "{\"holdEvents\":false}");

        assertThat(awaitEvent(first).body().get("eventStatus").asString()).isEqualTo("COMPLETE");
        assertThat(awaitEvent(second).body().get("eventStatus").asString()).isEqualTo("COMPLETE");
        Await.until("both notifications", () -> receiver.ofType("ASSET_MANAGEMENT").size() == 2);
    }

    @Test
    void notificationsCarryAtMostOneHundredItems() {
        String serials = String.join(",", IntStream.range(0, 250).mapToObj(i -> "\"N" + i + "\"").toList());
        String eventId = associate("{\"assets\":[{\"adamId\":\"100002\"}],\"serialNumbers\":[" + serials + "]}");
        awaitEvent(eventId);

        Await.until("three notifications", () -> receiver.ofType("ASSET_MANAGEMENT").size() == 3);
        var sizes = receiver.ofType("ASSET_MANAGEMENT").stream()
                .map(n -> n.get("notification").get("assignments").size()).toList();
        assertThat(sizes).containsExactlyInAnyOrder(100, 100, 50);
        assertThat(receiver.ofType("ASSET_MANAGEMENT").stream().map(n -> n.get("notificationId").asString()).distinct())
                .hasSize(3);
    }

    @Test
    void repeatAssociationIsANoOpByDefaultAndCanFailWith9616() {
        String first = associate("{\"assets\":[{\"adamId\":\"100001\"}],\"serialNumbers\":[\"S-EXIST-1\"]}");
        assertThat(awaitEvent(first).body().get("eventStatus").asString()).isEqualTo("COMPLETE");
        assertThat(available("100001")).isEqualTo(2);

        http.control("POST", "settings", "{\"repeatAssociateFails\":true}");
        String second = associate("{\"assets\":[{\"adamId\":\"100001\"}],\"serialNumbers\":[\"S-EXIST-1\"]}");
        assertThat(awaitEvent(second).body().get("failures").get(0).get("errorNumber").asInt()).isEqualTo(9616);
    }

    @Test
    void disassociateFreesALicenseAndRevokeOnlyTouchesRevocableAssets() {
        assertThat(awaitEvent(associate("{\"assets\":[{\"adamId\":\"100003\"},{\"adamId\":\"100004\"}],"
                + "\"clientUserIds\":[\"u1\"]}")).body().get("numCompleted").asInt()).isEqualTo(2);

        var dis = http.post("mdm/v2/assets/disassociate", token,
                "{\"assets\":[{\"adamId\":\"100001\"}],\"serialNumbers\":[\"S-EXIST-1\",\"NEVER\"]}");
        assertThat(awaitEvent(dis.body().get("eventId").asString()).body().get("eventStatus").asString())
                .isEqualTo("COMPLETE");
        assertThat(available("100001")).isEqualTo(3);

        var revoke = http.post("mdm/v2/assets/revoke", token, "{\"clientUserIds\":[\"u1\"]}");
        var status = awaitEvent(revoke.body().get("eventId").asString()).body();
        assertThat(status.get("eventType").asString()).isEqualTo("REVOKE");
        assertThat(status.get("numCompleted").asInt()).isEqualTo(1);
        var left = http.get("mdm/v2/assignments?clientUserId=u1", token).body().get("assignments");
        assertThat(left.size()).isEqualTo(1);
        assertThat(left.get(0).get("adamId").asString()).isEqualTo("100003");
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', value = {
            "assets/associate|{\"serialNumbers\":[\"A\"]}|9718",
            "assets/associate|{\"assets\":[{\"adamId\":\"100001\"}]}|9719",
            "assets/associate|{\"assets\":[{\"adamId\":\"100001\"},{\"adamId\":\"100001\"}],\"serialNumbers\":[\"A\"]}|9703",
            "assets/associate|{\"assets\":[{\"adamId\":\"100001\"}],\"clientUserIds\":[\"u1\",\"u1\"]}|9704",
            "assets/associate|{\"assets\":[{\"adamId\":\"100001\"}],\"serialNumbers\":[\"A\",\"A\"]}|9705",
            "assets/associate|{\"assets\":[{\"adamId\":\"100003\"}],\"serialNumbers\":[\"A\"]}|9707",
            "assets/associate|{\"assets\":[{\"adamId\":\"999\"}],\"serialNumbers\":[\"A\"]}|9602",
            "assets/disassociate|{\"assets\":[{\"adamId\":\"100003\"}],\"clientUserIds\":[\"u1\"]}|9706",
            "assets/revoke|{}|9719",
            "users/create|{\"users\":[]}|9720",
            "users/create|{\"users\":[{\"clientUserId\":\"a\"},{\"clientUserId\":\"a\"}]}|9715",
            "users/create|{\"users\":[{\"clientUserId\":\"a\",\"email\":\"not-an-email\"}]}|9717"})
    void synchronousValidationCreatesNoEvent(String path, String body, int errorNumber) {
        var r = http.post("mdm/v2/" + path, token, body);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorNumber()).isEqualTo(errorNumber);
        assertThat(r.body().has("eventId")).isFalse();
        assertThat(available("100001")).isEqualTo(2);
    }

    @Test
    void requestLimitsComeFromServiceConfig() {
        http.control("POST", "settings", "{\"limits\":{\"maxSerialNumbers\":2,\"maxAssets\":1,\"maxUsers\":1,"
                + "\"maxClientUserIds\":1,\"maxRevokeSerialNumbers\":1}}");

        assertThat(http.post("mdm/v2/assets/associate", token, "{\"assets\":[{\"adamId\":\"100001\"}],"
                + "\"serialNumbers\":[\"A\",\"B\",\"C\"]}").errorNumber()).isEqualTo(9702);
        assertThat(http.post("mdm/v2/assets/associate", token, "{\"assets\":[{\"adamId\":\"100001\"},"
                + "{\"adamId\":\"100002\"}],\"serialNumbers\":[\"A\"]}").errorNumber()).isEqualTo(9700);
        assertThat(http.post("mdm/v2/assets/associate", token, "{\"assets\":[{\"adamId\":\"100001\"}],"
                + "\"clientUserIds\":[\"u1\",\"u2\"]}").errorNumber()).isEqualTo(9701);
        assertThat(http.post("mdm/v2/assets/revoke", token, "{\"serialNumbers\":[\"A\",\"B\"]}").errorNumber())
                .isEqualTo(9702);
        assertThat(http.post("mdm/v2/users/create", token, "{\"users\":[{\"clientUserId\":\"a\"},"
                + "{\"clientUserId\":\"b\"}]}").errorNumber()).isEqualTo(9714);
    }

    @Test
    void mixedTargetsCanBeRefused() {
        http.control("POST", "settings", "{\"mixedTargets\":false}");

        assertThat(http.post("mdm/v2/assets/associate", token, "{\"assets\":[{\"adamId\":\"100001\"}],"
                + "\"serialNumbers\":[\"A\"],\"clientUserIds\":[\"u1\"]}").errorNumber()).isEqualTo(9602);
    }

    @Test
    void userLifecycle() {
        var create = http.post("mdm/v2/users/create", token, "{\"users\":[{\"clientUserId\":\"u3\",\"email\":\"u3@example.com\"},"
                + "{\"clientUserId\":\"u4\",\"managedAppleId\":\"u4@appleid.example.com\"},{\"clientUserId\":\"u1\"}]}");
        var status = awaitEvent(create.body().get("eventId").asString()).body();
        assertThat(status.get("eventType").asString()).isEqualTo("CREATE");
        assertThat(status.get("numCompleted").asInt()).isEqualTo(2);
        assertThat(status.get("failures").get(0).get("errorNumber").asInt()).isEqualTo(9716);

        var u3 = http.get("mdm/v2/users?clientUserId=u3", token).body().get("users").get(0);
        assertThat(u3.get("status").asString()).isEqualTo("Registered");
        assertThat(u3.get("inviteCode").asString()).isNotBlank();
        var u4 = http.get("mdm/v2/users?clientUserId=u4", token).body().get("users").get(0);
        assertThat(u4.get("status").asString()).isEqualTo("Associated");
        assertThat(u4.get("idHash").asString()).isNotBlank();

        http.control("POST", "locations/" + MAIN + "/users/accept", "{\"clientUserId\":\"u3\"}");
        Await.until("USER_ASSOCIATED", () -> !receiver.ofType("USER_ASSOCIATED").isEmpty());
        assertThat(receiver.ofType("USER_ASSOCIATED").get(0).get("notification").get("associatedUsers").get(0)
                .get("status").asString()).isEqualTo("Associated");

        var retire = http.post("mdm/v2/users/retire", token, "{\"users\":[{\"clientUserId\":\"u3\"}]}");
        assertThat(awaitEvent(retire.body().get("eventId").asString()).body().get("eventStatus").asString())
                .isEqualTo("COMPLETE");
        awaitEvent(http.post("mdm/v2/users/create", token, "{\"users\":[{\"clientUserId\":\"u3\"}]}")
                .body().get("eventId").asString());
        var records = http.get("mdm/v2/users?clientUserId=u3", token).body().get("users");
        assertThat(records.findValuesAsString("status")).containsExactlyInAnyOrder("Retired", "Registered");
        assertThat(http.get("mdm/v2/users?clientUserId=u3&activeOnly=true", token).body().get("users").size()).isEqualTo(1);
        Await.until("USER_MANAGEMENT", () -> receiver.ofType("USER_MANAGEMENT").size() >= 3);
    }

    @Test
    void associatingAUserThatIsNotRegisteredFailsWith9609() {
        var status = awaitEvent(associate("{\"assets\":[{\"adamId\":\"100004\"}],\"clientUserIds\":[\"nobody\"]}")).body();

        assertThat(status.get("numCompleted").asInt()).isZero();
        assertThat(status.get("failures").get(0).get("errorInfo").get("clientUserIds").get(0).asString())
                .isEqualTo("nobody");
        assertThat(status.get("failures").get(0).get("errorInfo").has("assets")).isFalse();
    }

    @Test
    void unknownEventIdIs9708() {
        assertThat(http.get("mdm/v2/status?eventId=nope", token).errorNumber()).isEqualTo(9708);
    }

    @Test
    void purchasesAndRefundsChangeTotalsAndEmitAssetCount() {
        http.control("POST", "locations/" + MAIN + "/purchases", "{\"adamId\":\"100001\",\"pricingParam\":\"STDQ\",\"count\":5}");
        http.control("POST", "locations/" + MAIN + "/purchases", "{\"adamId\":\"100001\",\"pricingParam\":\"STDQ\",\"count\":-2}");

        var asset = asset("100001", "STDQ").body().get("assets").get(0);
        assertThat(asset.get("totalCount").asInt()).isEqualTo(6);
        Await.until("two ASSET_COUNT", () -> receiver.ofType("ASSET_COUNT").size() == 2);
        assertThat(receiver.ofType("ASSET_COUNT").stream().map(n -> n.get("notification").get("countDelta").asInt()))
                .containsExactlyInAnyOrder(5, -2);
    }

    @Test
    void failedDeliveriesAreRetriedUpToThreeTimesAndDuplicatesCanBeSent() {
        receiver.failNext(2);
        http.control("POST", "locations/" + MAIN + "/purchases", "{\"adamId\":\"100001\",\"count\":1}");
        Await.until("third attempt delivered", () -> receiver.ofType("ASSET_COUNT").size() == 1);
        Await.until("third attempt logged",
                () -> http.control("GET", "notifications?type=ASSET_COUNT", null).body().size() == 3);
        var attempts = http.control("GET", "notifications?type=ASSET_COUNT", null).body();
        assertThat(attempts.size()).isEqualTo(3);
        assertThat(attempts.findValuesAsString("notificationId").stream().distinct()).hasSize(1);

        http.control("POST", "settings", "{\"duplicateNotifications\":true}");
        http.control("POST", "locations/" + MAIN + "/purchases", "{\"adamId\":\"100001\",\"count\":1}");
        Await.until("duplicate delivered", () -> receiver.ofType("ASSET_COUNT").size() == 3);
        var ids = receiver.ofType("ASSET_COUNT").stream().map(n -> n.get("notificationId").asString()).toList();
        assertThat(ids.get(1)).isEqualTo(ids.get(2));
    }
}
