package dev.orchard.apple.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Filters of {@code GET assets}; null means "not filtered". {@code unlimited=true} lists free assets
 * separately, {@code false} leaves them out, null mixes them in with {@code totalCount = 2147483647}.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/get-assets-4ski1">Apple: Get Assets</a>
 */
public record AssetQuery(
        String adamId,
        String pricingParam,
        ProductType productType,
        Boolean revocable,
        Boolean deviceAssignable,
        Integer minAvailableCount,
        Integer maxAvailableCount,
        Integer minAssignedCount,
        Integer maxAssignedCount,
        Boolean unlimited) {

    public static AssetQuery all() {
        return new AssetQuery(null, null, null, null, null, null, null, null, null, null);
    }

    public static AssetQuery of(Asset asset) {
        return all().withAsset(asset);
    }

    public AssetQuery withAsset(Asset asset) {
        return new AssetQuery(asset.adamId(), asset.pricingParam(), productType, revocable, deviceAssignable,
                minAvailableCount, maxAvailableCount, minAssignedCount, maxAssignedCount, unlimited);
    }

    public AssetQuery withProductType(ProductType type) {
        return new AssetQuery(adamId, pricingParam, type, revocable, deviceAssignable,
                minAvailableCount, maxAvailableCount, minAssignedCount, maxAssignedCount, unlimited);
    }

    public AssetQuery withUnlimited(Boolean value) {
        return new AssetQuery(adamId, pricingParam, productType, revocable, deviceAssignable,
                minAvailableCount, maxAvailableCount, minAssignedCount, maxAssignedCount, value);
    }

    public AssetQuery withDeviceAssignable(Boolean value) {
        return new AssetQuery(adamId, pricingParam, productType, revocable, value,
                minAvailableCount, maxAvailableCount, minAssignedCount, maxAssignedCount, unlimited);
    }

    public AssetQuery withAvailableCount(Integer min, Integer max) {
        return new AssetQuery(adamId, pricingParam, productType, revocable, deviceAssignable,
                min, max, minAssignedCount, maxAssignedCount, unlimited);
    }

    public Map<String, String> parameters() {
        var p = new LinkedHashMap<String, String>();
        put(p, "adamId", adamId);
        put(p, "pricingParam", pricingParam);
        put(p, "productType", productType);
        put(p, "revocable", revocable);
        put(p, "deviceAssignable", deviceAssignable);
        put(p, "minAvailableCount", minAvailableCount);
        put(p, "maxAvailableCount", maxAvailableCount);
        put(p, "minAssignedCount", minAssignedCount);
        put(p, "maxAssignedCount", maxAssignedCount);
        put(p, "unlimited", unlimited);
        return p;
    }

    static void put(Map<String, String> p, String name, Object value) {
        if (value != null) {
            p.put(name, value.toString());
        }
    }
}
