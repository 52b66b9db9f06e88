package dev.orchard.server.inventory;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** An App Store product's id (Apple's {@code adamId}): 1 to 32 digits. */
public record AdamId(String value) implements Comparable<AdamId> {

    public AdamId {
        value = Identifiers.adamId(value);
    }

    @JsonCreator
    public static AdamId of(String value) {
        return new AdamId(value);
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    @Override
    public int compareTo(AdamId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
