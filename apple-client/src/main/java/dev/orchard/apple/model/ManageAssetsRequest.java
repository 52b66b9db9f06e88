package dev.orchard.apple.model;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * Body of {@code assets/associate} and {@code assets/disassociate}: every listed asset for every listed target.
 * Validates what Apple would reject synchronously as 9718 (no asset), 9719 (no target) and 9703–9705
 * (duplicates), so a bad request fails before it leaves the process.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/manageassetsrequest">Apple: ManageAssetsRequest</a>
 */
public record ManageAssetsRequest(List<Asset> assets, List<String> clientUserIds, List<String> serialNumbers) {

    public ManageAssetsRequest {
        assets = assets == null ? List.of() : List.copyOf(assets);
        clientUserIds = clientUserIds == null || clientUserIds.isEmpty() ? null : List.copyOf(clientUserIds);
        serialNumbers = serialNumbers == null || serialNumbers.isEmpty() ? null : List.copyOf(serialNumbers);
        if (assets.isEmpty()) {
            throw new IllegalArgumentException("at least one asset is required (Apple 9718)");
        }
        if (clientUserIds == null && serialNumbers == null) {
            throw new IllegalArgumentException("clientUserIds or serialNumbers are required (Apple 9719)");
        }
        requireUnique(assets, "assets (Apple 9703)");
        requireUnique(clientUserIds, "clientUserIds (Apple 9704)");
        requireUnique(serialNumbers, "serialNumbers (Apple 9705)");
    }

    public static ManageAssetsRequest devices(List<Asset> assets, List<String> serialNumbers) {
        return new ManageAssetsRequest(assets, null, serialNumbers);
    }

    public static ManageAssetsRequest users(List<Asset> assets, List<String> clientUserIds) {
        return new ManageAssetsRequest(assets, clientUserIds, null);
    }

    /** Apple's task count for this request: assets × (users + serials). */
    public int taskCount() {
        return assets.size() * (size(clientUserIds) + size(serialNumbers));
    }

    public int serialCount() {
        return size(serialNumbers);
    }

    public int userCount() {
        return size(clientUserIds);
    }

    static int size(List<?> list) {
        return list == null ? 0 : list.size();
    }

    static void requireUnique(List<?> values, String what) {
        if (values != null && new LinkedHashSet<>(values).size() != values.size()) {
            throw new IllegalArgumentException("duplicate " + what);
        }
    }
}
