package dev.orchard.applesim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

class ListingConformanceTests extends SimulatorFixture {

    @Override
    AppleSimulator.Builder configure(AppleSimulator.Builder builder) {
        return super.configure(builder).pageSize(2);
    }

    private List<String> serials(JsonNode page) {
        var list = new ArrayList<String>();
        page.get("assignments").forEach(a -> list.add(a.path("serialNumber").asString(a.path("clientUserId").asString())));
        return list;
    }

    @Test
    void assetsWithFiltersAndUnlimitedHandling() {
        var all = http.get("mdm/v2/assets", token).body();
        assertThat(all.get("totalPages").asInt()).isEqualTo(3);
        assertThat(all.get("nextPageIndex").asInt()).isEqualTo(1);
        assertThat(all.get("size").asInt()).isEqualTo(2);

        var free = http.get("mdm/v2/assets?adamId=100002", token).body().get("assets").get(0);
        assertThat(free.get("totalCount").asLong()).isEqualTo(2147483647L);

        var split = http.get("mdm/v2/assets?unlimited=true&adamId=100002", token).body();
        assertThat(split.get("assets").size()).isZero();
        assertThat(split.get("unlimitedAssets").get(0).has("totalCount")).isFalse();
        assertThat(split.get("unlimitedAssets").get(0).has("availableCount")).isFalse();
        assertThat(http.get("mdm/v2/assets?unlimited=false&adamId=100002", token).body().get("assets").size()).isZero();

        var books = http.get("mdm/v2/assets?productType=Book", token).body().get("assets");
        assertThat(books.size()).isEqualTo(1);
        assertThat(books.get(0).get("deviceAssignable").asBoolean()).isFalse();
        assertThat(books.get(0).get("revocable").asBoolean()).isFalse();

        var notAssignable = http.get("mdm/v2/assets?deviceAssignable=false&productType=App", token).body().get("assets");
        assertThat(notAssignable.get(0).get("adamId").asString()).isEqualTo("100004");
        assertThat(http.get("mdm/v2/assets?minAssignedCount=1", token).body().get("assets").size()).isEqualTo(1);

        var paid = http.get("mdm/v2/assets?adamId=100001&pricingParam=STDQ", token).body().get("assets").get(0);
        assertThat(paid.get("assignedCount").asInt() + paid.get("availableCount").asInt())
                .isEqualTo(paid.get("totalCount").asInt());
    }

    @Test
    void pagesEndWithoutNextPageIndexAndABadIndexIs9650() {
        for (int i = 0; i < 4; i++) {
            http.control("POST", "locations/" + MAIN + "/assignments",
                    "{\"adamId\":\"100002\",\"serialNumber\":\"SER-" + i + "\"}");
        }
        var first = http.get("mdm/v2/assignments", token).body();
        assertThat(first.get("totalPages").asInt()).isEqualTo(3);
        var last = http.get("mdm/v2/assignments?pageIndex=2", token).body();
        assertThat(last.has("nextPageIndex")).isFalse();
        assertThat(last.get("currentPageIndex").asInt()).isEqualTo(2);
        assertThat(last.get("size").asInt()).isEqualTo(1);

        var bad = http.get("mdm/v2/assignments?pageIndex=3", token);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorNumber()).isEqualTo(9650);
        assertThat(http.get("mdm/v2/assignments?pageIndex=x", token).errorNumber()).isEqualTo(9650);
    }

    @Test
    void incrementalReadsReturnOnlyWhatChangedSinceAVersion() {
        var before = http.get("mdm/v2/assignments", token).body();
        String version = before.get("versionId").asString();
        assertThat(serials(before)).containsExactly("S-EXIST-1");

        var empty = http.get("mdm/v2/assignments?sinceVersionId=" + version, token).body();
        assertThat(empty.get("assignments").size()).isZero();
        assertThat(empty.get("versionId").asString()).isEqualTo(version);

        http.control("POST", "locations/" + MAIN + "/assignments", "{\"adamId\":\"100002\",\"serialNumber\":\"NEW-1\"}");
        var changed = http.get("mdm/v2/assignments?sinceVersionId=" + version, token).body();
        assertThat(serials(changed)).containsExactly("NEW-1");
        assertThat(changed.get("versionId").asString()).isNotEqualTo(version);
    }

    @Test
    void unknownOrForgottenVersionsAre9721() {
        String version = http.get("mdm/v2/users", token).body().get("versionId").asString();
        assertThat(http.get("mdm/v2/users?sinceVersionId=" + version, token).status()).isEqualTo(200);
        assertThat(http.get("mdm/v2/users?sinceVersionId=garbage", token).errorNumber()).isEqualTo(9721);
        String assignmentsVersion = http.get("mdm/v2/assignments", token).body().get("versionId").asString();
        assertThat(http.get("mdm/v2/users?sinceVersionId=" + assignmentsVersion, token).errorNumber()).isEqualTo(9721);

        http.control("POST", "locations/" + MAIN + "/reset-versions", null);

        var forgotten = http.get("mdm/v2/users?sinceVersionId=" + version, token);
        assertThat(forgotten.status()).isEqualTo(400);
        assertThat(forgotten.errorNumber()).isEqualTo(9721);
    }

    @Test
    void assignmentFiltersAndUserState() {
        http.control("POST", "locations/" + MAIN + "/assignments", "{\"adamId\":\"100004\",\"clientUserId\":\"u1\"}");
        http.control("POST", "locations/" + MAIN + "/assignments", "{\"adamId\":\"100004\",\"clientUserId\":\"u2\"}");

        var byUser = http.get("mdm/v2/assignments?clientUserId=u1&includeUserState=true", token).body().get("assignments");
        assertThat(byUser.size()).isEqualTo(1);
        assertThat(byUser.get(0).get("userStatus").asString()).isEqualTo("Associated");
        assertThat(byUser.get(0).get("idHash").asString()).isNotBlank();
        assertThat(byUser.get(0).has("serialNumber")).isFalse();

        assertThat(serials(http.get("mdm/v2/assignments?adamId=100001&pricingParam=STDQ", token).body()))
                .containsExactly("S-EXIST-1");
        assertThat(serials(http.get("mdm/v2/assignments?serialNumber=S-EXIST-1", token).body()))
                .containsExactly("S-EXIST-1");
        assertThat(http.get("mdm/v2/assignments?includeUserState=false&clientUserId=u2", token).body()
                .get("assignments").get(0).has("userStatus")).isFalse();
    }

    @Test
    void usersListWithStates() {
        var users = http.get("mdm/v2/users", token).body().get("users");
        assertThat(users.size()).isEqualTo(2);
        assertThat(users.get(0).get("status").asString()).isEqualTo("Associated");
        assertThat(users.get(1).get("status").asString()).isEqualTo("Registered");
        assertThat(users.get(1).get("inviteCode").asString()).hasSize(32);
        assertThat(http.get("mdm/v2/users?clientUserId=u2", token).body().get("users").size()).isEqualTo(1);
    }
}
