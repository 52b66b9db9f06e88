package dev.orchard.apple.model;

import java.util.List;

/**
 * Body of {@code assets/revoke}: disassociates every revocable asset from the listed users and devices.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/revokeassetsrequest">Apple: RevokeAssetsRequest</a>
 */
public record RevokeAssetsRequest(List<String> clientUserIds, List<String> serialNumbers) {

    public RevokeAssetsRequest {
        clientUserIds = clientUserIds == null || clientUserIds.isEmpty() ? null : List.copyOf(clientUserIds);
        serialNumbers = serialNumbers == null || serialNumbers.isEmpty() ? null : List.copyOf(serialNumbers);
        if (clientUserIds == null && serialNumbers == null) {
            throw new IllegalArgumentException("clientUserIds or serialNumbers are required (Apple 9719)");
        }
        ManageAssetsRequest.requireUnique(clientUserIds, "clientUserIds (Apple 9704)");
        ManageAssetsRequest.requireUnique(serialNumbers, "serialNumbers (Apple 9705)");
    }
}
