package dev.orchard.apple.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Filters of {@code GET users}.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/get-users-4mwln">Apple: Get Users</a>
 */
public record UserQuery(String clientUserId, Boolean activeOnly, Boolean retiredOnly, String sinceVersionId) {

    public static UserQuery all() {
        return new UserQuery(null, null, null, null);
    }

    public static UserQuery active() {
        return new UserQuery(null, true, null, null);
    }

    public UserQuery withClientUserId(String value) {
        return new UserQuery(value, activeOnly, retiredOnly, sinceVersionId);
    }

    public UserQuery since(String versionId) {
        return new UserQuery(clientUserId, activeOnly, retiredOnly, versionId);
    }

    public UserQuery withRetiredOnly(Boolean value) {
        return new UserQuery(clientUserId, activeOnly, value, sinceVersionId);
    }

    public Map<String, String> parameters() {
        var p = new LinkedHashMap<String, String>();
        AssetQuery.put(p, "clientUserId", clientUserId);
        AssetQuery.put(p, "activeOnly", activeOnly);
        AssetQuery.put(p, "retiredOnly", retiredOnly);
        AssetQuery.put(p, "sinceVersionId", sinceVersionId);
        return p;
    }
}
