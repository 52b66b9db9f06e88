package dev.orchard.server.inventory;

/** An app on a device as the MDM reported it. */
public record InstalledApp(String bundleId, String version, boolean managed) {
    public InstalledApp {
        if (bundleId == null || bundleId.isBlank() || bundleId.length() > 300) {
            throw new IllegalArgumentException("bundleId is required (at most 300 characters)");
        }
        bundleId = bundleId.strip();
    }
}
