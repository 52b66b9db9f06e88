package dev.orchard.server.inventory;

import java.util.Collection;
import java.util.Set;

/** Published inside the transaction that made the change, so listeners can record their consequences with it. */
public final class InventoryEvents {

    private InventoryEvents() {
    }

    /**
     * Devices, users, groups, labels or app settings changed: desired licenses need a fresh look. A change names
     * its subjects (the devices and users whose targets it can reach) so the licensing pass evaluates those only;
     * {@code everything} (app settings, a label with an ALL or RULE target) reaches targets that only a full pass
     * finds.
     */
    public record Changed(String what, Set<String> serials, Set<String> users, boolean everything) {

        public Changed {
            serials = Set.copyOf(serials);
            users = Set.copyOf(users);
        }

        static Changed devices(Collection<String> serials, Collection<String> owners) {
            return new Changed("devices", Set.copyOf(serials), Set.copyOf(owners), false);
        }

        static Changed users(Collection<String> users) {
            return new Changed("users", Set.of(), Set.copyOf(users), false);
        }

        static Changed targets(String what, Collection<String> serials, Collection<String> users) {
            return new Changed(what, Set.copyOf(serials), Set.copyOf(users), false);
        }

        static Changed everything(String what) {
            return new Changed(what, Set.of(), Set.of(), true);
        }
    }

    /** A device was retired (rule R4b). */
    public record DeviceRetired(String serialNumber) {
    }

    /** The MDM reported apps gone from a device that had them (rule R4c). */
    public record AppsRemoved(String serialNumber, Set<String> bundleIds) {
    }
}
