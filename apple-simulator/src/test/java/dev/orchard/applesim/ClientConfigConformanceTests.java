package dev.orchard.applesim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientConfigConformanceTests extends SimulatorFixture {

    private final NotificationReceiver receiver = new NotificationReceiver();

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void readsTheLocationsSettings() {
        var r = http.get("mdm/v2/client/config", token).body();

        assertThat(r.get("countryISO2ACode").asString()).isEqualTo("US");
        assertThat(r.get("defaultPlatform").asString()).isEqualTo("enterprisestore");
        assertThat(r.get("locationName").asString()).isEqualTo("Main");
        assertThat(r.get("websiteURL").asString()).isEqualTo("https://business.apple.com");
        assertThat(r.get("uId").asString()).isEqualTo(MAIN);
    }

    @Test
    void claimingEchoesMdmInfoOnEveryLaterResponseUntilAnotherMdmTakesOver() {
        var r = http.post("mdm/v2/client/config", token,
                "{\"mdmInfo\":{\"id\":\"orchard-1\",\"name\":\"Orchard\",\"metadata\":\"0.1\"}}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(http.get("mdm/v2/assets", token).body().get("mdmInfo").get("id").asString()).isEqualTo("orchard-1");

        http.control("POST", "locations/" + MAIN + "/claim", "{\"mdmInfo\":{\"id\":\"rival\",\"name\":\"Rival MDM\",\"metadata\":\"9\"}}");

        assertThat(http.get("mdm/v2/assignments", token).body().get("mdmInfo").get("name").asString()).isEqualTo("Rival MDM");
    }

    @Test
    void subscribingSendsATestNotificationFirst() {
        var r = http.post("mdm/v2/client/config", token, "{\"notificationTypes\":[\"ASSET_MANAGEMENT\",\"ASSET_COUNT\"],"
                + "\"notificationUrl\":\"" + receiver.url() + "\",\"notificationAuthToken\":\"secret-1\"}");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().get("subscribedNotificationTypes").toString()).contains("ASSET_COUNT");
        assertThat(receiver.ofType("TEST_NOTIFICATION")).singleElement()
                .satisfies(n -> assertThat(n.get("uId").asString()).isEqualTo(MAIN));
        assertThat(receiver.received().get(0).authorization()).isEqualTo("Bearer secret-1");
    }

    @Test
    void anUnreachableUrlIsRejectedWith9728AndNothingChanges() {
        receiver.failNext(1);

        var r = http.post("mdm/v2/client/config", token, "{\"notificationTypes\":[\"ASSET_COUNT\"],"
                + "\"notificationUrl\":\"" + receiver.url() + "\",\"notificationAuthToken\":\"s\","
                + "\"mdmInfo\":{\"id\":\"x\",\"name\":\"y\",\"metadata\":\"z\"}}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorNumber()).isEqualTo(9728);
        var config = http.get("mdm/v2/client/config", token).body();
        assertThat(config.has("notificationUrl")).isFalse();
        assertThat(config.has("mdmInfo")).isFalse();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"notificationUrl\":\"https://a.example/n\"}|9710",
            "{\"notificationAuthToken\":\"t\"}|9710",
            "{\"notificationUrl\":\"ftp://a.example/n\",\"notificationAuthToken\":\"t\"}|9712",
            "{\"notificationUrl\":\"http://mdm.example.com/n\",\"notificationAuthToken\":\"t\"}|9712",
            "{\"mdmInfo\":{\"id\":\"a\",\"name\":\"b\"}}|9723",
            "{\"notificationTypes\":[\"NOPE\"]}|9602"})
    void validationErrors(String body, int errorNumber) {
        var r = http.post("mdm/v2/client/config", token, body);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorNumber()).isEqualTo(errorNumber);
    }

    @Test
    void lengthLimits() {
        String longUrl = "https://a.example/" + "x".repeat(600);
        assertThat(http.post("mdm/v2/client/config", token, "{\"notificationUrl\":\"" + longUrl
                + "\",\"notificationAuthToken\":\"t\"}").errorNumber()).isEqualTo(9711);
        assertThat(http.post("mdm/v2/client/config", token, "{\"mdmInfo\":{\"id\":\"" + "i".repeat(101)
                + "\",\"name\":\"n\",\"metadata\":\"m\"}}").errorNumber()).isEqualTo(9724);
        assertThat(http.post("mdm/v2/client/config", token, "{\"mdmInfo\":{\"id\":\"i\",\"name\":\"" + "n".repeat(101)
                + "\",\"metadata\":\"m\"}}").errorNumber()).isEqualTo(9725);
        assertThat(http.post("mdm/v2/client/config", token, "{\"mdmInfo\":{\"id\":\"i\",\"name\":\"n\",\"metadata\":\""
                + "m".repeat(256) + "\"}}").errorNumber()).isEqualTo(9713);
    }
}
