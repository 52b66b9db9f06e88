package dev.orchard.server.alerts;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

import org.springframework.stereotype.Component;

import dev.orchard.server.system.Retention;
import dev.orchard.server.system.RetentionProperties;

/**
 * Deletes resolved alerts older than {@code orchard.alerts.keep-resolved} (their deliveries go with them) and pool
 * samples older than the forecast needs.
 */
@Component
class AlertRetention implements Retention {

    private final AlertStore store;
    private final PoolSamples samples;
    private final AlertsProperties properties;

    AlertRetention(AlertStore store, PoolSamples samples, AlertsProperties properties) {
        this.store = store;
        this.samples = samples;
        this.properties = properties;
    }

    @Override
    public String what() {
        return "alerts";
    }

    @Override
    public int prune(Instant now, int limit) {
        int n = RetentionProperties.prunes(properties.keepResolved())
                ? store.pruneResolvedBefore(now.minus(properties.keepResolved()), limit) : 0;
        if (n < limit) {
            samples.pruneBefore(LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(PoolSamples.KEEP_DAYS));
        }
        return n;
    }
}
