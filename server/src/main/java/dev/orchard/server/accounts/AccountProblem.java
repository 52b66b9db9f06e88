package dev.orchard.server.accounts;

/**
 * A request about accounts that cannot be carried out, with a stable kind the web layer maps to a problem type.
 * The message says what to do next and never contains a token.
 */
public class AccountProblem extends RuntimeException {

    /** Why; each has one HTTP status and problem type. */
    public enum Kind {
        INVALID_TOKEN, TOKEN_EXPIRED, TOKEN_REVOKED, TOKEN_REJECTED, LOCATION_ALREADY_REGISTERED,
        CLAIMED_BY_OTHER_MDM, DIFFERENT_LOCATION, HAS_LICENSES, NOT_FOUND, APPLE_UNAVAILABLE, INVALID_INPUT
    }

    private final Kind kind;
    private final transient Object detail;

    public AccountProblem(Kind kind, String message) {
        this(kind, message, null);
    }

    public AccountProblem(Kind kind, String message, Object detail) {
        super(message);
        this.kind = kind;
        this.detail = detail;
    }

    public Kind kind() {
        return kind;
    }

    /** Extra machine-readable detail (an id, a count, a time), or null. */
    public Object detail() {
        return detail;
    }
}
