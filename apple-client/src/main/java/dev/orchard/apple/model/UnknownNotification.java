package dev.orchard.apple.model;

/** A notification type this client does not know, kept as its raw JSON so it can be stored and read later. */
public record UnknownNotification(String type, String rawJson) implements NotificationPayload {
}
