package dev.orchard.server.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * A label's exclusions, end to end: "every device but the kiosk, and no contractor" keeps those out of the App label,
 * the device's "Why not?" says which exclusion did it, changing an exclusion is served like changing a target (the
 * pass looks at whoever the exclusion names), and an Apple License Label's exclusion reclaims (R4a).
 */
class LabelExclusionTests extends LicensingScenario {

    @Override
    protected boolean stepped() {
        return true;
    }

    @Test
    void anExclusionKeepsItsTargetsOutAndLettingThemInAgainAssigns() {
        call("PUT", "/api/v1/users/cara", "{\"email\":\"cara@example.com\"}");
        call("PUT", "/api/v1/groups/contractors", "{\"name\":\"Contractors\"}");
        call("POST", "/api/v1/groups/contractors/members", "{\"add\":[\"cara\"]}");
        var members = call("GET", "/api/v1/groups/contractors/members?limit=1", null); // a full page: a cursor to the next
        assertThat(members.get("items").toString()).isEqualTo("[\"cara\"]");
        assertThat(call("GET", "/api/v1/groups/contractors/members?after=" + members.get("next").asString(), null)
                .get("items")).isEmpty();
        long licenseLabel = label("{\"kind\":\"LICENSE\",\"name\":\"US iPhones\",\"accountId\":" + us
                + ",\"targets\":[{\"type\":\"RULE\",\"platform\":\"iOS\"}]}");
        long appLabel = label("{\"kind\":\"APP\",\"ahead\":true,\"name\":\"Field Notes\",\"adamIds\":[\"" + FIELD_NOTES + "\"],"
                + "\"targets\":[{\"type\":\"ALL\"}],\"exclusions\":[{\"type\":\"SERIAL\",\"value\":\"kiosk1\"},"
                + "{\"type\":\"GROUP\",\"value\":\"contractors\"}]}");
        call("POST", "/api/v1/devices", phones("KIOSK", 1));
        call("POST", "/api/v1/devices", phones("PHONE", 2));
        call("PUT", "/api/v1/devices/CARA1", "{\"serialNumber\":\"CARA1\",\"platform\":\"iOS\",\"osVersion\":\"17.4\","
                + "\"country\":\"US\",\"ownerUserId\":\"cara\"}");
        settle();

        assertThat(orchardLicenses("and serial_number like 'PHONE%' and intent is null")).isEqualTo(2);
        assertThat(orchardLicenses("and serial_number in ('KIOSK1', 'CARA1')")).isZero();
        JsonNode label = call("GET", "/api/v1/labels/" + appLabel, null);
        assertThat(label.get("exclusions").findValuesAsString("value")).containsExactly("KIOSK1", "contractors");
        JsonNode why = call("GET", "/api/v1/devices/KIOSK1/why", null).get("items").get(0);
        assertThat(why.get("state").asString()).isEqualTo("EXCLUDED");
        assertThat(why.get("reason").asString()).contains("'Field Notes' excludes this device (SERIAL KIOSK1)");
        assertThat(why.get("fix").asString()).isEqualTo("APP_LABELS");
        assertThat(call("GET", "/api/v1/devices/CARA1/why", null).get("items").get(0).get("reason").asString())
                .contains("(GROUP contractors)");
        assertThat(progress(appLabel)).isEqualTo("2 devices: 2 licensed, 0 assigning, 0 waiting, 0 blocked, 0 pending");

        // the kiosk is let in: the change reaches the serial the exclusion named
        call("PUT", "/api/v1/labels/" + appLabel, "{\"kind\":\"APP\",\"name\":\"Field Notes\",\"adamIds\":[\"" + FIELD_NOTES
                + "\"],\"targets\":[{\"type\":\"ALL\"}],\"exclusions\":[{\"type\":\"GROUP\",\"value\":\"contractors\"}]}");
        settle();
        assertThat(orchardLicenses("and serial_number = 'KIOSK1' and intent is null")).isEqualTo(1);
        assertThat(orchardLicenses("and serial_number = 'CARA1'")).isZero();
        assertThat(progress(appLabel)).isEqualTo("3 devices: 3 licensed, 0 assigning, 0 waiting, 0 blocked, 0 pending");

        // the Apple License Label leaves one phone out: its license is reclaimed by R4a
        call("PUT", "/api/v1/labels/" + licenseLabel, "{\"kind\":\"LICENSE\",\"name\":\"US iPhones\",\"accountId\":" + us
                + ",\"targets\":[{\"type\":\"RULE\",\"platform\":\"iOS\"}],\"exclusions\":[{\"type\":\"SERIAL\",\"value\":\"PHONE2\"}]}");
        settle();
        assertThat(orchardLicenses("and serial_number = 'PHONE2'")).isZero();
        assertThat(orchardLicenses("and serial_number = 'PHONE1' and intent is null")).isEqualTo(1);
        assertThat(call("GET", "/api/v1/audit?action=LABEL_CHANGED", null).get("items").get(0).get("detail").asString())
                .contains("except [SERIAL PHONE2]");
        // the trail keeps what it recorded (QUEUED) and says where each license stands now
        JsonNode assigned = call("GET", "/api/v1/audit?action=LICENSE_ASSIGNED&subject=device%20PHONE", null).get("items");
        assertThat(assigned.findValuesAsString("outcome")).containsOnly("QUEUED");
        assertThat(nowOf(assigned, "device PHONE1")).isEqualTo("CONFIRMED");
        assertThat(nowOf(assigned, "device PHONE2")).isEqualTo("NOT_HELD");
        JsonNode reclaimed = call("GET", "/api/v1/audit?action=LICENSE_RECLAIMED&subject=device%20PHONE2", null).get("items");
        assertThat(nowOf(reclaimed, "device PHONE2")).isEqualTo("DONE");
        assertThat(reclaimed.get(0).get("adamId").asString()).isEqualTo(FIELD_NOTES);

        // the App label still wants the app for PHONE2, which no Apple License Label covers now
        assertThat(progress(appLabel)).isEqualTo("3 devices: 2 licensed, 0 assigning, 0 waiting, 1 blocked, 0 pending");
        assertThat(call("GET", "/api/v1/labels/" + licenseLabel + "/progress", null).get("apps")).isEmpty();
    }

    private static String nowOf(JsonNode items, String subject) {
        for (JsonNode i : items) {
            if (subject.equals(i.get("subject").asString())) {
                return i.get("now").asString();
            }
        }
        throw new AssertionError("no entry for " + subject + " in " + items);
    }

    private String progress(long label) {
        JsonNode a = call("GET", "/api/v1/labels/" + label + "/progress", null).get("apps").get(0);
        return a.get("devices").asLong() + " devices: " + a.get("licensed").asLong() + " licensed, " + a.get("assigning").asLong()
                + " assigning, " + a.get("waiting").asLong() + " waiting, " + a.get("blocked").asLong() + " blocked, "
                + a.get("pending").asLong() + " pending";
    }

    @Test
    void anExclusionOfEveryoneOrOfAnUnknownGroupIsRefusedAndChangesNothing() {
        long labels = count("select count(*) from labels");
        var all = orchard.method("POST", "/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"APP\",\"name\":\"Nobody\",\"adamIds\":[\""
                + FIELD_NOTES + "\"],\"targets\":[{\"type\":\"ALL\"}],\"exclusions\":[{\"type\":\"ALL\"}]}");
        assertThat(all.status()).isEqualTo(400);
        assertThat(all.json().get("detail").asString()).contains("exclusion of ALL");
        var typo = orchard.method("POST", "/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"APP\",\"name\":\"Typo\",\"adamIds\":[\""
                + FIELD_NOTES + "\"],\"targets\":[{\"type\":\"ALL\"}],\"exclusions\":[{\"type\":\"GROUP\",\"value\":\"contractrs\"}]}");
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.json().get("detail").asString()).contains("no group 'contractrs'");
        assertThat(count("select count(*) from labels")).isEqualTo(labels);
    }

    @Test
    void anUnknownSerialOrAppIsRefusedAsATypoUnlessLabelledAhead() {
        long labels = count("select count(*) from labels");
        call("POST", "/api/v1/devices", "[{\"serialNumber\":\"KNOWN0001\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"country\":\"US\"}]");
        String serials = "\"targets\":[{\"type\":\"SERIAL\",\"value\":\"KNOWN0001\"},{\"type\":\"SERIAL\",\"value\":\"KNOWM0001\"}]";
        var serial = orchard.method("POST", "/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"APP\",\"name\":\"Typo\",\"adamIds\":[\""
                + FIELD_NOTES + "\"]," + serials + "}");
        assertThat(serial.status()).isEqualTo(400);
        assertThat(serial.json().get("detail").asString()).contains("no device has reported serial KNOWM0001")
                .doesNotContain("KNOWN0001").contains("\"ahead\": true");
        var app = orchard.method("POST", "/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"APP\",\"name\":\"Typo\",\"adamIds\":[\""
                + FIELD_NOTES + "\",\"361309727\"],\"targets\":[{\"type\":\"ALL\"}]}");
        assertThat(app.status()).isEqualTo(400);
        assertThat(app.json().get("detail").asString()).contains("no account holds app 361309727").doesNotContain(FIELD_NOTES);
        assertThat(count("select count(*) from labels")).as("nothing saved").isEqualTo(labels);
        assertThat((long) call("GET", "/api/v1/labels", null).size()).isEqualTo(labels);

        var ahead = orchard.method("POST", "/api/v1/labels", ADMIN_TOKEN, "{\"kind\":\"APP\",\"ahead\":true,\"name\":\"Ahead\","
                + "\"adamIds\":[\"" + FIELD_NOTES + "\",\"361309727\"]," + serials + "}");
        assertThat(ahead.status()).isEqualTo(201);
        long saved = ahead.json().get("id").asLong();
        // changing it again without ahead is refused while it still names what Orchard does not know
        assertThat(orchard.method("PUT", "/api/v1/labels/" + saved, ADMIN_TOKEN, "{\"kind\":\"APP\",\"name\":\"Renamed\","
                + "\"adamIds\":[\"" + FIELD_NOTES + "\"]," + serials + "}").status()).isEqualTo(400);
        assertThat(count("select count(*) from labels")).isEqualTo(labels + 1);
    }
}
