package dev.orchard.server.accounts;

/** Events other modules react to (for example, sync starts after an account is added or renewed). */
public final class AccountEvents {

    private AccountEvents() {
    }

    /** A new account was registered and claimed. */
    public record AccountAdded(AccountId account) {
    }

    /** An account's token was replaced by a renewed one for the same location. */
    public record AccountRenewed(AccountId account) {
    }

    /** An account and everything Orchard held about it was deleted. */
    public record AccountDeleted(AccountId account, String locationUid) {
    }

    /**
     * What decides which targets the account serves changed: its state, priority, country or expiry (published inside
     * the change's transaction when there is one).
     */
    public record ServingChanged(AccountId account) {
    }
}
