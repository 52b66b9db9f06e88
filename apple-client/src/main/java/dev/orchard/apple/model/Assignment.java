package dev.orchard.apple.model;

/**
 * One license held by a device ({@code serialNumber}) or a user ({@code clientUserId}). {@code userStatus} and
 * {@code idHash} are present only when asked for with {@code includeUserState=true}.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/assignment">Apple: Assignment</a>
 */
public record Assignment(
        String adamId,
        String pricingParam,
        String serialNumber,
        String clientUserId,
        String userStatus,
        String idHash) {

    public static Assignment device(String adamId, String pricingParam, String serialNumber) {
        return new Assignment(adamId, pricingParam, serialNumber, null, null, null);
    }

    public static Assignment user(String adamId, String pricingParam, String clientUserId) {
        return new Assignment(adamId, pricingParam, null, clientUserId, null, null);
    }

    public Asset asset() {
        return new Asset(adamId, pricingParam);
    }

    /** Apple marks a user assignment by the absence of a serial number. */
    public boolean isDeviceAssignment() {
        return serialNumber != null && !serialNumber.isBlank();
    }
}
