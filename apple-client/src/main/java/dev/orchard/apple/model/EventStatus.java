package dev.orchard.apple.model;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** {@code eventStatus}: an event with any failed task ends FAILED even when others succeeded. */
public enum EventStatus {
    PENDING, COMPLETE, FAILED, @JsonEnumDefaultValue UNKNOWN;

    public boolean isFinished() {
        return this == COMPLETE || this == FAILED;
    }
}
