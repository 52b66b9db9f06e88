package dev.orchard.server.alerts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.orchard.server.system.OrchardProperties;
import dev.orchard.server.system.SecretCipher;

/**
 * Sends the due notices, each outside any transaction, and records each outcome with one statement: sent, tried
 * again after a wait that doubles from 30 s up to an hour, or given up after {@code orchard.alerts.max-attempts}. A
 * notice of an alert deleted meanwhile, or of a channel removed, is gone with it (the rows cascade).
 */
@Component
class AlertDelivery {

    static final int ROUND = 50;
    private static final Logger LOG = LoggerFactory.getLogger(AlertDelivery.class);

    private final AlertStore store;
    private final AlertChannels channels;
    private final NoticeSenders senders;
    private final SecretCipher cipher;
    private final AlertsProperties properties;
    private final OrchardProperties orchard;
    private final Clock clock;

    AlertDelivery(AlertStore store, AlertChannels channels, NoticeSenders senders, SecretCipher cipher, AlertsProperties properties,
                  OrchardProperties orchard, Clock clock) {
        this.store = store;
        this.channels = channels;
        this.senders = senders;
        this.cipher = cipher;
        this.properties = properties;
        this.orchard = orchard;
        this.clock = clock;
    }

    /** Sends what is due now; true when more may be due at once (a full round). */
    boolean deliverDue() {
        var due = store.due(clock.instant(), ROUND);
        for (AlertStore.Due d : due) {
            var alert = d.alertId() == null ? null : store.find(d.alertId()).orElse(null);
            var channel = channels.find(d.channelId()).orElse(null);
            if (alert == null || channel == null) {
                store.attemptFailed(d.id(), "the alert or the channel was removed", null);
                continue;
            }
            try {
                send(channel, Notice.of(alert, d.event(), orchard.publicUrl(), clock.instant()));
                store.sent(d.id(), clock.instant());
            } catch (NoticeSenders.NotSent | IllegalStateException | IllegalArgumentException e) {
                int attempt = d.attempts() + 1;
                Instant next = attempt >= properties.maxAttempts() ? null : clock.instant().plus(wait(attempt));
                store.attemptFailed(d.id(), e.getMessage(), next);
                LOG.warn("Alert notice {} to channel '{}' not sent (attempt {}{}): {}", d.id(), channel.name(), attempt,
                        next == null ? ", given up" : ", again at " + next, e.getMessage());
            }
        }
        return due.size() == ROUND;
    }

    Instant nextDue() {
        return store.nextDue().orElse(null);
    }

    /** Sends one notice to the channel now (test-send and deliveries alike). */
    void send(AlertChannel channel, Notice notice) {
        var sealed = channels.sealed(channel.id());
        senders.send(channel, sealed.url() == null ? null : cipher.decrypt(sealed.url(), AlertService.URL),
                sealed.secret() == null ? null : cipher.decrypt(sealed.secret(), AlertService.SECRET), notice);
    }

    static Duration wait(int attempt) {
        Duration d = Duration.ofSeconds(30).multipliedBy(1L << Math.min(attempt - 1, 10));
        return d.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : d;
    }
}
