package dev.orchard.apple.model;

import java.util.List;

/**
 * Progress of an associate, disassociate or revoke event: at most 100 assignments per notification; a
 * {@code FAILURE} carries one error covering the listed assignments.
 */
public record AssetManagementNotification(List<Assignment> assignments, String eventId, String result, EventType type,
                                          ErrorResponse error) implements NotificationPayload {

    public AssetManagementNotification {
        assignments = assignments == null ? List.of() : List.copyOf(assignments);
    }

    public boolean isSuccess() {
        return "SUCCESS".equals(result);
    }
}
