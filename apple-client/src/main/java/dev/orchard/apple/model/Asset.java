package dev.orchard.apple.model;

import java.util.Objects;

/**
 * The key of an asset: store id and pricing ({@code STDQ} standard, {@code PLUS} high quality).
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/asset">Apple: Asset</a>
 */
public record Asset(String adamId, String pricingParam) {

    public static final String STDQ = "STDQ";
    public static final String PLUS = "PLUS";

    public Asset {
        Objects.requireNonNull(adamId, "adamId");
        if (adamId.isBlank()) {
            throw new IllegalArgumentException("adamId is blank");
        }
    }

    public static Asset standard(String adamId) {
        return new Asset(adamId, STDQ);
    }
}
