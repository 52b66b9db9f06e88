package dev.orchard.apple.model;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** {@code eventType} of an asynchronous Apple event. */
public enum EventType {
    ASSOCIATE, DISASSOCIATE, REVOKE, CREATE, UPDATE, RETIRE, @JsonEnumDefaultValue UNKNOWN
}
