package dev.orchard.applesim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The simulator's answers have the shape of Apple's documented examples: every field Apple shows is there with
 * the same JSON type (fields Apple marks optional may be absent when the example's situation does not apply).
 */
class AppleExampleShapeTests extends SimulatorFixture {

    private final NotificationReceiver receiver = new NotificationReceiver();

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    static JsonNode example(String name) {
        try (InputStream in = AppleExampleShapeTests.class.getResourceAsStream("examples/" + name)) {
            return SimJson.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Differences between Apple's example and the simulator's answer, as readable paths. */
    static List<String> shapeDifferences(JsonNode expected, JsonNode actual, String path, Set<String> optional) {
        var diffs = new ArrayList<String>();
        if (expected.isObject()) {
            if (!actual.isObject()) {
                diffs.add(path + " should be an object");
                return diffs;
            }
            for (var e : expected.properties()) {
                String p = path + "." + e.getKey();
                if (!actual.has(e.getKey())) {
                    if (!optional.contains(e.getKey())) {
                        diffs.add(p + " is missing");
                    }
                } else {
                    diffs.addAll(shapeDifferences(e.getValue(), actual.get(e.getKey()), p, optional));
                }
            }
        } else if (expected.isArray()) {
            if (!actual.isArray()) {
                diffs.add(path + " should be an array");
            } else if (!expected.isEmpty() && !actual.isEmpty()) {
                diffs.addAll(shapeDifferences(expected.get(0), actual.get(0), path + "[0]", optional));
            }
        } else if (expected.getNodeType() != actual.getNodeType()
                && !(expected.isNumber() && actual.isNumber())) {
            diffs.add(path + " should be " + expected.getNodeType() + " but is " + actual.getNodeType());
        }
        return diffs;
    }

    private void assertShape(String example, JsonNode actual, String... optional) {
        assertThat(shapeDifferences(example(example), actual, "$", Set.of(optional))).as(example).isEmpty();
    }

    @Test
    void listings() {
        assertShape("get-assets.json", asset("100001", "STDQ").body());
        http.control("POST", "settings", "{\"pageSize\":1}");
        http.control("POST", "locations/" + MAIN + "/assignments", "{\"adamId\":\"100002\",\"serialNumber\":\"X\"}");
        assertShape("get-assignments-first-page.json", http.get("mdm/v2/assignments", token).body());
        http.control("POST", "settings", "{\"pageSize\":100}");
        assertShape("get-users.json", http.get("mdm/v2/users", token).body(), "idHash", "inviteCode");
    }

    @Test
    void eventsAndStatus() {
        var event = http.post("mdm/v2/assets/associate", token, "{\"assets\":[{\"adamId\":\"100004\"}],"
                + "\"clientUserIds\":[\"u1\",\"client-4\"]}").body();
        assertShape("event-response.json", event);
        assertShape("status-failed-partial.json", awaitEvent(event.get("eventId").asString()).body());
    }

    @Test
    void clientConfigWithOwnerAndNotifications() {
        var r = http.post("mdm/v2/client/config", token, "{\"notificationTypes\":[\"ASSET_COUNT\",\"ASSET_MANAGEMENT\","
                + "\"USER_ASSOCIATED\"],\"notificationUrl\":\"" + receiver.url() + "\",\"notificationAuthToken\":\"t\","
                + "\"mdmInfo\":{\"id\":\"522d5c43\",\"name\":\"Orchard\",\"metadata\":\"0.1\"}}");
        assertShape("client-config.json", r.body());
    }

    @Test
    void notifications() {
        http.post("mdm/v2/client/config", token, "{\"notificationTypes\":[\"ASSET_COUNT\",\"ASSET_MANAGEMENT\","
                + "\"USER_ASSOCIATED\"],\"notificationUrl\":\"" + receiver.url() + "\",\"notificationAuthToken\":\"t\"}");
        http.control("POST", "locations/" + MAIN + "/purchases", "{\"adamId\":\"100001\",\"count\":1}");
        awaitEvent(associate("{\"assets\":[{\"adamId\":\"100004\"}],\"clientUserIds\":[\"u1\"],"
                + "\"serialNumbers\":[]}"));
        awaitEvent(associate("{\"assets\":[{\"adamId\":\"100001\",\"pricingParam\":\"PLUS\"}],"
                + "\"serialNumbers\":[\"F1\",\"F2\",\"F3\"]}"));
        http.control("POST", "locations/" + MAIN + "/users/accept", "{\"clientUserId\":\"u2\"}");
        Await.until("all notifications", () -> receiver.ofType("ASSET_MANAGEMENT").size() == 3
                && receiver.ofType("ASSET_COUNT").size() == 1 && receiver.ofType("USER_ASSOCIATED").size() == 1);

        assertShape("notification-asset-count.json", receiver.ofType("ASSET_COUNT").get(0));
        var management = receiver.ofType("ASSET_MANAGEMENT");
        JsonNode success = management.stream().filter(n -> n.get("notification").get("result").asString().equals("SUCCESS"))
                .findFirst().orElseThrow();
        JsonNode failure = management.stream().filter(n -> n.get("notification").get("result").asString().equals("FAILURE"))
                .findFirst().orElseThrow();
        assertShape("notification-asset-management.json", success, "serialNumber", "clientUserId");
        assertShape("notification-asset-management-failure.json", failure);
        assertShape("notification-user-associated.json", receiver.ofType("USER_ASSOCIATED").get(0), "inviteCode");
    }
}
