package dev.orchard.server.mdm;

import java.util.List;
import java.util.Map;

import com.dd.plist.NSArray;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSObject;

import dev.orchard.server.inventory.Platform;

/**
 * Pure builders of the MDM commands Orchard sends, as Apple documents them
 * (<a href="https://developer.apple.com/documentation/devicemanagement/install-application-command">InstallApplication</a>,
 * RemoveApplication, ManagedApplicationList, InstalledApplicationList, DeviceInformation). The plists are written by
 * dd-plist, never by string formatting; key order is fixed so golden files pin every byte.
 */
public final class MdmCommands {

    /** Remove the app when the MDM profile is removed. */
    public static final int REMOVE_WITH_PROFILE = 1;
    /** Keep the app's data out of backups. */
    public static final int PREVENT_BACKUP = 4;

    private MdmCommands() {
    }

    /**
     * What an {@code InstallApplication} of a licensed app says.
     *
     * @param adamId         the app's store id ({@code iTunesStoreID}); a licensed app is always installed by it
     * @param platform       the device's platform: macOS adds {@code InstallAsManaged}
     * @param managementFlags bit set of {@link #REMOVE_WITH_PROFILE} and {@link #PREVENT_BACKUP}
     * @param convertToManaged rule R8: take over a copy the user installed ({@code ChangeManagementState = Managed})
     * @param userEnrollment the device is in User Enrollment, where a management change is forbidden
     * @param configuration  managed app configuration, or null
     */
    public record Install(long adamId, Platform platform, int managementFlags, boolean convertToManaged,
                          boolean userEnrollment, Map<String, Object> configuration) {
        public Install {
            if (adamId <= 0) {
                throw new IllegalArgumentException("adamId must be positive");
            }
            if (managementFlags < 0 || (managementFlags & ~(REMOVE_WITH_PROFILE | PREVENT_BACKUP)) != 0) {
                throw new IllegalArgumentException("managementFlags may only combine 1 and 4");
            }
            configuration = configuration == null ? null : Map.copyOf(configuration);
        }
    }

    public static MdmCommand installApplication(String uuid, Install install) {
        NSDictionary command = request("InstallApplication");
        command.put("iTunesStoreID", install.adamId());
        NSDictionary options = new NSDictionary();
        options.put("PurchaseMethod", 1); // Apps and Books assignment
        command.put("Options", options);
        command.put("ManagementFlags", install.managementFlags());
        boolean mac = install.platform() == Platform.MACOS;
        if (install.convertToManaged() && !install.userEnrollment()) {
            command.put("ChangeManagementState", "Managed");
        }
        if (mac) {
            command.put("InstallAsManaged", true); // macOS 11+: needed for ManagementFlags and ChangeManagementState
        }
        if (install.configuration() != null && !install.configuration().isEmpty()) {
            command.put("Configuration", sorted(install.configuration()));
        }
        return command(uuid, command);
    }

    public static MdmCommand removeApplication(String uuid, String bundleId) {
        NSDictionary command = request("RemoveApplication");
        command.put("Identifier", requireBundle(bundleId));
        return command(uuid, command);
    }

    /** The managed apps and their state; {@code ManagedButUninstalled} tells an app the user deleted. */
    public static MdmCommand managedApplicationList(String uuid, List<String> bundleIds) {
        NSDictionary command = request("ManagedApplicationList");
        if (!bundleIds.isEmpty()) {
            command.put("Identifiers", identifiers(bundleIds));
        }
        return command(uuid, command);
    }

    public static MdmCommand installedApplicationList(String uuid, List<String> bundleIds, boolean managedAppsOnly) {
        NSDictionary command = request("InstalledApplicationList");
        if (!bundleIds.isEmpty()) {
            command.put("Identifiers", identifiers(bundleIds));
        }
        command.put("ManagedAppsOnly", managedAppsOnly);
        return command(uuid, command);
    }

    /** The attributes Orchard keeps about a device (Shared iPad is {@code IsMultiUser}). */
    public static MdmCommand deviceInformation(String uuid) {
        NSDictionary command = request("DeviceInformation");
        command.put("Queries", identifiers(List.of("SerialNumber", "UDID", "Model", "ModelName", "ProductName",
                "OSVersion", "IsMultiUser")));
        return command(uuid, command);
    }

    /** The same command under another CommandUUID: each request to an MDM carries a UUID of its own. */
    public static MdmCommand withUuid(MdmCommand command, String uuid) {
        if (command.uuid().equals(uuid)) {
            return command;
        }
        NSDictionary root;
        try {
            root = (NSDictionary) com.dd.plist.PropertyListParser.parse(command.plist().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException("a stored command is not a plist", e);
        }
        root.put("CommandUUID", uuid);
        return new MdmCommand(uuid, command.requestType(), root.toXMLPropertyList());
    }

    private static NSDictionary request(String type) {
        NSDictionary command = new NSDictionary();
        command.put("RequestType", type);
        return command;
    }

    private static MdmCommand command(String uuid, NSDictionary command) {
        NSDictionary root = new NSDictionary();
        root.put("Command", command);
        root.put("CommandUUID", uuid);
        return new MdmCommand(uuid, command.get("RequestType").toJavaObject().toString(), root.toXMLPropertyList());
    }

    private static NSArray identifiers(List<String> values) {
        NSArray array = new NSArray(values.size());
        for (int i = 0; i < values.size(); i++) {
            array.setValue(i, requireBundle(values.get(i)));
        }
        return array;
    }

    private static String requireBundle(String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("an identifier is required");
        }
        return id.strip();
    }

    /** Configuration keys in a stable order, so the same settings always give the same bytes. */
    private static NSObject sorted(Map<String, Object> values) {
        NSDictionary dict = new NSDictionary();
        new java.util.TreeMap<>(values).forEach((k, v) -> dict.put(k, v instanceof Map<?, ?> m ? sortedAny(m) : NSObject.fromJavaObject(v)));
        return dict;
    }

    @SuppressWarnings("unchecked")
    private static NSObject sortedAny(Map<?, ?> m) {
        return sorted((Map<String, Object>) m);
    }
}
