package dev.orchard.apple.model;

/** Sent by Apple when notification settings are saved; an empty object. */
public record TestNotification() implements NotificationPayload {
}
