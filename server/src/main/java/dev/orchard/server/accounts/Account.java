package dev.orchard.server.accounts;

import java.time.Duration;
import java.time.Instant;

/** A license account as Orchard knows it. Never carries the token itself, only a masked hint. */
public record Account(
        AccountId id,
        String name,
        String orgName,
        String locationName,
        String locationUid,
        String country,
        String defaultPlatform,
        String websiteUrl,
        String tokenHint,
        Instant expiresAt,
        int priority,
        AccountState recordedState,
        String lastError,
        String ownerMdmId,
        String ownerMdmName,
        boolean notificationsSubscribed,
        String notificationKey,
        Instant lastContactAt,
        Instant blockedUntil,
        String blockReason,
        int backoffFailures,
        Instant createdAt,
        Instant updatedAt) {

    /** The state to show now: a block or a near expiry overrides ACTIVE; a passed expiry means EXPIRED. */
    public AccountState state(Instant now, int expiryWarningDays) {
        if (recordedState == AccountState.ACTIVE) {
            if (!now.isBefore(expiresAt)) {
                return AccountState.EXPIRED;
            }
            if (isBlockedAt(now)) {
                return AccountState.BLOCKED;
            }
            if (expiresAt.isBefore(now.plus(Duration.ofDays(expiryWarningDays)))) {
                return AccountState.EXPIRING;
            }
        }
        return recordedState;
    }

    public boolean isBlockedAt(Instant now) {
        return blockedUntil != null && blockedUntil.isAfter(now);
    }

    /** Whole days until the token expires (negative once expired). */
    public long daysLeft(Instant now) {
        return Math.floorDiv(Duration.between(now, expiresAt).toHours(), 24);
    }
}
