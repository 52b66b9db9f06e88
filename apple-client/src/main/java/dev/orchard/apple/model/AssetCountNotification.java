package dev.orchard.apple.model;

/** A purchase, transfer or refund changed an asset's total by {@code countDelta}. Not sent for assignments. */
public record AssetCountNotification(String adamId, String pricingParam, int countDelta) implements NotificationPayload {

    public Asset asset() {
        return new Asset(adamId, pricingParam);
    }
}
