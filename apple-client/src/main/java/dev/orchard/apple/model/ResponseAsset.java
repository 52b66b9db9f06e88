package dev.orchard.apple.model;

import java.util.List;

/**
 * An asset with its license counts. Counts are null for an {@code unlimitedAssets} entry; a free app listed
 * among ordinary assets has {@code totalCount = 2147483647}.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/responseasset">Apple: ResponseAsset</a>
 */
public record ResponseAsset(
        String adamId,
        String pricingParam,
        ProductType productType,
        Integer assignedCount,
        Integer availableCount,
        Integer totalCount,
        Integer retiredCount,
        Boolean deviceAssignable,
        Boolean revocable,
        List<String> supportedPlatforms) {

    /** Apple's marker for an unlimited (free) asset listed among ordinary assets. */
    public static final int UNLIMITED_COUNT = Integer.MAX_VALUE;

    public ResponseAsset {
        supportedPlatforms = supportedPlatforms == null ? List.of() : List.copyOf(supportedPlatforms);
    }

    public Asset key() {
        return new Asset(adamId, pricingParam);
    }

    public boolean isUnlimited() {
        return totalCount == null || totalCount == UNLIMITED_COUNT;
    }

    public boolean isDeviceAssignable() {
        return Boolean.TRUE.equals(deviceAssignable);
    }

    public boolean isRevocable() {
        return Boolean.TRUE.equals(revocable);
    }
}
