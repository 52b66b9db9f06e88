package dev.orchard.server.mdm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;

/** The auto-update maintenance window (R9), including one that spans midnight, and its validation. */
class MdmPropertiesTests {

    private static MdmProperties window(String w, String zone) {
        Duration d = Duration.ofMinutes(1);
        return new MdmProperties(Duration.ofDays(1), Duration.ofSeconds(30), true, d, Duration.ofHours(1), Duration.ofDays(3),
                d, w, ZoneId.of(zone), Duration.ofMinutes(15), 5, 100);
    }

    @Test
    void aWindowInTheConfiguredZone() {
        var p = window("01:00-05:00", "Europe/Berlin");
        assertThat(p.inAutoUpdateWindow(Instant.parse("2026-11-28T00:30:00Z"))).isTrue(); // 01:30 in Berlin
        assertThat(p.inAutoUpdateWindow(Instant.parse("2026-11-28T04:00:00Z"))).isFalse(); // 05:00 in Berlin: the end is excluded
        assertThat(p.inAutoUpdateWindow(Instant.parse("2026-11-27T23:59:00Z"))).isFalse();
    }

    @Test
    void aWindowAcrossMidnight() {
        var p = window("22:00-02:00", "UTC");
        assertThat(p.inAutoUpdateWindow(Instant.parse("2026-11-28T23:00:00Z"))).isTrue();
        assertThat(p.inAutoUpdateWindow(Instant.parse("2026-11-28T01:59:00Z"))).isTrue();
        assertThat(p.inAutoUpdateWindow(Instant.parse("2026-11-28T12:00:00Z"))).isFalse();
    }

    @Test
    void noWindowMeansNeverAndABadOneIsRefused() {
        assertThat(window("", "UTC").inAutoUpdateWindow(Instant.parse("2026-11-28T01:00:00Z"))).isFalse();
        assertThatThrownBy(() -> window("1am-5am", "UTC")).hasMessageContaining("01:00-05:00");
        assertThatThrownBy(() -> window("03:00-03:00", "UTC")).hasMessageContaining("auto-update-window");
    }
}
