package dev.orchard.applesim;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonInclude;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** JSON and date helpers of the simulator. */
final class SimJson {

    static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .changeDefaultPropertyInclusion(v -> v.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();

    private static final DateTimeFormatter APPLE_DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ", Locale.ROOT).withZone(ZoneOffset.UTC);

    private SimJson() {
    }

    /** Apple's date form, {@code 2030-11-08T22:33:22+0000}. */
    static String appleDate(Instant instant) {
        return APPLE_DATE.format(instant);
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
