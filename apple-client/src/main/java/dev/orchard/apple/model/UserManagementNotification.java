package dev.orchard.apple.model;

import java.util.List;

/** Progress of a users create, update or retire event. */
public record UserManagementNotification(String eventId, String result, EventType type, List<ResponseUser> users,
                                         ErrorResponse error) implements NotificationPayload {

    public UserManagementNotification {
        users = users == null ? List.of() : List.copyOf(users);
    }

    public boolean isSuccess() {
        return "SUCCESS".equals(result);
    }
}
