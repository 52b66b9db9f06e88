package dev.orchard.apple.model;

import java.util.List;

/**
 * What the store says about an app or book in one storefront: names, icon, current version (with the external
 * version id devices report as {@code ExternalVersionIdentifier}), device families, device-assignability and the
 * custom (B2B) flag.
 *
 * @param deviceAssignable {@code isVppDeviceBasedLicensingEnabled}; null when the source does not say
 */
public record AppMetadata(
        String adamId,
        String name,
        String bundleId,
        String artistName,
        String iconUrl,
        String version,
        String externalVersionId,
        List<String> deviceFamilies,
        String kind,
        Boolean deviceAssignable,
        boolean custom,
        String minimumOsVersion,
        String country) {

    public AppMetadata {
        deviceFamilies = deviceFamilies == null ? List.of() : List.copyOf(deviceFamilies);
    }
}
