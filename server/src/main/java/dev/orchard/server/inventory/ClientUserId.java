package dev.orchard.server.inventory;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The id by which Orchard names a user to Apple ({@code clientUserId}): 1 to 256 printable characters, trimmed. */
public record ClientUserId(String value) implements Comparable<ClientUserId> {

    public ClientUserId {
        value = Identifiers.user(value);
    }

    @JsonCreator
    public static ClientUserId of(String value) {
        return new ClientUserId(value);
    }

    @JsonValue
    @Override
    public String value() {
        return value;
    }

    @Override
    public int compareTo(ClientUserId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
