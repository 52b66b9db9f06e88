package dev.orchard.apple;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import dev.orchard.apple.model.ErrorInfo;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** The one place that turns an HTTP answer into an {@link AppleApiException}, and caps what is quoted of a body. */
final class ResponseBodies {

    static final int MAX_QUOTED = 1024;

    private ResponseBodies() {
    }

    /**
     * Returns the exception for this answer, or empty when it is a success: a 2xx whose body has no
     * {@code errorNumber}.
     */
    static Optional<AppleApiException> error(String endpoint, int status, byte[] body, Optional<String> retryAfter,
                                             Clock clock) {
        JsonNode node = parseQuietly(body);
        JsonNode number = node == null ? null : node.get("errorNumber");
        boolean hasErrorNumber = number != null && number.isNumber();
        if (status >= 200 && status < 300 && !hasErrorNumber) {
            return Optional.empty();
        }
        String message = node == null || node.get("errorMessage") == null ? null : node.get("errorMessage").asString();
        ErrorInfo info = null;
        if (node != null && node.get("errorInfo") != null && node.get("errorInfo").isObject()) {
            try {
                info = Json.MAPPER.treeToValue(node.get("errorInfo"), ErrorInfo.class);
            } catch (JacksonException ignored) {
                // an unreadable errorInfo must not hide the error itself
            }
        }
        Instant retryAt = retryAfter.flatMap(v -> parseRetryAfter(v, clock)).orElse(null);
        String excerpt = node == null ? cap(new String(body, StandardCharsets.UTF_8)) : null;
        return Optional.of(new AppleApiException(endpoint, status, hasErrorNumber ? number.asInt() : null, message,
                info, retryAt, excerpt));
    }

    /** {@code Retry-After} as delta-seconds or as an HTTP-date (RFC 9110 §10.2.3). */
    static Optional<Instant> parseRetryAfter(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.strip();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(clock.instant().plusSeconds(Long.parseLong(v)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static JsonNode parseQuietly(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    static String cap(String text) {
        if (text == null) {
            return null;
        }
        return text.length() <= MAX_QUOTED ? text : text.substring(0, MAX_QUOTED) + "…(truncated)";
    }
}
