package dev.orchard.server.inventory;

/**
 * How an app is licensed and installed. Device-based by default; {@code installOnRegistration} is rule R12's
 * "send installation request on device registration or sign-in"; {@code removeOnUnenroll} and {@code preventBackup}
 * become the install command's {@code ManagementFlags} (1 and 4).
 */
public record AppSettings(String adamId, LicenseType licenseType, boolean autoInstall, boolean installOnRegistration,
                          boolean autoUpdate, boolean removeOnUnenroll, boolean preventBackup) {

    public enum LicenseType { DEVICE, USER }

    public AppSettings {
        adamId = Identifiers.adamId(adamId);
        licenseType = licenseType == null ? LicenseType.DEVICE : licenseType;
    }

    public static AppSettings defaults(String adamId) {
        return new AppSettings(adamId, LicenseType.DEVICE, true, false, false, true, false);
    }

    /** Apple's {@code ManagementFlags} bits. */
    public int managementFlags() {
        return (removeOnUnenroll ? 1 : 0) | (preventBackup ? 4 : 0);
    }
}
