package dev.orchard.apple.model;

/** Notification types Orchard understands; Apple may send others, which parse as {@link UnknownNotification}. */
public final class NotificationType {

    public static final String ASSET_COUNT = "ASSET_COUNT";
    public static final String ASSET_MANAGEMENT = "ASSET_MANAGEMENT";
    public static final String USER_MANAGEMENT = "USER_MANAGEMENT";
    public static final String USER_ASSOCIATED = "USER_ASSOCIATED";
    public static final String TEST_NOTIFICATION = "TEST_NOTIFICATION";

    private NotificationType() {
    }
}
