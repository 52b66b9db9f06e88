package dev.orchard.server.licensing;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code orchard.licensing.*}: how often the pass looks for recorded changes when no wake-up reached it, how often a
 * full pass runs as a safety net, how long a reclaim waits (and can be cancelled) before it is sent, and whether
 * retiring a user's last device also reclaims the user's user-based licenses (rule R4b).
 */
@ConfigurationProperties("orchard.licensing")
public record LicensingProperties(@DefaultValue("10m") Duration passInterval, @DefaultValue("24h") Duration fullPassInterval,
                                  @DefaultValue("0s") Duration reclaimGrace,
                                  @DefaultValue("false") boolean reclaimUserLicensesWithoutDevices) {
    public LicensingProperties {
        if (passInterval.isNegative() || passInterval.isZero()) {
            throw new IllegalArgumentException("orchard.licensing.pass-interval must be positive");
        }
        if (fullPassInterval.isNegative() || fullPassInterval.isZero()) {
            throw new IllegalArgumentException("orchard.licensing.full-pass-interval must be positive");
        }
        if (reclaimGrace.isNegative()) {
            throw new IllegalArgumentException("orchard.licensing.reclaim-grace must not be negative");
        }
    }
}
