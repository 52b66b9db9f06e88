package dev.orchard.apple.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Filters of {@code GET assignments}. {@code sinceVersionId} turns the read incremental: only records changed
 * since that version (possibly none).
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/get-assignments-9wv1e">Apple: Get Assignments</a>
 */
public record AssignmentQuery(
        String adamId,
        String pricingParam,
        String clientUserId,
        String serialNumber,
        String sinceVersionId,
        Boolean excludeInactiveUsers,
        Boolean includeUserState) {

    public static AssignmentQuery all() {
        return new AssignmentQuery(null, null, null, null, null, null, null);
    }

    public AssignmentQuery withAsset(Asset asset) {
        return new AssignmentQuery(asset.adamId(), asset.pricingParam(), clientUserId, serialNumber, sinceVersionId,
                excludeInactiveUsers, includeUserState);
    }

    public AssignmentQuery withSerialNumber(String value) {
        return new AssignmentQuery(adamId, pricingParam, clientUserId, value, sinceVersionId, excludeInactiveUsers,
                includeUserState);
    }

    public AssignmentQuery withClientUserId(String value) {
        return new AssignmentQuery(adamId, pricingParam, value, serialNumber, sinceVersionId, excludeInactiveUsers,
                includeUserState);
    }

    public AssignmentQuery since(String versionId) {
        return new AssignmentQuery(adamId, pricingParam, clientUserId, serialNumber, versionId, excludeInactiveUsers,
                includeUserState);
    }

    public AssignmentQuery withUserState(boolean value) {
        return new AssignmentQuery(adamId, pricingParam, clientUserId, serialNumber, sinceVersionId,
                excludeInactiveUsers, value);
    }

    public AssignmentQuery withExcludeInactiveUsers(boolean value) {
        return new AssignmentQuery(adamId, pricingParam, clientUserId, serialNumber, sinceVersionId, value,
                includeUserState);
    }

    public Map<String, String> parameters() {
        var p = new LinkedHashMap<String, String>();
        AssetQuery.put(p, "adamId", adamId);
        AssetQuery.put(p, "pricingParam", pricingParam);
        AssetQuery.put(p, "clientUserId", clientUserId);
        AssetQuery.put(p, "serialNumber", serialNumber);
        AssetQuery.put(p, "sinceVersionId", sinceVersionId);
        AssetQuery.put(p, "excludeInactiveUsers", excludeInactiveUsers);
        AssetQuery.put(p, "includeUserState", includeUserState);
        return p;
    }
}
