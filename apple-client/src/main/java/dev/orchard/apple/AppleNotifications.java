package dev.orchard.apple;

import dev.orchard.apple.model.AppleNotification;
import dev.orchard.apple.model.AssetCountNotification;
import dev.orchard.apple.model.AssetManagementNotification;
import dev.orchard.apple.model.NotificationPayload;
import dev.orchard.apple.model.NotificationType;
import dev.orchard.apple.model.TestNotification;
import dev.orchard.apple.model.UnknownNotification;
import dev.orchard.apple.model.UserAssociatedNotification;
import dev.orchard.apple.model.UserManagementNotification;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads the body of a notification Apple POSTs to the MDM. Unknown types are kept raw so a receiver can store
 * them and move on.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/subscribing-to-notifications">Apple: Subscribing to notifications</a>
 */
public final class AppleNotifications {

    private AppleNotifications() {
    }

    /** @throws IllegalArgumentException when the body is not JSON or lacks the envelope's fields */
    public static AppleNotification parse(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("notification body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("notification body is not a JSON object");
        }
        String id = text(root, "notificationId");
        String type = text(root, "notificationType");
        if (id == null || id.isBlank() || type == null || type.isBlank()) {
            throw new IllegalArgumentException("notification lacks notificationId or notificationType");
        }
        JsonNode payload = root.get("notification");
        if (payload == null || payload.isNull()) {
            payload = Json.MAPPER.createObjectNode();
        }
        if (!payload.isObject()) {
            throw new IllegalArgumentException("notification payload is not an object");
        }
        try {
            return new AppleNotification(id, type, text(root, "uId"), payload(type, payload));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("notification payload of type " + type + " is malformed: "
                    + ResponseBodies.cap(e.getOriginalMessage()));
        }
    }

    private static NotificationPayload payload(String type, JsonNode payload) {
        return switch (type) {
            case NotificationType.ASSET_COUNT -> Json.MAPPER.treeToValue(payload, AssetCountNotification.class);
            case NotificationType.ASSET_MANAGEMENT -> Json.MAPPER.treeToValue(payload, AssetManagementNotification.class);
            case NotificationType.USER_MANAGEMENT -> Json.MAPPER.treeToValue(payload, UserManagementNotification.class);
            case NotificationType.USER_ASSOCIATED -> Json.MAPPER.treeToValue(payload, UserAssociatedNotification.class);
            case NotificationType.TEST_NOTIFICATION -> new TestNotification();
            default -> new UnknownNotification(type, payload.toString());
        };
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }
}
