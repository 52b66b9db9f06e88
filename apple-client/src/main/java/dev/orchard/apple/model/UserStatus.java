package dev.orchard.apple.model;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * State of an Apple user record. {@code Registered} has an invite code, {@code Associated} a linked Apple
 * Account, {@code Retired} is gone; {@code Deleted} is legacy.
 */
public enum UserStatus {
    Registered, Associated, Retired, Deleted, @JsonEnumDefaultValue UNKNOWN;

    public boolean isActive() {
        return this == Registered || this == Associated;
    }
}
