package dev.orchard.server.inventory;

/** Validation of the identifiers Orchard sends to Apple as serial numbers and clientUserIds. */
public final class Identifiers {

    private Identifiers() {
    }

    // compiled once: String.matches compiles its pattern on every call, and every device and label target read from
    // the database passes through here (it was a twentieth of the test suite's CPU)
    private static final java.util.regex.Pattern SERIAL = java.util.regex.Pattern.compile("[A-Za-z0-9-]{4,64}");
    private static final java.util.regex.Pattern ADAM_ID = java.util.regex.Pattern.compile("\\d{1,32}");

    /**
     * A serial number as Orchard keeps it: 4 to 64 letters, digits or hyphens, upper-cased (Apple and MDMs report
     * serials upper-case; {@code c02abc} typed into the API is the device {@code C02ABC}).
     */
    public static String serial(String value) {
        if (value == null || !SERIAL.matcher(value.strip()).matches()) {
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
        if (value == null || !ADAM_ID.matcher(value).matches()) {
            throw new IllegalArgumentException("adamId must be digits, not '" + value + "'");
        }
        return value;
    }
}
