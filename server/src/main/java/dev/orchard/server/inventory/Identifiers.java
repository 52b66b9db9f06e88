package dev.orchard.server.inventory;

/** Validation of the identifiers Orchard sends to Apple as serial numbers and clientUserIds. */
public final class Identifiers {

    private Identifiers() {
    }

    public static String serial(String value) {
        if (value == null || !value.strip().matches("[A-Za-z0-9-]{4,64}")) {
            throw new IllegalArgumentException("serialNumber must be 4 to 64 letters, digits or hyphens, not '" + value + "'");
        }
        return value.strip();
    }

    public static String user(String value) {
        if (value == null || value.isBlank() || value.length() > 256 || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a user id must be 1 to 256 printable characters");
        }
        return value.strip();
    }

    public static String adamId(String value) {
        if (value == null || !value.matches("\\d{1,32}")) {
            throw new IllegalArgumentException("adamId must be digits, not '" + value + "'");
        }
        return value;
    }
}
