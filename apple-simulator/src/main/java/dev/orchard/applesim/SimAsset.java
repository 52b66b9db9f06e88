package dev.orchard.applesim;

import java.util.List;
import java.util.Set;

/** One asset of a location with its counts. Mutated only under the owning location's lock. */
final class SimAsset {

    static final int UNLIMITED = Integer.MAX_VALUE;

    final String adamId;
    final String pricingParam;
    final String productType;
    final boolean deviceAssignable;
    final boolean revocable;
    final List<String> supportedPlatforms;
    final boolean unlimited;
    final CatalogEntry catalog;
    long totalCount;
    long assignedCount;
    long retiredCount;

    SimAsset(String adamId, String pricingParam, String productType, boolean deviceAssignable, boolean revocable,
             List<String> supportedPlatforms, boolean unlimited, long totalCount, CatalogEntry catalog) {
        this.adamId = adamId.intern();
        this.pricingParam = pricingParam.intern();
        this.productType = productType;
        this.deviceAssignable = deviceAssignable;
        this.revocable = revocable;
        this.supportedPlatforms = List.copyOf(supportedPlatforms);
        this.unlimited = unlimited;
        this.totalCount = unlimited ? UNLIMITED : totalCount;
        this.catalog = catalog;
    }

    String key() {
        return key(adamId, pricingParam);
    }

    static String key(String adamId, String pricingParam) {
        return adamId + "/" + pricingParam;
    }

    long available() {
        return unlimited ? UNLIMITED : Math.max(0, totalCount - assignedCount);
    }

    /** Store metadata shared by every location that owns the app. */
    record CatalogEntry(String adamId, String name, String bundleId, String version, String externalVersionId,
                        List<String> platforms, Set<String> countries, boolean custom, boolean book,
                        boolean deviceAssignable, String minimumOsVersion) {
    }
}
