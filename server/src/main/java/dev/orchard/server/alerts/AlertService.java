package dev.orchard.server.alerts;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.system.ConflictException;
import dev.orchard.server.system.Fields;
import dev.orchard.server.system.NotFoundException;
import dev.orchard.server.system.OrchardProperties;
import dev.orchard.server.system.SecretCipher;

/**
 * Alerts as administrators see and steer them: the open and recent alerts, the channels notices go to (URLs and
 * secrets stored encrypted, never shown), each rule's settings and routing, and a test notice sent at once. Every
 * change is audited and makes the rules be evaluated again soon.
 */
@Service
public class AlertService {

    static final String URL = "alert-channel-url";
    static final String SECRET = "alert-channel-secret";

    /** An alert with how its notices fared (per delivery state: QUEUED, SENT, FAILED). */
    public record AlertView(Alert alert, Map<String, Long> deliveries) {
    }

    /** What an administrator enters for a channel; a null field on update keeps the stored value (URL and secret too). */
    public record ChannelInput(String name, String kind, String recipients, String url, String secret, Boolean enabled) {
    }

    /** A rule with its settings and what its threshold counts. */
    public record RuleView(AlertRule rule, boolean enabled, int threshold, String thresholdMeaning, int repeatMinutes,
                           Instant mutedUntil, List<Long> channelIds) {
    }

    /** A change of one rule; null fields keep the current value ({@code mutedUntil} is cleared with {@code unmute}). */
    public record RuleInput(String rule, Boolean enabled, Integer threshold, Integer repeatMinutes, Instant mutedUntil,
                            Boolean unmute, List<Long> channelIds) {
    }

    /** The outcome of a test notice: sent, or why not. */
    public record TestResult(boolean sent, String error) {
    }

    private final AlertStore store;
    private final AlertChannels channels;
    private final AlertRules rules;
    private final AlertDelivery delivery;
    private final AlertTasks tasks;
    private final SecretCipher cipher;
    private final AuditTrail audit;
    private final OrchardProperties orchard;
    private final Clock clock;

    AlertService(AlertStore store, AlertChannels channels, AlertRules rules, AlertDelivery delivery, AlertTasks tasks,
                 SecretCipher cipher, AuditTrail audit, OrchardProperties orchard, Clock clock) {
        this.store = store;
        this.channels = channels;
        this.rules = rules;
        this.delivery = delivery;
        this.tasks = tasks;
        this.cipher = cipher;
        this.audit = audit;
        this.orchard = orchard;
        this.clock = clock;
    }

    public List<Alert> open() {
        return store.open();
    }

    /** The open alerts, then the most recently resolved, at most {@code limit}. */
    public List<AlertView> recent(int limit) {
        return store.recent(limit).stream().map(a -> new AlertView(a, store.deliveries(a.id()))).toList();
    }

    public List<AlertChannel> channels() {
        return channels.all();
    }

    public AlertChannel channel(long id) {
        return channels.find(id).orElseThrow(() -> new NotFoundException("no alert channel " + id));
    }

    @Transactional
    public AlertChannel addChannel(ChannelInput in) {
        String name = Fields.required("name", in.name(), 100);
        if (in.kind() == null) {
            throw new Fields.InvalidFieldException("kind", "kind is required: EMAIL, WEBHOOK, SLACK or TEAMS");
        }
        AlertChannel.Kind kind = AlertChannel.Kind.parse(in.kind());
        if (channels.nameTaken(name, -1)) {
            throw new ConflictException("an alert channel named '" + name + "' exists");
        }
        String recipients = kind == AlertChannel.Kind.EMAIL ? recipients(in.recipients(), true) : none("recipients", in.recipients(), kind);
        String url = kind == AlertChannel.Kind.EMAIL ? none("url", in.url(), kind) : url(in.url(), true);
        String secret = kind == AlertChannel.Kind.WEBHOOK ? secret(in.secret()) : none("secret", in.secret(), kind);
        long id = channels.insert(name, kind, recipients, seal(url, URL), hint(url), seal(secret, SECRET),
                in.enabled() == null || in.enabled(), clock.instant());
        audit.record("api", "ALERT_CHANNEL_ADDED", "alert channel " + id, kind + " '" + name + "' " + describe(channel(id)), "OK");
        tasks.evaluateAfterCommit();
        return channel(id);
    }

    @Transactional
    public AlertChannel changeChannel(long id, ChannelInput in) {
        AlertChannel current = channel(id);
        if (in.kind() != null && AlertChannel.Kind.parse(in.kind()) != current.kind()) {
            throw new IllegalArgumentException("the kind of a channel cannot change; add another channel");
        }
        String name = in.name() == null ? current.name() : Fields.required("name", in.name(), 100);
        if (channels.nameTaken(name, id)) {
            throw new ConflictException("an alert channel named '" + name + "' exists");
        }
        AlertChannel.Kind kind = current.kind();
        String recipients = kind == AlertChannel.Kind.EMAIL ? recipients(in.recipients(), false) : none("recipients", in.recipients(), kind);
        String url = kind == AlertChannel.Kind.EMAIL ? none("url", in.url(), kind) : url(in.url(), false);
        String secret = kind == AlertChannel.Kind.WEBHOOK ? in.secret() == null ? null : secret(in.secret())
                : none("secret", in.secret(), kind);
        channels.update(id, name, recipients, seal(url, URL), hint(url), seal(secret, SECRET),
                in.enabled() == null ? current.enabled() : in.enabled(), clock.instant());
        audit.record("api", "ALERT_CHANNEL_CHANGED", "alert channel " + id, "before: " + describe(current) + "; after: "
                + describe(channel(id)) + (url != null ? "; URL replaced" : "") + (secret != null ? "; secret replaced" : ""), "OK");
        tasks.evaluateAfterCommit();
        return channel(id);
    }

    @Transactional
    public void deleteChannel(long id) {
        AlertChannel current = channel(id);
        channels.delete(id);
        audit.record("api", "ALERT_CHANNEL_DELETED", "alert channel " + id, "before: " + describe(current), "OK");
    }

    /** Sends a test notice to the channel now (not queued: the administrator waits for the answer). */
    public TestResult test(long id) {
        AlertChannel channel = channel(id);
        TestResult result;
        try {
            delivery.send(channel, Notice.test(channel.name(), orchard.publicUrl(), clock.instant()));
            result = new TestResult(true, null);
        } catch (NoticeSenders.NotSent | IllegalStateException e) {
            result = new TestResult(false, e.getMessage());
        }
        audit.record("api", "ALERT_CHANNEL_TESTED", "alert channel " + id, result.sent() ? "test notice sent"
                : "test notice not sent: " + result.error(), result.sent() ? "OK" : "FAILED");
        return result;
    }

    public List<RuleView> rules() {
        var out = new ArrayList<RuleView>();
        rules.all().values().forEach(s -> out.add(view(s)));
        return out;
    }

    /** Changes the rules named (the others stay as they are); all of them or none. */
    @Transactional
    public List<RuleView> changeRules(List<RuleInput> inputs) {
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException("name at least one rule to change");
        }
        Map<AlertRule, AlertRules.Setting> all = rules.all();
        var known = channels.all().stream().map(AlertChannel::id).toList();
        for (RuleInput in : inputs) {
            AlertRule rule = AlertRule.parse(in.rule());
            AlertRules.Setting s = all.get(rule);
            int threshold = in.threshold() == null ? s.threshold() : in.threshold();
            if (threshold < 0 || threshold > 1_000_000) {
                throw new Fields.InvalidFieldException("threshold", "threshold of " + rule + " (" + rule.thresholdMeaning()
                        + ") must be between 0 and 1000000");
            }
            int repeat = in.repeatMinutes() == null ? s.repeatMinutes() : in.repeatMinutes();
            if (repeat < 5 || repeat > 43_200) {
                throw new Fields.InvalidFieldException("repeatMinutes", "repeatMinutes must be between 5 and 43200 (30 days)");
            }
            List<Long> ids = in.channelIds() == null ? s.channelIds() : List.copyOf(new java.util.LinkedHashSet<>(in.channelIds()));
            for (Long c : ids) {
                if (c == null || !known.contains(c)) {
                    throw new Fields.InvalidFieldException("channelIds", "no alert channel " + c);
                }
            }
            Instant muted = Boolean.TRUE.equals(in.unmute()) ? null : in.mutedUntil() == null ? s.mutedUntil() : in.mutedUntil();
            var changed = new AlertRules.Setting(rule, in.enabled() == null ? s.enabled() : in.enabled(), threshold, repeat, muted, ids);
            all.put(rule, changed);
        }
        Instant now = clock.instant();
        for (RuleInput in : inputs) {
            AlertRule rule = AlertRule.parse(in.rule());
            rules.save(all.get(rule), now);
            audit.record("api", "ALERT_RULE_CHANGED", "alert rule " + rule, describe(all.get(rule)), "OK");
        }
        tasks.evaluateAfterCommit();
        return rules();
    }

    private static RuleView view(AlertRules.Setting s) {
        return new RuleView(s.rule(), s.enabled(), s.threshold(), s.rule().thresholdMeaning(), s.repeatMinutes(), s.mutedUntil(),
                s.channelIds());
    }

    private static String describe(AlertRules.Setting s) {
        return (s.enabled() ? "on" : "off") + ", threshold " + s.threshold() + ", repeat every " + s.repeatMinutes() + " min"
                + (s.mutedUntil() == null ? "" : ", muted until " + s.mutedUntil())
                + (s.channelIds().isEmpty() ? ", to every channel" : ", to channels " + s.channelIds());
    }

    private static String describe(AlertChannel c) {
        return c.name() + " " + c.kind() + " " + (c.recipients() != null ? c.recipients() : c.urlHint())
                + (c.hasSecret() ? " signed" : "") + (c.enabled() ? "" : " disabled");
    }

    private String seal(String value, String purpose) {
        return value == null ? null : cipher.encrypt(value, purpose);
    }

    private static String none(String field, String value, AlertChannel.Kind kind) {
        if (value != null && !value.isBlank()) {
            throw new Fields.InvalidFieldException(field, "a " + kind + " channel has no " + field);
        }
        return null;
    }

    private static String recipients(String value, boolean required) {
        if (value == null && !required) {
            return null;
        }
        String list = Fields.required("recipients", value, 2000);
        String[] each = list.split("\\s*,\\s*");
        if (each.length > 50) {
            throw new Fields.InvalidFieldException("recipients", "at most 50 recipients");
        }
        for (String r : each) {
            if (!r.matches("[^@\\s,<>]+@[^@\\s,<>]+\\.[^@\\s,<>]+")) {
                throw new Fields.InvalidFieldException("recipients", "'" + r + "' is not an e-mail address (like it@example.com)");
            }
        }
        return String.join(", ", each);
    }

    private static String url(String value, boolean required) {
        return value == null && !required ? null : Fields.url("url", value, 2000, java.util.Set.of("http", "https"),
                "an http(s) URL with a host, like https://hooks.example.com/…");
    }

    /** What may be shown of a URL: its scheme and host (the path of Slack's and Teams' URLs is their secret). */
    private static String hint(String url) {
        if (url == null) {
            return null;
        }
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/…";
    }

    private static String secret(String value) {
        String s = Fields.secret("secret", value, 1000);
        if (s == null || s.length() < 16) {
            throw new Fields.InvalidFieldException("secret", "a webhook's secret must have at least 16 characters");
        }
        return s;
    }
}
