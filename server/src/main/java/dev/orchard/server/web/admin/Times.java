package dev.orchard.server.web.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Times and durations as people read them, for the pages ({@code ${@times.when(x)}}): "28 Nov 2026, 10:00 UTC"
 * with its age ("3 min ago", "in 2 h"), durations in words ("30 minutes", "1 day"). Times are shown in
 * {@code orchard.ui.time-zone} (the server's zone by default); the age is measured on Orchard's clock.
 */
@Component("times")
public class Times {

    private static final DateTimeFormatter DAY_AND_TIME = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm z", Locale.ENGLISH);

    private final Clock clock;
    private final ZoneId zone;

    Times(Clock clock, @Value("${orchard.ui.time-zone:}") String zone) {
        this.clock = clock;
        this.zone = zone == null || zone.isBlank() ? ZoneId.systemDefault() : ZoneId.of(zone);
    }

    /** The zone the pages show times in. */
    public ZoneId zone() {
        return zone;
    }

    /** "28 Nov 2026, 10:00 UTC · 3 min ago"; empty for null; the text as given when it is not a time. */
    public String when(Object time) {
        Instant t = instant(time);
        if (t == null) {
            return time == null ? "" : time.toString();
        }
        return at(t) + " · " + age(t);
    }

    /** "28 Nov 2026, 10:00 UTC" without the age. */
    public String at(Object time) {
        Instant t = instant(time);
        return t == null ? (time == null ? "" : time.toString()) : DAY_AND_TIME.format(t.atZone(zone));
    }

    /** "just now", "3 min ago", "in 2 h", "5 days ago". */
    public String ago(Object time) {
        Instant t = instant(time);
        return t == null ? "" : age(t);
    }

    /** The ISO-8601 form, for a {@code <time datetime>} attribute and for sorting, never shown as text. */
    public String iso(Object time) {
        Instant t = instant(time);
        return t == null ? "" : t.toString();
    }

    /** "30 minutes", "1 day", "2 h 5 min", "45 seconds"; accepts a Duration or its ISO form ("PT30M"). */
    public String duration(Object value) {
        Duration d = value instanceof Duration x ? x : parseDuration(value);
        if (d == null) {
            return value == null ? "" : value.toString();
        }
        long s = d.abs().toSeconds();
        if (s < 60) {
            return plural(s, "second");
        }
        if (s % 86_400 == 0) {
            return plural(s / 86_400, "day");
        }
        if (s % 3_600 == 0) {
            return plural(s / 3_600, "hour");
        }
        if (s < 3_600 && s % 60 == 0) {
            return plural(s / 60, "minute");
        }
        long h = s / 3_600;
        long m = s % 3_600 / 60;
        return (h > 0 ? h + " h " : "") + m + " min" + (s % 60 == 0 || h > 0 ? "" : " " + s % 60 + " s");
    }

    private String age(Instant t) {
        long s = Duration.between(t, clock.instant()).toSeconds();
        boolean future = s < 0;
        s = Math.abs(s);
        if (s < 45) {
            return future ? "in a moment" : "just now";
        }
        String span;
        if (s < 3_600) {
            span = Math.max(1, Math.round(s / 60.0)) + " min";
        } else if (s < 86_400) {
            span = Math.round(s / 3_600.0) + " h";
        } else {
            span = plural(Math.round(s / 86_400.0), "day");
        }
        return future ? "in " + span : span + " ago";
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    static Instant instant(Object time) {
        if (time == null) {
            return null;
        }
        if (time instanceof Instant i) {
            return i;
        }
        if (time instanceof java.sql.Timestamp ts) {
            return ts.toInstant();
        }
        if (time instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (time instanceof ZonedDateTime z) {
            return z.toInstant();
        }
        if (time instanceof LocalDateTime l) {
            return l.atZone(ZoneId.systemDefault()).toInstant();
        }
        if (time instanceof java.util.Date date) {
            return date.toInstant();
        }
        if (time instanceof CharSequence cs) {
            String s = cs.toString().strip();
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException notInstant) {
                try {
                    return OffsetDateTime.parse(s).toInstant();
                } catch (DateTimeParseException notOffset) {
                    return null;
                }
            }
        }
        return null;
    }

    private static Duration parseDuration(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return Duration.parse(value.toString().strip());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
