package dev.orchard.server.system;

import java.util.Locale;

/** What an API token or user may do: viewers read, operators also act, admins also manage accounts and tokens. */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    public String authority() {
        return "ROLE_" + name();
    }

    public static Role parse(String value) {
        try {
            return Role.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("role must be one of viewer, operator, admin");
        }
    }
}
