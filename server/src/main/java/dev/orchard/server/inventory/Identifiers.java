package dev.orchard.server.inventory;

/** Validation of the identifiers Orchard sends to Apple as serial numbers and clientUserIds. */
public final class Identifiers {

    private Identifiers() {
    }

    /**
     * A serial number as Orchard keeps it: 4 to 64 letters, digits or hyphens, upper-cased (Apple and MDMs report
     * serials upper-case; {@code c02abc} typed into the API is the device {@code C02ABC}).
     */
    public static String serial(String value) {
        if (value == null || !value.strip().matches("[A-Za-z0-9-]{4,64}")) {
            throw new IllegalArgumentException("serialNumber must be 4 to 64 letters, digits or hyphens, not '" + value + "'");
        }
        return normalSerial(value);
    }

    /** The stored spelling of a serial number, without validating it (for lookups and what Apple or an MDM sends). */
    public static String normalSerial(String value) {
        return value == null ? null : value.strip().toUpperCase(java.util.Locale.ROOT);
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
