package dev.orchard.server.web.scim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.orchard.server.inventory.DirectoryUser;
import dev.orchard.server.inventory.Provisioning;
import tools.jackson.databind.JsonNode;

/** Users and groups as SCIM resources (RFC 7643), and a SCIM user read back into Orchard's fields. */
final class ScimResources {

    static final String USER = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final String GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
    static final String LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    static final String ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

    private ScimResources() {
    }

    static Map<String, Object> user(Provisioning.User u, String base) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("schemas", List.of(USER));
        r.put("id", u.user().userId());
        if (u.externalId() != null) {
            r.put("externalId", u.externalId());
        }
        r.put("userName", u.user().userId());
        if (u.user().displayName() != null) {
            r.put("displayName", u.user().displayName());
            r.put("name", Map.of("formatted", u.user().displayName()));
        }
        r.put("active", u.active());
        if (u.user().email() != null) {
            r.put("emails", List.of(Map.of("value", u.user().email(), "type", "work", "primary", true)));
        }
        r.put("groups", u.groups().stream().map(g -> Map.of("value", g, "$ref", base + "/Groups/" + g)).toList());
        r.put("meta", Map.of("resourceType", "User", "location", base + "/Users/" + u.user().userId()));
        return r;
    }

    static Map<String, Object> group(Provisioning.GroupView g, String base, boolean withMembers) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("schemas", List.of(GROUP));
        r.put("id", g.id());
        if (g.externalId() != null) {
            r.put("externalId", g.externalId());
        }
        r.put("displayName", g.name());
        if (withMembers) {
            r.put("members", g.members().stream().map(m -> Map.of("value", m, "$ref", base + "/Users/" + m)).toList());
        }
        r.put("meta", Map.of("resourceType", "Group", "location", base + "/Groups/" + g.id()));
        return r;
    }

    static Map<String, Object> list(List<Map<String, Object>> items, long total, int startIndex) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("schemas", List.of(LIST));
        r.put("totalResults", total);
        r.put("startIndex", startIndex);
        r.put("itemsPerPage", items.size());
        r.put("Resources", items);
        return r;
    }

    static Map<String, Object> error(int status, String scimType, String detail) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("schemas", List.of(ERROR));
        r.put("status", Integer.toString(status));
        if (scimType != null) {
            r.put("scimType", scimType);
        }
        r.put("detail", detail);
        return r;
    }

    /** A SCIM user body's fields, over {@code current} ones where the body is silent (null: a new user). */
    static DirectoryUser directoryUser(JsonNode body, DirectoryUser current) {
        String userName = text(body, "userName");
        if (userName == null) {
            if (current == null) {
                throw new IllegalArgumentException("userName is required");
            }
            userName = current.userId();
        }
        String email = primaryEmail(body.get("emails"));
        String display = text(body, "displayName");
        JsonNode name = body.get("name");
        if (display == null && name != null && name.isObject()) {
            display = text(name, "formatted");
            if (display == null && (text(name, "givenName") != null || text(name, "familyName") != null)) {
                display = ((text(name, "givenName") == null ? "" : text(name, "givenName")) + " "
                        + (text(name, "familyName") == null ? "" : text(name, "familyName"))).strip();
            }
        }
        return new DirectoryUser(userName, email != null ? email : current == null ? null : current.email(),
                current == null ? null : current.managedAppleId(), display != null ? display : current == null ? null : current.displayName());
    }

    static String primaryEmail(JsonNode emails) {
        if (emails == null || !emails.isArray() || emails.isEmpty()) {
            return null;
        }
        for (JsonNode e : emails) {
            if (e.hasNonNull("primary") && ScimPatch.bool(e.get("primary")) && e.hasNonNull("value")) {
                return e.get("value").asString();
            }
        }
        return emails.get(0).hasNonNull("value") ? emails.get(0).get("value").asString() : null;
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() || v.asString().isBlank() ? null : v.asString().strip();
    }
}
