package dev.orchard.apple;

import java.util.Map;

/**
 * The request limits Apple publishes in {@code service/config → limits}. Apple's documented example values are
 * the defaults, used for any limit Apple leaves out or sends as zero or negative.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/service-config">Apple: Service config</a>
 */
public record ServiceLimits(
        int maxAssets,
        int maxClientUserIds,
        int maxSerialNumbers,
        int maxRevokeClientUserIds,
        int maxRevokeSerialNumbers,
        int maxUsers,
        int maxRequestPerSecond,
        int maxNotificationLength,
        int maxMdmIdLength,
        int maxMdmNameLength,
        int maxMdmMetadataLength) {

    public static final ServiceLimits DEFAULTS = new ServiceLimits(25, 1000, 1000, 100, 100, 100, 15, 512, 100, 100, 255);

    public ServiceLimits {
        requirePositive(maxAssets, "maxAssets");
        requirePositive(maxClientUserIds, "maxClientUserIds");
        requirePositive(maxSerialNumbers, "maxSerialNumbers");
        requirePositive(maxRevokeClientUserIds, "maxRevokeClientUserIds");
        requirePositive(maxRevokeSerialNumbers, "maxRevokeSerialNumbers");
        requirePositive(maxUsers, "maxUsers");
        requirePositive(maxRequestPerSecond, "maxRequestPerSecond");
    }

    /** Reads Apple's open-ended {@code limits} map, falling back to {@link #DEFAULTS} per key. */
    public static ServiceLimits from(Map<String, Integer> limits) {
        Map<String, Integer> m = limits == null ? Map.of() : limits;
        ServiceLimits d = DEFAULTS;
        return new ServiceLimits(
                pick(m, "maxAssets", d.maxAssets),
                pick(m, "maxClientUserIds", d.maxClientUserIds),
                pick(m, "maxSerialNumbers", d.maxSerialNumbers),
                pick(m, "maxRevokeClientUserIds", d.maxRevokeClientUserIds),
                pick(m, "maxRevokeSerialNumbers", d.maxRevokeSerialNumbers),
                pick(m, "maxUsers", d.maxUsers),
                pick(m, "maxRequestPerSecond", d.maxRequestPerSecond),
                pick(m, "maxNotificationLength", d.maxNotificationLength),
                pick(m, "maxMdmIdLength", d.maxMdmIdLength),
                pick(m, "maxMdmNameLength", d.maxMdmNameLength),
                pick(m, "maxMdmMetadataLength", d.maxMdmMetadataLength));
    }

    private static int pick(Map<String, Integer> m, String key, int fallback) {
        Integer v = m.get(key);
        return v == null || v <= 0 ? fallback : v;
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
