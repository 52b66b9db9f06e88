package dev.orchard.server.web.api;

import java.time.Instant;

import dev.orchard.server.accounts.Account;
import dev.orchard.server.accounts.AccountState;

/** An account as the API shows it: never the token, only its last characters. */
public record AccountView(
        long id,
        String name,
        String orgName,
        String locationName,
        String locationUid,
        String country,
        AccountState state,
        String lastError,
        Instant expiresAt,
        long daysLeft,
        int priority,
        Owner owner,
        boolean notificationsSubscribed,
        Instant lastContactAt,
        Instant blockedUntil,
        String blockReason,
        String tokenHint,
        Instant createdAt,
        Instant updatedAt) {

    /** The MDM Apple last reported as managing the location. */
    public record Owner(String mdmId, String name, boolean thisOrchard) {
    }

    public static AccountView of(Account a, Instant now, int warningDays, String installationId) {
        Owner owner = a.ownerMdmId() == null ? null
                : new Owner(a.ownerMdmId(), a.ownerMdmName(), a.ownerMdmId().equals(installationId));
        return new AccountView(a.id().value(), a.name(), a.orgName(), a.locationName(), a.locationUid(), a.country(),
                a.state(now, warningDays), a.lastError(), a.expiresAt(), a.daysLeft(now), a.priority(), owner,
                a.notificationsSubscribed(), a.lastContactAt(), a.isBlockedAt(now) ? a.blockedUntil() : null,
                a.isBlockedAt(now) ? a.blockReason() : null, a.tokenHint(), a.createdAt(), a.updatedAt());
    }
}
