package dev.orchard.server.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Reclaiming an app whose targets wait for it: without a pause the waitlist takes the freed licenses at once (R7);
 * with {@code pauseWaiting} the waiting targets are opted out first, the freed licenses stay free, and "allow again"
 * gives a paused target the app back.
 */
class PauseWaitingTests extends LicensingScenario {

    @Override
    protected boolean stepped() {
        return true;
    }

    @Test
    void pausedWaitingTargetsLeaveTheFreedLicensesFree() {
        control.post("locations/" + usUid + "/purchases", "{\"adamId\":\"900000002\",\"count\":2,\"productType\":\"App\","
                + "\"deviceAssignable\":true,\"revocable\":true,\"supportedPlatforms\":[\"iOS\"],\"name\":\"Scarce App\"}");
        until("the new pool", () -> count("select count(*) from pools where adam_id = '900000002'") == 1);
        label("{\"kind\":\"LICENSE\",\"name\":\"US iPhones\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"RULE\",\"platform\":\"iOS\"}]}");
        label("{\"kind\":\"APP\",\"ahead\":true,\"name\":\"Scarce\",\"adamIds\":[\"900000002\"],\"targets\":[{\"type\":\"SERIAL\",\"value\":\"PAUSE1\"},"
                + "{\"type\":\"SERIAL\",\"value\":\"PAUSE2\"},{\"type\":\"SERIAL\",\"value\":\"PAUSE3\"}]}");
        call("POST", "/api/v1/devices", phones("PAUSE", 3));
        settle();
        assertThat(orchardLicenses("and adam_id = '900000002' and intent is null")).isEqualTo(2);
        JsonNode waiting = call("GET", "/api/v1/waitlist?kind=WAITING&adamId=900000002", null).get("items");
        assertThat(waiting).hasSize(1);
        String waiter = waiting.get(0).get("holder").asString();

        call("POST", "/api/v1/apps/900000002/reclaim?accountId=" + us + "&pauseWaiting=true", null);
        settle();
        assertThat(count("select count(*) from licenses where adam_id = '900000002'")).as("the freed licenses stay free").isZero();
        assertThat(count("select available_count from pools where adam_id = '900000002'")).isEqualTo(2);
        assertThat(call("GET", "/api/v1/waitlist?kind=WAITING&adamId=900000002", null).get("items")).as("nobody waits").isEmpty();
        assertThat(call("GET", "/api/v1/devices/" + waiter + "/why", null).get("items").get(0).get("state").asString())
                .isEqualTo("OPTED_OUT");
        assertThat(call("GET", "/api/v1/audit?action=WAITING_PAUSED", null).get("items").get(0).get("detail").asString())
                .startsWith("1 waiting target(s) opted out");

        // the paused target is let in again: it gets one of the free licenses
        call("DELETE", "/api/v1/devices/" + waiter + "/opt-outs/900000002", null);
        settle();
        assertThat(orchardLicenses("and adam_id = '900000002' and intent is null and serial_number = '" + waiter + "'")).isEqualTo(1);
    }
}
