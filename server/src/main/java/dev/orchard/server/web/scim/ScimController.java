package dev.orchard.server.web.scim;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import dev.orchard.server.inventory.DirectoryUser;
import dev.orchard.server.inventory.Provisioning;
import dev.orchard.server.system.NotFoundException;
import io.swagger.v3.oas.annotations.Hidden;
import tools.jackson.databind.JsonNode;

/**
 * SCIM 2.0 (RFC 7643/7644) for identity providers: Users and Groups with the filters and PATCH forms Entra ID and
 * Okta send ({@code userName eq}, {@code externalId eq}, {@code displayName eq}; add/replace/remove), paging by
 * {@code startIndex}/{@code count}, and the discovery endpoints. A user's {@code id} and {@code userName} are
 * Orchard's user id, which Apple knows as {@code clientUserId}, so a userName never changes. Authenticated by a SCIM
 * token (Settings → API tokens, scope SCIM), never by an API token.
 */
@RestController
@RequestMapping(value = "/scim/v2", produces = {"application/scim+json", MediaType.APPLICATION_JSON_VALUE})
@Hidden
class ScimController {

    static final MediaType SCIM = MediaType.parseMediaType("application/scim+json");
    private static final Pattern EQ = Pattern.compile("^\\s*([A-Za-z.]+)\\s+eq\\s+\"((?:[^\"\\\\]|\\\\.)*)\"\\s*$", Pattern.CASE_INSENSITIVE);
    static final int MAX_RESULTS = 200;

    private final Provisioning provisioning;

    ScimController(Provisioning provisioning) {
        this.provisioning = provisioning;
    }

    // --- users

    @GetMapping("/Users")
    ResponseEntity<Object> users(@RequestParam(required = false) String filter, @RequestParam(defaultValue = "1") int startIndex,
                                 @RequestParam(defaultValue = "100") int count) {
        String base = base();
        if (filter != null && !filter.isBlank()) {
            Matcher m = eq(filter);
            String attribute = m.group(1).toLowerCase(java.util.Locale.ROOT);
            String value = m.group(2).replace("\\\"", "\"");
            var found = switch (attribute) {
                case "username", "id" -> provisioning.user(value);
                case "externalid" -> provisioning.userByExternalId(value);
                default -> throw new ScimException(400, "invalidFilter", "filter on userName, id or externalId with eq");
            };
            return ok(ScimResources.list(found.map(u -> List.of(ScimResources.user(u, base))).orElse(List.of()),
                    found.isPresent() ? 1 : 0, 1));
        }
        int start = Math.max(1, startIndex);
        int size = Math.max(0, Math.min(MAX_RESULTS, count));
        var items = provisioning.users(start - 1, size).stream().map(u -> ScimResources.user(u, base)).toList();
        return ok(ScimResources.list(items, provisioning.userCount(), start));
    }

    @GetMapping("/Users/{id}")
    ResponseEntity<Object> user(@PathVariable String id) {
        return ok(ScimResources.user(existingUser(id), base()));
    }

    @PostMapping("/Users")
    ResponseEntity<Object> createUser(@RequestBody JsonNode body) {
        DirectoryUser u = ScimResources.directoryUser(body, null);
        boolean active = !body.has("active") || ScimPatch.bool(body.get("active"));
        var created = provisioning.createUser(u, active, ScimResources.text(body, "externalId"));
        return ResponseEntity.status(HttpStatus.CREATED).contentType(SCIM).body(ScimResources.user(created, base()));
    }

    @PutMapping("/Users/{id}")
    ResponseEntity<Object> replaceUser(@PathVariable String id, @RequestBody JsonNode body) {
        var current = existingUser(id);
        DirectoryUser u = ScimResources.directoryUser(body, current.user());
        boolean active = !body.has("active") || ScimPatch.bool(body.get("active"));
        return ok(ScimResources.user(provisioning.replaceUser(id, u, active, ScimResources.text(body, "externalId")), base()));
    }

    @PatchMapping("/Users/{id}")
    ResponseEntity<Object> patchUser(@PathVariable String id, @RequestBody JsonNode body) {
        var current = existingUser(id);
        DirectoryUser u = current.user();
        boolean active = current.active();
        String externalId = current.externalId();
        for (ScimPatch.Operation op : ScimPatch.operations(body)) {
            if (op.path() == null) {
                if (op.value() == null || !op.value().isObject()) {
                    throw new IllegalArgumentException("an operation without a path needs an object value");
                }
                u = ScimResources.directoryUser(op.value(), u);
                if (op.value().has("active")) {
                    active = ScimPatch.bool(op.value().get("active"));
                }
                if (op.value().has("externalId")) {
                    externalId = ScimResources.text(op.value(), "externalId");
                }
                continue;
            }
            String path = op.path().toLowerCase(java.util.Locale.ROOT);
            boolean remove = op.op().equals("remove");
            if (path.equals("active")) {
                active = remove || ScimPatch.bool(op.value());
            } else if (path.equals("externalid")) {
                externalId = remove ? null : op.value().asString();
            } else if (path.equals("displayname") || path.equals("name.formatted")) {
                u = new DirectoryUser(u.userId(), u.email(), u.managedAppleId(), remove ? null : op.value().asString());
            } else if (path.startsWith("emails")) {
                String email = remove ? null : op.value().isArray() ? ScimResources.primaryEmail(op.value()) : op.value().asString();
                u = new DirectoryUser(u.userId(), email, u.managedAppleId(), u.displayName());
            } else if (path.equals("username")) {
                u = new DirectoryUser(op.value().asString(), u.email(), u.managedAppleId(), u.displayName());
            }
            // other attributes (title, department, name parts …) are not kept by Orchard: accepted and ignored
        }
        return ok(ScimResources.user(provisioning.replaceUser(id, u, active, externalId), base()));
    }

    @DeleteMapping("/Users/{id}")
    ResponseEntity<Object> deleteUser(@PathVariable String id) {
        existingUser(id);
        provisioning.deleteUser(id);
        return ResponseEntity.noContent().build();
    }

    // --- groups

    @GetMapping("/Groups")
    ResponseEntity<Object> groups(@RequestParam(required = false) String filter, @RequestParam(defaultValue = "1") int startIndex,
                                  @RequestParam(defaultValue = "100") int count,
                                  @RequestParam(required = false) String excludedAttributes) {
        String base = base();
        boolean members = excludedAttributes == null || !excludedAttributes.toLowerCase(java.util.Locale.ROOT).contains("members");
        var all = provisioning.groups();
        if (filter != null && !filter.isBlank()) {
            Matcher m = eq(filter);
            String attribute = m.group(1).toLowerCase(java.util.Locale.ROOT);
            String value = m.group(2).replace("\\\"", "\"");
            all = all.stream().filter(g -> switch (attribute) {
                case "displayname" -> g.name().equals(value);
                case "externalid" -> value.equals(g.externalId());
                case "id" -> g.id().equals(value);
                default -> throw new ScimException(400, "invalidFilter", "filter on displayName, id or externalId with eq");
            }).toList();
        }
        int start = Math.max(1, startIndex);
        var page = all.stream().skip(start - 1L).limit(Math.max(0, Math.min(MAX_RESULTS, count)))
                .map(g -> ScimResources.group(g, base, members)).toList();
        return ok(ScimResources.list(page, all.size(), start));
    }

    @GetMapping("/Groups/{id}")
    ResponseEntity<Object> group(@PathVariable String id) {
        return ok(ScimResources.group(existingGroup(id), base(), true));
    }

    @PostMapping("/Groups")
    ResponseEntity<Object> createGroup(@RequestBody JsonNode body) {
        String name = ScimResources.text(body, "displayName");
        if (name == null) {
            throw new IllegalArgumentException("displayName is required");
        }
        var created = provisioning.createGroup(name, ScimResources.text(body, "externalId"), ScimPatch.memberIds(body.get("members")));
        return ResponseEntity.status(HttpStatus.CREATED).contentType(SCIM).body(ScimResources.group(created, base(), true));
    }

    @PutMapping("/Groups/{id}")
    ResponseEntity<Object> replaceGroup(@PathVariable String id, @RequestBody JsonNode body) {
        existingGroup(id);
        String name = ScimResources.text(body, "displayName");
        if (name != null) {
            provisioning.renameGroup(id, name);
        }
        if (body.has("externalId")) {
            provisioning.setGroupExternalId(id, ScimResources.text(body, "externalId"));
        }
        provisioning.replaceMembers(id, ScimPatch.memberIds(body.get("members")));
        return ok(ScimResources.group(existingGroup(id), base(), true));
    }

    @PatchMapping("/Groups/{id}")
    ResponseEntity<Object> patchGroup(@PathVariable String id, @RequestBody JsonNode body) {
        existingGroup(id);
        for (ScimPatch.Operation op : ScimPatch.operations(body)) {
            String path = op.path() == null ? null : op.path().toLowerCase(java.util.Locale.ROOT);
            String member = ScimPatch.memberInPath(op.path());
            if (member != null && op.op().equals("remove")) {
                provisioning.changeMembers(id, List.of(), List.of(member));
            } else if ("members".equals(path)) {
                var ids = ScimPatch.memberIds(op.value());
                switch (op.op()) {
                    case "add" -> provisioning.changeMembers(id, ids, List.of());
                    case "remove" -> provisioning.changeMembers(id, List.of(), ids);
                    default -> provisioning.replaceMembers(id, ids);
                }
            } else if ("displayname".equals(path)) {
                provisioning.renameGroup(id, op.value().asString());
            } else if ("externalid".equals(path)) {
                provisioning.setGroupExternalId(id, op.op().equals("remove") ? null : op.value().asString());
            } else if (path == null && op.value() != null && op.value().isObject()) {
                if (ScimResources.text(op.value(), "displayName") != null) {
                    provisioning.renameGroup(id, ScimResources.text(op.value(), "displayName"));
                }
                if (op.value().has("members")) {
                    provisioning.replaceMembers(id, ScimPatch.memberIds(op.value().get("members")));
                }
            } else {
                throw new ScimException(400, "invalidPath", "a group's members, displayName or externalId can be patched");
            }
        }
        return ok(ScimResources.group(existingGroup(id), base(), true));
    }

    @DeleteMapping("/Groups/{id}")
    ResponseEntity<Object> deleteGroup(@PathVariable String id) {
        existingGroup(id);
        provisioning.deleteGroup(id);
        return ResponseEntity.noContent().build();
    }

    // --- discovery

    @GetMapping("/ServiceProviderConfig")
    ResponseEntity<Object> serviceProviderConfig() {
        return ok(ScimDiscovery.serviceProviderConfig(MAX_RESULTS));
    }

    @GetMapping("/ResourceTypes")
    ResponseEntity<Object> resourceTypes() {
        return ok(ScimResources.list(ScimDiscovery.resourceTypes(base()), 2, 1));
    }

    @GetMapping("/Schemas")
    ResponseEntity<Object> schemas() {
        return ok(ScimResources.list(ScimDiscovery.schemas(), 2, 1));
    }

    private Provisioning.User existingUser(String id) {
        return provisioning.user(id).orElseThrow(() -> new NotFoundException("no user " + id));
    }

    private Provisioning.GroupView existingGroup(String id) {
        return provisioning.group(id).orElseThrow(() -> new NotFoundException("no group " + id));
    }

    private static Matcher eq(String filter) {
        Matcher m = EQ.matcher(filter);
        if (!m.matches()) {
            throw new ScimException(400, "invalidFilter", "only 'attribute eq \"value\"' filters are supported");
        }
        return m;
    }

    private static String base() {
        return ServletUriComponentsBuilder.fromCurrentContextPath().path("/scim/v2").toUriString();
    }

    private static ResponseEntity<Object> ok(Map<String, Object> body) {
        return ResponseEntity.ok().contentType(SCIM).body(body);
    }

    /** An error with SCIM's own type. */
    static final class ScimException extends RuntimeException {
        final int status;
        final String scimType;

        ScimException(int status, String scimType, String detail) {
            super(detail);
            this.status = status;
            this.scimType = scimType;
        }
    }
}
