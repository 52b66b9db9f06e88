package dev.orchard.apple.model;

/** The {@code notification} object of an Apple notification, one record per documented type. */
public sealed interface NotificationPayload
        permits AssetCountNotification, AssetManagementNotification, UserManagementNotification,
        UserAssociatedNotification, TestNotification, UnknownNotification {
}
