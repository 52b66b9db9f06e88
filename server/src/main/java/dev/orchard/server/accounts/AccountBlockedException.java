package dev.orchard.server.accounts;

import java.time.Instant;

/**
 * Apple asked Orchard to wait for this account (Retry-After, or backoff after a failure); callers defer their work to
 * {@link #until()} rather than fail it. Apple did not act on the request, unless {@link #maybeDelivered()}.
 */
public class AccountBlockedException extends RuntimeException {

    private final AccountId account;
    private final Instant until;
    private final boolean maybeDelivered;

    public AccountBlockedException(AccountId account, Instant until, String reason) {
        this(account, until, reason, false);
    }

    AccountBlockedException(AccountId account, Instant until, String reason, boolean maybeDelivered) {
        super("account " + account + " is blocked until " + until + (reason == null ? "" : " (" + reason + ")"));
        this.account = account;
        this.until = until;
        this.maybeDelivered = maybeDelivered;
    }

    /**
     * True when the request went out and no answer came back (Apple unreachable, the connection lost): Apple may have
     * acted on it. False when nothing was sent, or Apple answered (a refusal: it did not act).
     */
    public boolean maybeDelivered() {
        return maybeDelivered;
    }

    public AccountId account() {
        return account;
    }

    public Instant until() {
        return until;
    }
}
