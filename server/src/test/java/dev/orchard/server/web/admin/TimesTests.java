package dev.orchard.server.web.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Times and durations in words, as the pages show them. */
class TimesTests {

    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    final Times times = new Times(Clock.fixed(NOW, ZoneOffset.UTC), "Europe/Berlin");

    @Test
    void aTimeIsShownInTheConfiguredZoneWithItsAge() {
        assertThat(times.when(Instant.parse("2026-11-28T09:57:00Z"))).isEqualTo("28 Nov 2026, 10:57 CET · 3 min ago");
        assertThat(times.when(Timestamp.from(Instant.parse("2026-11-28T07:00:00Z")))).endsWith("· 3 h ago");
        assertThat(times.when("2026-11-28T09:59:50.123456Z")).endsWith("· just now");
        assertThat(times.when("2026-11-28T10:00:10Z")).endsWith("· in a moment");
        assertThat(times.when("2026-12-01T10:00:00Z")).endsWith("· in 3 days");
        assertThat(times.when(null)).isEmpty();
        assertThat(times.when("not a time")).isEqualTo("not a time");
        assertThat(times.iso(Instant.parse("2026-11-28T09:57:00Z"))).isEqualTo("2026-11-28T09:57:00Z");
    }

    @ParameterizedTest
    @CsvSource({"PT30M, 30 minutes", "PT1M, 1 minute", "PT24H, 1 day", "P2D, 2 days", "PT2H, 2 hours", "PT45S, 45 seconds",
            "PT2H5M, 2 h 5 min", "PT1M30S, 1 min 30 s", "PT0S, 0 seconds"})
    void aDurationIsSaidInWords(String iso, String words) {
        assertThat(times.duration(iso)).isEqualTo(words);
        assertThat(times.duration(Duration.parse(iso))).isEqualTo(words);
    }
}
