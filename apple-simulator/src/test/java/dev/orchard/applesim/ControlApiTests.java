package dev.orchard.applesim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ControlApiTests extends SimulatorFixture {

    @Test
    void listsLocationsWithTheirTokens() {
        var list = http.control("GET", "locations", null).body();

        assertThat(list.size()).isEqualTo(2);
        assertThat(list.findValuesAsString("sToken")).contains(token, otherToken);
    }

    @Test
    void addsALocationWithAGeneratedTokenInApplesFormat() {
        var added = http.control("POST", "locations", "{\"orgName\":\"New Org\",\"countryCode\":\"gb\","
                + "\"assets\":[{\"adamId\":\"555\",\"totalCount\":3}]}").body();

        String newToken = added.get("sToken").asString();
        String decoded = new String(java.util.Base64.getDecoder().decode(newToken));
        assertThat(decoded).contains("\"token\"", "\"expDate\"", "\"orgName\":\"New Org\"");
        assertThat(added.get("countryCode").asString()).isEqualTo("GB");
        assertThat(http.get("mdm/v2/assets", newToken).body().get("assets").get(0).get("totalCount").asInt()).isEqualTo(3);
    }

    @Test
    void badControlInputIsA400AndUnknownThingsA404() {
        assertThat(http.control("POST", "locations", "{\"countryCode\":\"US\"}").status()).isEqualTo(400);
        assertThat(http.control("POST", "locations/" + MAIN + "/purchases", "{\"adamId\":\"100001\"}").status())
                .isEqualTo(400);
        assertThat(http.control("POST", "locations/nope/expire", null).status()).isEqualTo(404);
        assertThat(http.control("GET", "nothing-here", null).status()).isEqualTo(404);
    }

    @Test
    void purchasingAnUnknownAppAddsItToTheLocation() {
        http.control("POST", "locations/" + MAIN + "/purchases",
                "{\"adamId\":\"777\",\"count\":4,\"name\":\"Bought Later\",\"countries\":[\"US\"]}");

        var asset = asset("777", "STDQ").body().get("assets").get(0);
        assertThat(asset.get("totalCount").asInt()).isEqualTo(4);
        assertThat(http.get("lookup?id=777&country=us", null).body().get("results").get(0).get("trackName").asString())
                .isEqualTo("Bought Later");
    }

    @Test
    void generatesALargeOrganisation() {
        var result = http.control("POST", "locations/" + OTHER + "/generate",
                "{\"assets\":20,\"assignments\":50000,\"users\":100}").body();

        assertThat(result.get("assignments").asLong()).isEqualTo(50000 + 0L);
        var first = http.get("mdm/v2/assignments", otherToken).body();
        assertThat(first.get("totalPages").asInt()).isEqualTo(50);
        assertThat(http.get("mdm/v2/users", otherToken).body().get("users").size()).isEqualTo(100);
    }
}
