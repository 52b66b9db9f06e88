package dev.orchard.server.alerts;

import java.time.Instant;

/**
 * A place alert notices go. An e-mail channel has its recipients; a webhook's URL is stored encrypted and shown only as
 * a hint (Slack's and Teams' URLs carry their own secret), and a generic webhook's signing secret is never shown.
 */
public record AlertChannel(long id, String name, Kind kind, String recipients, String urlHint, boolean hasSecret,
                           boolean enabled, Instant createdAt, Instant updatedAt) {

    /** How a notice is sent. */
    public enum Kind {
        /** E-mail through the configured SMTP server ({@code orchard.alerts.mail.*}) to the channel's recipients. */
        EMAIL,
        /** A JSON POST signed with HMAC-SHA256 ({@code X-Orchard-Signature}) when the channel has a secret. */
        WEBHOOK,
        /** A Slack incoming webhook (Block Kit message). */
        SLACK,
        /** A Microsoft Teams workflow webhook (Adaptive Card message). */
        TEAMS;

        public static Kind parse(String name) {
            for (Kind k : values()) {
                if (k.name().equalsIgnoreCase(name == null ? "" : name.strip())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("kind must be one of EMAIL, WEBHOOK, SLACK, TEAMS");
        }
    }
}
