package dev.orchard.server.alerts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.alerts.AlertStore.Event;

/**
 * Turns the conditions that hold now into alerts, in one transaction with the notices it queues: a new cause raises
 * an alert (once: a cause has one open alert), a new stage of it escalates, a cause that lasts is repeated every rule's
 * interval, a cause that is gone resolves its alert (with a "resolved" notice to those who were told). A muted rule's
 * alerts are kept and shown but notify nobody until the mute ends; an alert nobody was told of (muted, or no channel
 * then) is announced as soon as someone can be. A rule switched off resolves its alerts without a notice.
 */
@Component
class AlertEvaluation {

    /** What one evaluation did. */
    record Result(int raised, int escalated, int repeated, int resolved, int queued) {
    }

    private final AlertConditions conditions;
    private final AlertRules rules;
    private final AlertChannels channels;
    private final AlertStore store;
    private final Clock clock;

    AlertEvaluation(AlertConditions conditions, AlertRules rules, AlertChannels channels, AlertStore store, Clock clock) {
        this.conditions = conditions;
        this.rules = rules;
        this.channels = channels;
        this.store = store;
        this.clock = clock;
    }

    @Transactional
    Result evaluate() {
        Instant now = clock.instant();
        Map<AlertRule, AlertRules.Setting> settings = rules.all();
        Map<String, Alert> open = new LinkedHashMap<>();
        store.open().forEach(a -> open.put(a.key(), a));
        List<Condition> current = conditions.current(settings, open.keySet());
        var notices = new Notices(settings, now);
        int raised = 0;
        int escalated = 0;
        int repeated = 0;
        int resolved = 0;
        for (Condition c : current) {
            Alert a = open.remove(c.key());
            if (a == null) {
                notices.send(store.raise(c, now), c.rule(), Event.RAISED);
                raised++;
            } else {
                boolean restaged = !a.stage().equals(c.stage());
                if (restaged || !a.title().equals(c.title()) || !a.detail().equals(c.detail())
                        || a.severity() != c.severity() || !Objects.equals(a.link(), c.link())) {
                    store.update(a.id(), c, now);
                }
                if (a.notifiedAt() == null) {
                    notices.send(a.id(), c.rule(), Event.RAISED);
                } else if (restaged) {
                    escalated += notices.send(a.id(), c.rule(), Event.ESCALATED) ? 1 : 0;
                } else if (!a.notifiedAt().plus(Duration.ofMinutes(settings.get(c.rule()).repeatMinutes())).isAfter(now)) {
                    repeated += notices.send(a.id(), c.rule(), Event.REPEATED) ? 1 : 0;
                }
            }
        }
        for (Alert gone : open.values()) {
            store.resolve(gone.id(), now);
            resolved++;
            if (gone.notifiedAt() != null && settings.get(gone.rule()).enabled()) {
                notices.send(gone.id(), gone.rule(), Event.RESOLVED);
            }
        }
        return new Result(raised, escalated, repeated, resolved, notices.queued);
    }

    /** Queues an alert's notice on the rule's channels, unless the rule is muted. */
    private final class Notices {
        private final Map<AlertRule, AlertRules.Setting> settings;
        private final Instant now;
        private List<AlertChannel> enabled;
        int queued;

        Notices(Map<AlertRule, AlertRules.Setting> settings, Instant now) {
            this.settings = settings;
            this.now = now;
        }

        /** True when a notice was queued on at least one channel. */
        boolean send(long alertId, AlertRule rule, Event event) {
            AlertRules.Setting s = settings.get(rule);
            if (s.mutedAt(now)) {
                return false;
            }
            if (enabled == null) {
                enabled = channels.all().stream().filter(AlertChannel::enabled).toList();
            }
            var targets = enabled.stream().filter(ch -> s.channelIds().isEmpty() || s.channelIds().contains(ch.id())).toList();
            targets.forEach(ch -> store.queue(alertId, ch.id(), event, now));
            if (targets.isEmpty()) {
                return false;
            }
            if (event != Event.RESOLVED) {
                store.notified(alertId, now);
            }
            queued += targets.size();
            return true;
        }
    }
}
