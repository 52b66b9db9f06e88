package dev.orchard.apple.model;

import java.util.List;

/** Users accepted their invitation and now have a linked Apple Account. */
public record UserAssociatedNotification(List<ResponseUser> associatedUsers) implements NotificationPayload {

    public UserAssociatedNotification {
        associatedUsers = associatedUsers == null ? List.of() : List.copyOf(associatedUsers);
    }
}
