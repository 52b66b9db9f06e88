package dev.orchard.server.web.scim;

import java.util.List;
import java.util.Map;

/** What Orchard's SCIM service supports (RFC 7643 §5–7): the answers of the three discovery endpoints. */
final class ScimDiscovery {

    private ScimDiscovery() {
    }

    static Map<String, Object> serviceProviderConfig(int maxResults) {
        return Map.of("schemas", List.of("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"),
                "patch", Map.of("supported", true), "bulk", Map.of("supported", false, "maxOperations", 0, "maxPayloadSize", 0),
                "filter", Map.of("supported", true, "maxResults", maxResults), "changePassword", Map.of("supported", false),
                "sort", Map.of("supported", false), "etag", Map.of("supported", false),
                "authenticationSchemes", List.of(Map.of("type", "oauthbearertoken", "name", "OAuth Bearer Token",
                        "description", "A SCIM token created in Orchard (Settings → API tokens, scope SCIM)", "primary", true)));
    }

    static List<Map<String, Object>> resourceTypes(String base) {
        return List.of(
                Map.of("schemas", List.of("urn:ietf:params:scim:schemas:core:2.0:ResourceType"), "id", "User", "name", "User",
                        "endpoint", "/Users", "schema", ScimResources.USER, "meta", Map.of("resourceType", "ResourceType",
                                "location", base + "/ResourceTypes/User")),
                Map.of("schemas", List.of("urn:ietf:params:scim:schemas:core:2.0:ResourceType"), "id", "Group", "name", "Group",
                        "endpoint", "/Groups", "schema", ScimResources.GROUP, "meta", Map.of("resourceType", "ResourceType",
                                "location", base + "/ResourceTypes/Group")));
    }

    static List<Map<String, Object>> schemas() {
        return List.of(
                Map.of("id", ScimResources.USER, "name", "User", "description", "A person Orchard licenses apps to",
                        "attributes", List.of(attribute("userName", "string", true, "server"),
                                attribute("displayName", "string", false, "none"), attribute("active", "boolean", false, "none"),
                                attribute("externalId", "string", false, "none"), Map.of("name", "emails", "type", "complex",
                                        "multiValued", true, "required", false, "mutability", "readWrite", "returned", "default",
                                        "subAttributes", List.of(attribute("value", "string", false, "none"),
                                                attribute("type", "string", false, "none"), attribute("primary", "boolean", false, "none"))))),
                Map.of("id", ScimResources.GROUP, "name", "Group", "description", "A group Apple License Labels can use",
                        "attributes", List.of(attribute("displayName", "string", true, "none"),
                                attribute("externalId", "string", false, "none"), Map.of("name", "members", "type", "complex",
                                        "multiValued", true, "required", false, "mutability", "readWrite", "returned", "default",
                                        "subAttributes", List.of(attribute("value", "string", false, "none"))))));
    }

    private static Map<String, Object> attribute(String name, String type, boolean required, String uniqueness) {
        return Map.of("name", name, "type", type, "multiValued", false, "required", required, "mutability", "readWrite",
                "returned", "default", "uniqueness", uniqueness, "caseExact", false);
    }
}
