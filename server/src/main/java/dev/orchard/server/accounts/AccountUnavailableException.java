package dev.orchard.server.accounts;

/** The account cannot be used for this call (expired or revoked token, claimed by another MDM, being deleted). */
public class AccountUnavailableException extends RuntimeException {

    private final AccountId account;
    private final AccountState state;

    public AccountUnavailableException(AccountId account, AccountState state, String message) {
        super(message);
        this.account = account;
        this.state = state;
    }

    public AccountId account() {
        return account;
    }

    public AccountState state() {
        return state;
    }
}
