package dev.orchard.apple.model;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** {@code productType} of an asset. */
public enum ProductType {
    App, Book, @JsonEnumDefaultValue UNKNOWN
}
