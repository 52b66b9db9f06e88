package dev.orchard.server.alerts;

import java.time.Instant;

/**
 * An alert: raised when its cause appeared, open while it lasts ({@code resolvedAt} null), resolved when it is gone.
 * {@code notifiedAt}: when a notice was last queued for it (null: nobody was told yet — muted, or no channel).
 */
public record Alert(long id, AlertRule rule, String subject, Condition.Severity severity, String stage, String title,
                    String detail, String link, Instant raisedAt, Instant updatedAt, Instant notifiedAt, Instant resolvedAt) {

    public boolean open() {
        return resolvedAt == null;
    }

    String key() {
        return rule + ":" + subject;
    }
}
