package dev.orchard.server.inventory;

import java.util.Locale;

/** A device platform. Apple lists iPadOS apps under "iOS" in an asset's supported platforms. */
public enum Platform {
    IOS("iOS"), IPADOS("iOS"), MACOS("macOS"), TVOS("tvOS"), VISIONOS("visionOS");

    private final String applePlatform;

    Platform(String applePlatform) {
        this.applePlatform = applePlatform;
    }

    /** The name Apple uses in {@code supportedPlatforms}. */
    public String applePlatform() {
        return applePlatform;
    }

    public static Platform parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("platform is required (iOS, iPadOS, macOS, tvOS or visionOS)");
        }
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown platform '" + value + "' (iOS, iPadOS, macOS, tvOS or visionOS)");
        }
    }
}
