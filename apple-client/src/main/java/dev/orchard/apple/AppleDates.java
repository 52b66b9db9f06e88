package dev.orchard.apple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * Apple's date format for {@code expDate} and {@code tokenExpirationDate}: ISO-8601 with an offset written
 * without a colon, for example {@code 2030-11-08T22:33:22+0000}. Parsing also accepts the colon and {@code Z}
 * forms, since Apple's older documents use {@code -0700} and clients see both.
 */
public final class AppleDates {

    private static final DateTimeFormatter APPLE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ", Locale.ROOT).withZone(ZoneOffset.UTC);

    private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .toFormatter(Locale.ROOT);

    private AppleDates() {
    }

    /** Parses an Apple date; throws {@link IllegalArgumentException} naming the bad value. */
    public static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("date is missing");
        }
        try {
            return OffsetDateTime.parse(text.strip(), LENIENT).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an Apple date (expected like 2030-11-08T22:33:22+0000): "
                    + abbreviate(text), e);
        }
    }

    /** Parses an optional Apple date: empty when absent or unreadable (Apple treats the field as advisory). */
    public static Optional<Instant> parseOptional(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Formats an instant the way Apple writes it, in UTC with {@code +0000}. */
    public static String format(Instant instant) {
        return APPLE.format(instant);
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
