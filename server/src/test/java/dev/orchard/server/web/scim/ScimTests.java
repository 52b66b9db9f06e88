package dev.orchard.server.web.scim;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.orchard.server.licensing.LicensingScenario;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * SCIM provisioning through the real HTTP endpoints, with request sequences in the shapes Entra ID and Okta document
 * (Entra: capitalised ops, "False" as a string, members removed by value list; Okta: replace with a value object,
 * members removed by a filtered path). Group membership from the provider gives licenses through an Apple License
 * Label and takes them back (R4a) when a member is removed or deactivated; tokens are kept apart from API tokens;
 * bad input gets a SCIM error and changes nothing.
 */
class ScimTests extends LicensingScenario {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private String scimToken;

    @Override
    protected boolean stepped() {
        return true;
    }

    @BeforeEach
    void scimToken() {
        scimToken = call("POST", "/api/v1/tokens", "{\"name\":\"Entra ID\",\"scope\":\"SCIM\"}").get("value").asString();
    }

    record Answer(int status, JsonNode json, String contentType) {
    }

    private Answer scim(String method, String path, String body) {
        return scim(method, path, body, scimToken);
    }

    private Answer scim(String method, String path, String body, String token) {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/scim/v2" + path))
                .header("Content-Type", "application/scim+json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            var r = http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body().isBlank() ? null : JSON.readTree(r.body()),
                    r.headers().firstValue("Content-Type").orElse(""));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String q(String filter) {
        return URLEncoder.encode(filter, StandardCharsets.UTF_8);
    }

    private Answer ok(String method, String path, String body) {
        Answer a = scim(method, path, body);
        assertThat(a.status()).as(method + " " + path + " → " + a.json()).isBetween(200, 299);
        return a;
    }

    @Test
    void entraIdProvisionsUsersAndGroupsAndItsRemovalsReclaim() {
        // Entra first looks the user up, then creates it
        assertThat(ok("GET", "/Users?filter=" + q("userName eq \"ann@contoso.com\""), null).json().get("totalResults").asInt()).isZero();
        for (String who : new String[] {"ann", "bob"}) {
            Answer created = scim("POST", "/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\","
                    + "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"],\"externalId\":\"" + who + "-object-id\","
                    + "\"userName\":\"" + who + "@contoso.com\",\"active\":true,\"emails\":[{\"primary\":true,\"type\":\"work\","
                    + "\"value\":\"" + who + "@contoso.com\"}],\"meta\":{\"resourceType\":\"User\"},\"name\":{\"formatted\":\""
                    + who.toUpperCase() + " Contoso\",\"familyName\":\"Contoso\",\"givenName\":\"" + who + "\"},\"roles\":[]}");
            assertThat(created.status()).as(String.valueOf(created.json())).isEqualTo(201);
            assertThat(created.contentType()).startsWith("application/scim+json");
            assertThat(created.json().get("id").asString()).isEqualTo(who + "@contoso.com");
            assertThat(created.json().get("externalId").asString()).isEqualTo(who + "-object-id");
        }
        assertThat(ok("GET", "/Users?filter=" + q("externalId eq \"ann-object-id\""), null).json().get("Resources").get(0)
                .get("userName").asString()).isEqualTo("ann@contoso.com");
        assertThat(ok("GET", "/Groups?excludedAttributes=members&filter=" + q("displayName eq \"Sales Team\""), null).json()
                .get("totalResults").asInt()).isZero();
        Answer group = scim("POST", "/Groups", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],"
                + "\"externalId\":\"sales-object-id\",\"displayName\":\"Sales Team\",\"meta\":{\"resourceType\":\"Group\"}}");
        assertThat(group.status()).isEqualTo(201);
        String id = group.json().get("id").asString();
        assertThat(id).isEqualTo("sales-team");
        ok("PATCH", "/Groups/" + id, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":\"Add\","
                + "\"path\":\"members\",\"value\":[{\"value\":\"ann@contoso.com\"},{\"value\":\"bob@contoso.com\"}]}]}");
        assertThat(ok("GET", "/Groups/" + id, null).json().get("members")).hasSize(2);

        // an Apple License Label on the provider's group: the members' Macs get licenses
        label("{\"kind\":\"LICENSE\",\"name\":\"Sales\",\"accountId\":" + us + ",\"targets\":[{\"type\":\"GROUP\",\"value\":\"" + id + "\"}]}");
        label("{\"kind\":\"APP\",\"name\":\"Field Notes\",\"adamIds\":[\"" + FIELD_NOTES + "\"],\"targets\":[{\"type\":\"GROUP\",\"value\":\"" + id + "\"}]}");
        for (String who : new String[] {"ann", "bob"}) {
            call("PUT", "/api/v1/devices/" + who.toUpperCase() + "MAC", "{\"serialNumber\":\"" + who.toUpperCase() + "MAC\","
                    + "\"platform\":\"macOS\",\"osVersion\":\"14.2\",\"country\":\"US\",\"ownerUserId\":\"" + who + "@contoso.com\"}");
        }
        settle();
        assertThat(orchardLicenses("and serial_number in ('ANNMAC', 'BOBMAC') and intent is null")).isEqualTo(2);

        // Entra removes bob from the group, and deactivates ann ("False", a string)
        ok("PATCH", "/Groups/" + id, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":\"Remove\","
                + "\"path\":\"members\",\"value\":[{\"value\":\"bob@contoso.com\"}]}]}");
        Answer deactivated = ok("PATCH", "/Users/ann@contoso.com", "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                + "\"Operations\":[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}]}");
        assertThat(deactivated.json().get("active").asBoolean()).isFalse();
        assertThat(deactivated.json().get("groups")).isEmpty();
        settle();
        assertThat(orchardLicenses("and serial_number in ('ANNMAC', 'BOBMAC')")).isZero();
        assertThat(call("GET", "/api/v1/audit?subject=device%20BOBMAC&action=LICENSE_RECLAIMED", null).get("items").get(0)
                .get("actor").asString()).isEqualTo("rule:R4a");
        assertThat(call("GET", "/api/v1/audit?action=USER_DEACTIVATED", null).get("items").get(0).get("actor").asString())
                .isEqualTo("scim:Entra ID");
        // a deactivated user cannot be put back in a group until activated
        assertThat(scim("PATCH", "/Groups/" + id, "{\"Operations\":[{\"op\":\"Add\",\"path\":\"members\",\"value\":[{\"value\":"
                + "\"ann@contoso.com\"}]}]}").status()).isEqualTo(400);

        // Entra deletes the user at last
        assertThat(scim("DELETE", "/Users/bob@contoso.com", null).status()).isEqualTo(204);
        assertThat(scim("GET", "/Users/bob@contoso.com", null).status()).isEqualTo(404);
    }

    @Test
    void oktaPatchFormsWork() {
        assertThat(ok("GET", "/Users?filter=" + q("userName eq \"carl@example.com\"") + "&startIndex=1&count=100", null).json()
                .get("totalResults").asInt()).isZero();
        ok("POST", "/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"carl@example.com\","
                + "\"name\":{\"givenName\":\"Carl\",\"familyName\":\"Carlsen\"},\"emails\":[{\"primary\":true,\"value\":"
                + "\"carl@example.com\",\"type\":\"work\"}],\"displayName\":\"Carl Carlsen\",\"locale\":\"en-US\",\"active\":true}");
        assertThat(call("GET", "/api/v1/users/carl@example.com", null).get("user").get("displayName").asString()).isEqualTo("Carl Carlsen");
        String id = ok("POST", "/Groups", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":"
                + "\"Field Team\",\"members\":[]}").json().get("id").asString();
        ok("PATCH", "/Groups/" + id, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":"
                + "\"add\",\"path\":\"members\",\"value\":[{\"value\":\"carl@example.com\",\"display\":\"carl@example.com\"}]}]}");
        assertThat(call("GET", "/api/v1/groups/" + id + "/members", null).get("items").get(0).asString()).isEqualTo("carl@example.com");
        ok("PATCH", "/Groups/" + id, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":"
                + "\"replace\",\"value\":{\"id\":\"" + id + "\",\"displayName\":\"Field Crew\"}},{\"op\":\"remove\",\"path\":"
                + "\"members[value eq \\\"carl@example.com\\\"]\"}]}");
        JsonNode g = ok("GET", "/Groups/" + id, null).json();
        assertThat(g.get("displayName").asString()).isEqualTo("Field Crew");
        assertThat(g.get("members")).isEmpty();
        JsonNode off = ok("PATCH", "/Users/carl@example.com", "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
                + "\"Operations\":[{\"op\":\"replace\",\"value\":{\"active\":false}}]}").json();
        assertThat(off.get("active").asBoolean()).isFalse();
        JsonNode on = ok("PUT", "/Users/carl@example.com", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
                + "\"userName\":\"carl@example.com\",\"displayName\":\"Carl C.\",\"active\":true,\"emails\":[{\"primary\":true,"
                + "\"value\":\"carl@example.com\"}]}").json();
        assertThat(on.get("active").asBoolean()).isTrue();
        assertThat(on.get("displayName").asString()).isEqualTo("Carl C.");
        JsonNode page = ok("GET", "/Users?startIndex=1&count=1", null).json();
        assertThat(page.get("itemsPerPage").asInt()).isEqualTo(1);
        assertThat(page.get("totalResults").asLong()).isGreaterThanOrEqualTo(1);
        for (String discovery : new String[] {"/ServiceProviderConfig", "/ResourceTypes", "/Schemas"}) {
            assertThat(ok("GET", discovery, null).json().toString()).contains("urn:ietf:params:scim:");
        }
    }

    @Test
    void tokensAreKeptApartAndBadInputChangesNothing() {
        for (String token : new String[] {null, ADMIN_TOKEN, "not-a-token"}) {
            Answer refused = scim("GET", "/Users", null, token);
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.json().get("schemas").get(0).asString()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
        }
        assertThat(orchard.get("/api/v1/devices", scimToken).status()).as("a SCIM token is no API token").isEqualTo(401);

        String[][] bad = {
                {"POST", "/Users", "{\"emails\":[{\"value\":\"x@example.com\"}]}", "invalidValue"},
                {"POST", "/Users", "{\"userName\":\"dora@example.com\",\"emails\":[{\"value\":\"not-an-address\"}]}", "invalidValue"},
                {"POST", "/Users", "not json", "invalidSyntax"},
                {"GET", "/Users?filter=" + q("title co \"x\""), null, "invalidFilter"},
                {"PATCH", "/Groups/nope", "{\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":[]}]}", null},
                {"POST", "/Groups", "{\"members\":[]}", "invalidValue"},
                {"POST", "/Groups", "{\"displayName\":\"Ghosts\",\"members\":[{\"value\":\"nobody@example.com\"}]}", "invalidValue"}};
        for (String[] b : bad) {
            Answer a = scim(b[0], b[1], b[2]);
            assertThat(a.status()).as(b[0] + " " + b[1] + " → " + a.json()).isIn(400, 404);
            if (b[3] != null) {
                assertThat(a.json().get("scimType").asString()).isEqualTo(b[3]);
            }
        }
        assertThat(count("select count(*) from directory_users where user_id = 'dora@example.com'")).isZero();
        assertThat(count("select count(*) from directory_groups where name = 'Ghosts'")).as("all of a create or none").isZero();
        ok("POST", "/Users", "{\"userName\":\"eric@example.com\"}");
        Answer twice = scim("POST", "/Users", "{\"userName\":\"eric@example.com\"}");
        assertThat(twice.status()).isEqualTo(409);
        assertThat(twice.json().get("scimType").asString()).isEqualTo("uniqueness");
    }
}
