package dev.orchard.server.inventory;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.orchard.server.licensing.LicensingScenario;
import tools.jackson.databind.JsonNode;

/**
 * Directory sync against a real OpenLDAP server: 5,000 users read in pages past the server's size limit of 500, a
 * group with a nested group (and a cycle between them), incremental syncs that read only changed users, a member who
 * leaves a group, one who moves to another group and one deleted from the directory — each losing the license an
 * Apple License Label on that group gave (R4a, by the normal pass) — and the source's state, errors and audit.
 */
class LdapDirectoryTests extends LicensingScenario {

    private Slapd ldap;

    @Override
    protected boolean stepped() {
        return true;
    }

    @AfterEach
    void stopLdap() {
        if (ldap != null) {
            ldap.close();
        }
    }

    @Test
    void groupMembershipFromTheDirectoryGivesAndReclaimsLicenses() {
        ldap = new Slapd(dataDir.resolve("ldap"));
        var uids = new ArrayList<String>();
        for (int i = 1; i <= 5000; i++) {
            uids.add(String.format("user%04d", i));
        }
        ldap.addUsers(uids);
        ldap.addGroup("apple-users", List.of(Slapd.userDn("user0001"), Slapd.userDn("user0002"), Slapd.userDn("user0003")));
        ldap.addGroup("apple-nested", List.of(Slapd.userDn("user0004"), Slapd.groupDn("apple-users")));
        ldap.addMember("apple-users", Slapd.groupDn("apple-nested")); // a cycle: harmless
        ldap.addGroup("others", List.of(Slapd.userDn("user0005")));

        long id = call("POST", "/api/v1/directory/sources", "{\"name\":\"Corp LDAP\",\"url\":\"" + ldap.url() + "\",\"bindDn\":\""
                + Slapd.ROOT_DN + "\",\"bindPassword\":\"" + Slapd.ROOT_PASSWORD + "\",\"userBaseDn\":\"ou=People," + Slapd.SUFFIX
                + "\",\"groupBaseDn\":\"ou=Groups," + Slapd.SUFFIX + "\",\"pageSize\":400}").get("id").asLong();
        orchard.step();
        JsonNode source = call("GET", "/api/v1/directory/sources/" + id, null);
        assertThat(source.get("lastResult").asString()).as(source.toString()).isEqualTo("OK");
        assertThat(source.get("userCount").asLong()).as("paged past the size limit of 500").isEqualTo(5000);
        assertThat(source.get("groupCount").asLong()).isEqualTo(3);
        assertThat(source.toString()).doesNotContain(Slapd.ROOT_PASSWORD).contains("\"hasBindPassword\":true");
        assertThat(members("apple-users")).as("nested group expanded").containsExactly("user0001", "user0002", "user0003", "user0004");
        assertThat(members("apple-nested")).containsExactly("user0001", "user0002", "user0003", "user0004");
        assertThat(call("GET", "/api/v1/users/user0042", null).get("user").get("email").asString()).isEqualTo("user0042@example.com");

        // an Apple License Label and an App label on the group: the members' Macs get licenses
        label("{\"kind\":\"LICENSE\",\"name\":\"Apple users\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"GROUP\",\"value\":\"apple-users\"}]}");
        label("{\"kind\":\"APP\",\"name\":\"Field Notes\",\"adamIds\":[\"" + FIELD_NOTES + "\"],\"targets\":[{\"type\":\"GROUP\",\"value\":\"apple-users\"}]}");
        for (int i = 1; i <= 5; i++) {
            call("PUT", "/api/v1/devices/MAC" + i, "{\"serialNumber\":\"MAC" + i + "\",\"platform\":\"macOS\",\"osVersion\":\"14.2\","
                    + "\"country\":\"US\",\"ownerUserId\":\"user000" + i + "\"}");
        }
        settle();
        assertThat(licensed()).containsExactly("MAC1", "MAC2", "MAC3", "MAC4");

        // user0002 leaves the group, user0003 moves to another; user0001's mail changes: an incremental sync
        ldap.removeMember("apple-users", Slapd.userDn("user0002"));
        ldap.removeMember("apple-users", Slapd.userDn("user0003"));
        ldap.removeMember("apple-nested", Slapd.groupDn("apple-users"));
        ldap.addMember("others", Slapd.userDn("user0003"));
        ldap.replace(Slapd.userDn("user0001"), "mail", "first@example.com");
        syncNow(id, false);
        source = call("GET", "/api/v1/directory/sources/" + id, null);
        assertThat(source.get("lastSummary").asString()).as(source.toString()).startsWith("incremental: 0 users created, 1 updated");
        assertThat(call("GET", "/api/v1/users/user0001", null).get("user").get("email").asString()).isEqualTo("first@example.com");
        assertThat(members("apple-users")).containsExactly("user0001", "user0004");
        assertThat(members("others")).containsExactly("user0003", "user0005");
        settle();
        assertThat(licensed()).containsExactly("MAC1", "MAC4");
        assertThat(call("GET", "/api/v1/audit?subject=device%20MAC2&action=LICENSE_RECLAIMED", null).get("items").get(0)
                .get("actor").asString()).isEqualTo("rule:R4a");
        assertThat(call("GET", "/api/v1/audit?subject=group%20apple-users&action=GROUP_MEMBERS_CHANGED", null).get("items").get(0)
                .get("actor").asString()).isEqualTo("directory:Corp LDAP");

        // user0004 is deleted in the directory: seen by a full sync, the user goes and so does the license
        ldap.delete(Slapd.userDn("user0004"));
        syncNow(id, true);
        source = call("GET", "/api/v1/directory/sources/" + id, null);
        assertThat(source.get("lastSummary").asString()).as(source.toString()).contains("1 deleted");
        assertThat(source.get("userCount").asLong()).isEqualTo(4999);
        assertThat(orchard.get("/api/v1/users/user0004", ADMIN_TOKEN).status()).isEqualTo(404);
        settle();
        assertThat(licensed()).containsExactly("MAC1");

        // a directory that refuses the bind: the source says so, nothing changes, an alert is raised
        call("PATCH", "/api/v1/directory/sources/" + id, "{\"bindPassword\":\"wrong-password\"}");
        syncNow(id, true);
        source = call("GET", "/api/v1/directory/sources/" + id, null);
        assertThat(source.get("lastResult").asString()).isEqualTo("FAILED");
        assertThat(source.get("lastError").asString()).contains("refused the bind DN or its password");
        assertThat(source.get("userCount").asLong()).isEqualTo(4999);
        clock.advance(Duration.ofMinutes(1));
        orchard.step();
        assertThat(call("GET", "/api/v1/alerts", null).toString()).contains("DIRECTORY_SOURCE_FAILING");
        var admin = orchard.login("admin", dev.orchard.server.OrchardInstance.ADMIN_PASSWORD);
        assertThat(orchard.ui(admin, "GET", "/settings", null).body()).contains("id=\"directory-sources\"", "Corp LDAP",
                "refused the bind DN or its password", "4999 / 3");
    }

    @Test
    void ldapsAndStartTlsTrustTheSourcesOwnCa() {
        var ca = new dev.orchard.server.mdm.nano.TestCa("Directory CA");
        ldap = new Slapd(dataDir.resolve("ldap"), ca.issueServer());
        ldap.addUsers(List.of("tls1", "tls2"));
        ldap.addGroup("tls-group", List.of(Slapd.userDn("tls1")));
        String caPem = dev.orchard.server.mdm.nano.TestCa.pem(ca.certificate()).replace("\n", "\\n");
        String common = "\"bindDn\":\"" + Slapd.ROOT_DN + "\",\"bindPassword\":\"" + Slapd.ROOT_PASSWORD + "\",\"userBaseDn\":\"ou=People,"
                + Slapd.SUFFIX + "\",\"groupBaseDn\":\"ou=Groups," + Slapd.SUFFIX + "\"";
        long ldaps = call("POST", "/api/v1/directory/sources", "{\"name\":\"TLS\",\"url\":\"" + ldap.ldapsUrl() + "\","
                + "\"caCertificate\":\"" + caPem + "\"," + common + "}").get("id").asLong();
        long startTls = call("POST", "/api/v1/directory/sources", "{\"name\":\"StartTLS\",\"url\":\"" + ldap.localUrl()
                + "\",\"startTls\":true,\"caCertificate\":\"" + caPem + "\"," + common + "}").get("id").asLong();
        long untrusted = call("POST", "/api/v1/directory/sources", "{\"name\":\"Untrusted\",\"url\":\"" + ldap.ldapsUrl() + "\","
                + common + "}").get("id").asLong();
        orchard.step();
        for (long id : new long[] {ldaps, startTls}) {
            JsonNode s = call("GET", "/api/v1/directory/sources/" + id, null);
            assertThat(s.get("lastResult").asString()).as(s.toString()).isEqualTo("OK");
            assertThat(s.get("userCount").asLong()).isEqualTo(2);
        }
        JsonNode refused = call("GET", "/api/v1/directory/sources/" + untrusted, null);
        assertThat(refused.get("lastResult").asString()).isEqualTo("FAILED");
        assertThat(refused.get("lastError").asString()).contains("TLS with " + ldap.ldapsUrl() + " failed");
        assertThat(members("tls-group")).containsExactly("tls1");
        assertThat(orchard.post("/api/v1/directory/sources", ADMIN_TOKEN, "{\"name\":\"Bad CA\",\"url\":\"" + ldap.ldapsUrl()
                + "\",\"caCertificate\":\"not a certificate\"," + common + "}").status()).isEqualTo(400);
    }

    @Test
    void usersDeletedInTheDirectoryAreKeptWhenTheSourceSaysSo() {
        ldap = new Slapd(dataDir.resolve("ldap"));
        ldap.addUsers(List.of("keep1", "keep2"));
        ldap.addGroup("kept", List.of(Slapd.userDn("keep1"), Slapd.userDn("keep2")));
        long id = call("POST", "/api/v1/directory/sources", "{\"name\":\"Keeper\",\"url\":\"" + ldap.url() + "\",\"bindDn\":\""
                + Slapd.ROOT_DN + "\",\"bindPassword\":\"" + Slapd.ROOT_PASSWORD + "\",\"userBaseDn\":\"ou=People," + Slapd.SUFFIX
                + "\",\"groupBaseDn\":\"ou=Groups," + Slapd.SUFFIX + "\",\"onDelete\":\"KEEP\"}").get("id").asLong();
        orchard.step();
        ldap.delete(Slapd.userDn("keep2"));
        syncNow(id, true);
        JsonNode source = call("GET", "/api/v1/directory/sources/" + id, null);
        assertThat(source.get("lastSummary").asString()).as(source.toString()).contains("1 kept");
        assertThat(source.get("userCount").asLong()).isEqualTo(1);
        assertThat(orchard.get("/api/v1/users/keep2", ADMIN_TOKEN).status()).as("kept, detached from the source").isEqualTo(200);
        assertThat(members("kept")).as("and still a member").containsExactly("keep1", "keep2");
        assertThat(call("GET", "/api/v1/audit?action=USERS_KEPT", null).get("items").get(0).get("actor").asString())
                .isEqualTo("directory:Keeper");
    }

    @Test
    void badSourcesAreRefusedAndChangeNothing() {
        for (String body : new String[] {
                "{\"name\":\"x\",\"url\":\"http://ldap.example.com\",\"userBaseDn\":\"dc=x\",\"groupBaseDn\":\"dc=x\"}",
                "{\"name\":\"x\",\"url\":\"ldap://ldap.example.com\",\"userBaseDn\":\"not a dn\",\"groupBaseDn\":\"dc=x\"}",
                "{\"name\":\"x\",\"url\":\"ldap://ldap.example.com\",\"userBaseDn\":\"dc=x\",\"groupBaseDn\":\"dc=x\",\"userFilter\":\"uid=*\"}",
                "{\"name\":\"x\",\"url\":\"ldaps://ldap.example.com\",\"startTls\":true,\"userBaseDn\":\"dc=x\",\"groupBaseDn\":\"dc=x\"}",
                "{\"name\":\"x\",\"url\":\"ldap://ldap.example.com\",\"userBaseDn\":\"dc=x\",\"groupBaseDn\":\"dc=x\",\"onDelete\":\"FORGET\"}",
                "{\"name\":\"x\",\"url\":\"ldap://ldap.example.com\",\"userBaseDn\":\"dc=x\",\"groupBaseDn\":\"dc=x\",\"pageSize\":1}",
                "{\"name\":\"x\",\"url\":\"ldap://ldap.example.com\",\"userBaseDn\":\"dc=x\",\"groupBaseDn\":\"dc=x\",\"userIdAttribute\":\"u id\"}",
                "{\"name\":\"x\",\"kind\":\"SCIM\",\"url\":\"ldap://ldap.example.com\",\"userBaseDn\":\"dc=x\",\"groupBaseDn\":\"dc=x\"}"}) {
            var r = orchard.post("/api/v1/directory/sources", ADMIN_TOKEN, body);
            assertThat(r.status()).as(body + " → " + r.body()).isEqualTo(400);
        }
        assertThat(call("GET", "/api/v1/directory/sources", null)).isEmpty();
    }

    private void syncNow(long id, boolean full) {
        var r = orchard.post("/api/v1/directory/sources/" + id + "/sync?full=" + full, ADMIN_TOKEN, null);
        assertThat(r.status()).isEqualTo(202);
        orchard.step();
    }

    private List<String> members(String group) {
        return call("GET", "/api/v1/groups/" + group + "/members?limit=1000", null).get("items").valueStream()
                .map(JsonNode::asString).sorted().toList();
    }

    private List<String> licensed() {
        return db().sql("select serial_number from licenses where serial_number like 'MAC%' and origin = 'ORCHARD' "
                + "and intent is null order by serial_number").query(String.class).list();
    }
}
