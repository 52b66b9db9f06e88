package dev.orchard.server.accounts;

import java.time.Instant;

/**
 * Apple asked Orchard to wait for this account (Retry-After, or backoff after a failure). Nothing was sent;
 * callers defer their work to {@link #until()} rather than fail it.
 */
public class AccountBlockedException extends RuntimeException {

    private final AccountId account;
    private final Instant until;

    public AccountBlockedException(AccountId account, Instant until, String reason) {
        super("account " + account + " is blocked until " + until + (reason == null ? "" : " (" + reason + ")"));
        this.account = account;
        this.until = until;
    }

    public AccountId account() {
        return account;
    }

    public Instant until() {
        return until;
    }
}
