package dev.orchard.applesim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;

import org.junit.jupiter.api.Test;

class ServiceAndAuthConformanceTests extends SimulatorFixture {

    @Test
    void serviceConfigNeedsNoTokenAndPointsBackAtTheSimulator() {
        var r = http.get("mdm/v2/service/config", null);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().get("limits").get("maxSerialNumbers").asInt()).isEqualTo(1000);
        assertThat(r.body().get("limits").get("maxRequestPerSecond").asInt()).as("the fixture runs without a rate limit")
                .isEqualTo(Settings.UNLIMITED_ADVERTISED_RATE);
        assertThat(r.body().get("urls").get("getAssignments").asString()).isEqualTo(sim.v2Uri() + "assignments");
        assertThat(r.body().get("urls").get("contentMetadataLookup").asString()).startsWith(sim.baseUri().toString());
        assertThat(r.body().get("errorCodes").findValuesAsString("errorNumber")).contains("9646", "9721");
        assertThat(r.body().get("notificationTypes").toString()).contains("ASSET_MANAGEMENT", "ASSET_COUNT");
    }

    @Test
    void everyOtherEndpointNeedsABearerToken() {
        var none = http.get("mdm/v2/assets", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.errorNumber()).isEqualTo(9722);

        var basic = http.send(HttpRequest.newBuilder(sim.v2Uri().resolve("assets")).header("Authorization", "Basic abc")
                .GET().build());
        assertThat(basic.errorNumber()).isEqualTo(9722);

        var unknown = http.get("mdm/v2/assets", "bm90LWEtdG9rZW4=");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.errorNumber()).isEqualTo(9622);
    }

    @Test
    void everyResponseCarriesExpiryAndLocation() {
        var r = http.get("mdm/v2/assignments", token);

        assertThat(r.body().get("uId").asString()).isEqualTo(MAIN);
        assertThat(r.body().get("tokenExpirationDate").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+0000");
        assertThat(r.body().has("mdmInfo")).isFalse();

        http.control("POST", "settings", "{\"tokenExpirationAlways\":false}");
        assertThat(http.get("mdm/v2/assignments", token).body().has("tokenExpirationDate")).isFalse();
    }

    @Test
    void expiredRevokedAndReplacedTokensAreRefused() {
        http.control("POST", "locations/" + MAIN + "/expire", null);
        var expired = http.get("mdm/v2/client/config", token);
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.errorNumber()).isEqualTo(9621);

        http.control("POST", "locations/" + MAIN + "/renew", "{\"days\":30}");
        var replaced = http.get("mdm/v2/client/config", token);
        assertThat(replaced.errorNumber()).isEqualTo(9625);
        String renewed = sim.location("Conformance Org").sToken();
        assertThat(http.get("mdm/v2/client/config", renewed).status()).isEqualTo(200);

        http.control("POST", "locations/" + MAIN + "/revoke", null);
        var revoked = http.get("mdm/v2/client/config", renewed);
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.errorNumber()).isEqualTo(9625);
    }

    @Test
    void wrongMethodAndContentTypeAreRefusedAsApple() {
        var method = http.get("mdm/v2/assets/associate", token);
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.errorNumber()).isEqualTo(9726);

        var type = http.send(HttpRequest.newBuilder(sim.v2Uri().resolve("assets/associate"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(type.status()).isEqualTo(415);
        assertThat(type.errorNumber()).isEqualTo(9727);

        var badJson = http.post("mdm/v2/assets/associate", token, "{not json");
        assertThat(badJson.status()).isEqualTo(400);
        assertThat(badJson.errorNumber()).isEqualTo(9602);
    }

    @Test
    void theRequestLogRecordsEveryCall() {
        http.get("mdm/v2/assets", token);
        http.get("mdm/v2/assets", null);

        var log = http.control("GET", "requests?path=/mdm/v2/assets", null).body();

        assertThat(log.size()).isEqualTo(2);
        assertThat(log.get(0).get("status").asInt()).isEqualTo(200);
        assertThat(log.get(0).get("uId").asString()).isEqualTo(MAIN);
        assertThat(log.get(1).get("status").asInt()).isEqualTo(401);

        http.control("DELETE", "requests", null);
        assertThat(http.control("GET", "requests?path=/mdm/v2/", null).body().size()).isZero();
    }

    @Test
    void theRequestLogNamesTheTargetsOfAnAssetRequest() {
        http.post("mdm/v2/assets/associate", token, "{\"assets\":[{\"adamId\":\"100004\"}],\"serialNumbers\":[\"S1\",\"S2\"]}");
        http.post("mdm/v2/assets/disassociate", token, "{\"assets\":[{\"adamId\":\"100004\"}],\"clientUserIds\":[\"u9\"]}");
        http.post("mdm/v2/assets/associate", token, "{not json");

        var log = http.control("GET", "requests?path=/mdm/v2/assets/", null).body();

        assertThat(log.size()).isEqualTo(3);
        assertThat(texts(log.get(0).get("subjects"))).containsExactly("S1", "S2");
        assertThat(texts(log.get(1).get("subjects"))).containsExactly("u9");
        assertThat(log.get(2).has("subjects")).as("a body that is not JSON names nobody").isFalse();
    }

    private static java.util.List<String> texts(tools.jackson.databind.JsonNode array) {
        var texts = new java.util.ArrayList<String>();
        array.forEach(n -> texts.add(n.asString()));
        return texts;
    }
}
