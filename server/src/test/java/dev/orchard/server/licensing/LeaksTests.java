package dev.orchard.server.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Leaks and drift with their actions, against the simulator: licenses assigned in Apple Business Manager (outside
 * Orchard) to a serial Orchard does not know and to a Mac no Apple License Label covers are counted and listed by
 * kind; the unknown serial's is reclaimed after a dry run that changed nothing, without opting anyone out; the Mac's is
 * adopted, becomes Orchard's, and the next pass takes it back by rule R4a, as it would any license of Orchard's that no
 * label covers.
 */
class LeaksTests extends LicensingScenario {

    @Override
    protected boolean stepped() {
        return true;
    }

    @Test
    void leakedLicensesAreReclaimedOrAdoptedAfterADryRun() {
        usDevicesGetFieldNotes(); // iPhones may use the account; a Mac may not
        call("PUT", "/api/v1/devices/LEAKMAC1", "{\"serialNumber\":\"LEAKMAC1\",\"platform\":\"macOS\",\"osVersion\":\"14.2\","
                + "\"country\":\"US\"}");
        control.post("locations/" + usUid + "/assignments", "{\"adamId\":\"" + FIELD_NOTES + "\",\"serialNumber\":\"OUTSIDE1\"}");
        control.post("locations/" + usUid + "/assignments", "{\"adamId\":\"" + FIELD_NOTES + "\",\"serialNumber\":\"LEAKMAC1\"}");
        int runs = call("GET", "/api/v1/accounts/" + us + "/sync", null).get("history").size();
        call("POST", "/api/v1/accounts/" + us + "/sync?full=true", null);
        orchard.awaitSyncs(us, runs + 1);
        settle();

        JsonNode counts = call("GET", "/api/v1/leaks?accountId=" + us, null).get("leaks");
        assertThat(counts.get("UNKNOWN_DEVICE").asLong()).isPositive();
        assertThat(counts.get("EXTERNAL").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(serials(call("GET", "/api/v1/leaks/unknown_device?accountId=" + us + "&limit=1000", null)))
                .contains("OUTSIDE1").doesNotContain("LEAKMAC1");
        assertThat(orchard.method("GET", "/api/v1/leaks/LOST?accountId=" + us, ADMIN_TOKEN, null).status()).isEqualTo(400);

        // the unknown serials: a dry run counts and changes nothing; then they are reclaimed at Apple
        long unknown = counts.get("UNKNOWN_DEVICE").asLong();
        JsonNode dry = call("POST", "/api/v1/leaks/UNKNOWN_DEVICE/reclaim?dryRun=true&accountId=" + us, null);
        assertThat(dry.get("licenses").asLong() + dry.get("notRevocable").asLong()).isEqualTo(unknown);
        assertThat(count("select count(*) from licenses where intent = 'RECLAIM'")).isZero();
        call("POST", "/api/v1/leaks/UNKNOWN_DEVICE/reclaim?accountId=" + us, null);
        settle();
        assertThat(count("select count(*) from licenses where serial_number = 'OUTSIDE1'")).isZero();
        assertThat(control.assignmentsAtApple(usUid, "OUTSIDE1")).isEmpty();
        assertThat(count("select count(*) from license_opt_outs where holder = 'OUTSIDE1'")).as("nobody opted out").isZero();
        assertThat(call("GET", "/api/v1/leaks?accountId=" + us, null).get("leaks").get("UNKNOWN_DEVICE").asLong())
                .isEqualTo(dry.get("notRevocable").asLong());

        // the Mac's: adopted, it is Orchard's; no Apple License Label covers a Mac, so the pass reclaims it (R4a)
        long external = call("GET", "/api/v1/leaks?accountId=" + us, null).get("leaks").get("EXTERNAL").asLong();
        JsonNode adoptDry = call("POST", "/api/v1/leaks/EXTERNAL/adopt?dryRun=true&accountId=" + us, null);
        assertThat(adoptDry.get("licenses").asLong()).isEqualTo(external);
        assertThat(count("select count(*) from licenses where serial_number = 'LEAKMAC1' and origin = 'EXTERNAL'")).isEqualTo(1);
        JsonNode adopted = call("POST", "/api/v1/leaks/EXTERNAL/adopt?accountId=" + us, null);
        assertThat(adopted.get("licenses").asLong()).isEqualTo(external);
        settle();
        assertThat(count("select count(*) from licenses where serial_number = 'LEAKMAC1'")).isZero();
        assertThat(control.assignmentsAtApple(usUid, "LEAKMAC1")).isEmpty();
        assertThat(call("GET", "/api/v1/audit?action=LICENSES_ADOPTED", null).get("items").get(0).get("detail").asString())
                .contains(external + " licenses assigned outside Orchard");
        assertThat(call("GET", "/api/v1/audit?subject=device%20LEAKMAC1&action=LICENSE_RECLAIMED", null).get("items").get(0)
                .get("actor").asString()).isEqualTo("rule:R4a");
        assertThat(call("GET", "/api/v1/leaks?accountId=" + us, null).get("leaks").get("EXTERNAL").asLong()).isZero();
    }

    private static java.util.List<String> serials(JsonNode page) {
        return page.get("items").findValuesAsString("serialNumber");
    }
}
