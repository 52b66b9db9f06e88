package dev.orchard.apple.model;

/**
 * A notification Apple POSTs to the MDM: the envelope ({@code notificationId} for de-duplication, the location's
 * {@code uId}, the type) and its typed payload.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/subscribing-to-notifications">Apple: Subscribing to notifications</a>
 */
public record AppleNotification(String notificationId, String notificationType, String uId,
                                NotificationPayload payload) {
}
