package dev.orchard.server.mdm;

import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code orchard.mdm.*}.
 *
 * @param appListInterval     how often each enrolled device is asked for its managed apps (to see removals, R4c)
 * @param confirmInstallAfter how long after an install is acknowledged Orchard asks for the app list to confirm it
 * @param retireOnCheckOut    whether a device that unenrolls (check-out) is retired, reclaiming its licenses (R4b)
 * @param firstRetry          first wait after a delivery the MDM did not take; doubles up to {@code maxRetry}
 * @param maxRetry            longest wait between delivery attempts
 * @param giveUpAfter         a command not delivered this long after it was queued fails
 * @param sweepInterval       how often installs due, app lists due and auto-updates are looked for
 * @param autoUpdateWindow    maintenance window {@code HH:mm-HH:mm} in which outdated apps set to auto-update are
 *                            updated (R9); empty = never automatically
 * @param zone                the zone of the maintenance window
 * @param silenceAfter        how long Orchard waits for what a device should have sent (the end of an enrolment it
 *                            started, a result of a command the MDM took, its app list) before it asks the device
 *                            again and shows it as waiting for the MDM; NanoMDM never resends a lost event
 * @param maxAsks             how many times a silent device is asked again (each wait twice the one before)
 * @param asksPerSweep        how many silent devices one sweep asks at most (the re-query rate is bounded)
 */
@ConfigurationProperties("orchard.mdm")
public record MdmProperties(@DefaultValue("1d") Duration appListInterval, @DefaultValue("30s") Duration confirmInstallAfter,
                            @DefaultValue("true") boolean retireOnCheckOut, @DefaultValue("30s") Duration firstRetry,
                            @DefaultValue("1h") Duration maxRetry, @DefaultValue("3d") Duration giveUpAfter,
                            @DefaultValue("1m") Duration sweepInterval, @DefaultValue("") String autoUpdateWindow,
                            @DefaultValue("UTC") ZoneId zone, @DefaultValue("15m") Duration silenceAfter,
                            @DefaultValue("5") int maxAsks, @DefaultValue("100") int asksPerSweep) {

    public MdmProperties {
        if (maxAsks < 0 || asksPerSweep < 1) {
            throw new IllegalArgumentException("orchard.mdm.max-asks must be 0 or more and orchard.mdm.asks-per-sweep 1 or more");
        }
        for (Duration d : new Duration[] {appListInterval, firstRetry, maxRetry, giveUpAfter, sweepInterval, silenceAfter}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("orchard.mdm durations must be positive");
            }
        }
        if (confirmInstallAfter.isNegative()) {
            throw new IllegalArgumentException("orchard.mdm.confirm-install-after must not be negative");
        }
        if (!autoUpdateWindow.isBlank()) {
            window(autoUpdateWindow); // validates
        }
    }

    /** Whether {@code at} falls in the auto-update window (which may span midnight). */
    public boolean inAutoUpdateWindow(java.time.Instant at) {
        if (autoUpdateWindow.isBlank()) {
            return false;
        }
        LocalTime[] w = window(autoUpdateWindow);
        LocalTime t = ZonedDateTime.ofInstant(at, zone).toLocalTime();
        return w[0].isBefore(w[1]) ? !t.isBefore(w[0]) && t.isBefore(w[1]) : !t.isBefore(w[0]) || t.isBefore(w[1]);
    }

    private static LocalTime[] window(String value) {
        String[] parts = value.strip().split("-");
        try {
            if (parts.length != 2) {
                throw new IllegalArgumentException();
            }
            LocalTime from = LocalTime.parse(parts[0].strip());
            LocalTime to = LocalTime.parse(parts[1].strip());
            if (from.equals(to)) {
                throw new IllegalArgumentException();
            }
            return new LocalTime[] {from, to};
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("orchard.mdm.auto-update-window must look like 01:00-05:00, not '" + value + "'");
        }
    }
}
