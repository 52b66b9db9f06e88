package dev.orchard.server.inventory;

/** An app on a device as the MDM reported it. */
public record InstalledApp(String bundleId, String version, boolean managed) {
    public InstalledApp {
        bundleId = dev.orchard.server.system.Fields.required("bundleId", bundleId, 300);
        version = dev.orchard.server.system.Fields.optional("version", version, 64);
    }
}
