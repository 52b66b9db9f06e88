package dev.orchard.server.inventory;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A device's serial number as Orchard keeps it: upper-case (Apple and MDMs report serials so; {@code c02abc} is the
 * device {@code C02ABC}), 1 to 64 printable characters without spaces. This is what Orchard accepts from Apple and
 * MDMs; what an administrator types is held to the stricter form of {@link Identifiers#serial}.
 */
public record SerialNumber(String value) implements Comparable<SerialNumber> {

    public SerialNumber {
        if (value == null) {
            throw new IllegalArgumentException("a serial number is required");
        }
        value = value.strip().toUpperCase(Locale.ROOT);
        if (value.isEmpty() || value.length() > 64 || value.chars().anyMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c))) {
            throw new IllegalArgumentException("a serial number must be 1 to 64 printable characters without spaces, not '" + value + "'");
        }
    }

    @JsonCreator
    public static SerialNumber of(String value) {
        return new SerialNumber(value);
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    @Override
    public int compareTo(SerialNumber other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
