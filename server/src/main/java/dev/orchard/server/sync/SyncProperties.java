package dev.orchard.server.sync;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param interval     how often every account is reconciled with Apple (rule R5: 30 minutes)
 * @param fullInterval how often the reconcile is a full read instead of an incremental one
 */
@ConfigurationProperties("orchard.sync")
public record SyncProperties(Duration interval, Duration fullInterval) {

    public SyncProperties {
        if (interval == null) {
            interval = Duration.ofMinutes(30);
        }
        if (fullInterval == null) {
            fullInterval = Duration.ofHours(24);
        }
    }
}
