package dev.orchard.server.accounts;

/** Orchard's id of a license account. */
public record AccountId(long value) {

    public AccountId {
        if (value <= 0) {
            throw new IllegalArgumentException("account id must be positive");
        }
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
