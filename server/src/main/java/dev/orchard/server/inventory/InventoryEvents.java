package dev.orchard.server.inventory;

import java.util.Set;

/** Published inside the transaction that made the change, so listeners can record their consequences with it. */
public final class InventoryEvents {

    private InventoryEvents() {
    }

    /** Devices, users, groups, labels or app settings changed: desired licenses need a fresh look. */
    public record Changed(String what) {
    }

    /** A device was retired (rule R4b). */
    public record DeviceRetired(String serialNumber) {
    }

    /** The MDM reported apps gone from a device that had them (rule R4c). */
    public record AppsRemoved(String serialNumber, Set<String> bundleIds) {
    }
}
