package dev.orchard.server.accounts;

/**
 * What an administrator needs to know about an account at a glance. {@code EXPIRING} and {@code BLOCKED} are
 * derived from the expiry and the Retry-After block; the others are recorded.
 */
public enum AccountState {
    /** Usable. */
    ACTIVE,
    /** Usable, but the token expires within the warning period: renew it. */
    EXPIRING,
    /** Apple said the token expired (9621) or its expiry passed: upload a renewed token. */
    EXPIRED,
    /** Apple revoked the token (9625), usually because a new one was downloaded: upload the new token. */
    REVOKED,
    /** Another MDM claimed the location: Orchard stopped writing to Apple until an admin takes it back. */
    CLAIMED_BY_OTHER,
    /** Apple asked Orchard to wait (Retry-After or backoff): calls resume automatically at the time given. */
    BLOCKED,
    /** The last contact failed in a way that needs attention; see the last error. */
    ERROR,
    /** Being deleted: its licenses are being revoked first. */
    DELETING;

    /** Recorded states, as stored; the derived ones are never stored. */
    boolean isStored() {
        return this != EXPIRING && this != BLOCKED;
    }
}
