package dev.orchard.server.alerts;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The alert_rules and alert_routes tables: each rule as the administrator set it, or its defaults. A rule routed to
 * no channel notifies every enabled channel.
 */
@Repository
class AlertRules {

    /** A rule's settings; {@code channelIds} empty: every enabled channel. */
    record Setting(AlertRule rule, boolean enabled, int threshold, int repeatMinutes, Instant mutedUntil, List<Long> channelIds) {
        static Setting defaults(AlertRule rule) {
            return new Setting(rule, true, rule.defaultThreshold(), rule.defaultRepeatMinutes(), null, List.of());
        }

        boolean mutedAt(Instant now) {
            return mutedUntil != null && mutedUntil.isAfter(now);
        }
    }

    private final JdbcClient jdbc;

    AlertRules(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Map<AlertRule, Setting> all() {
        Map<AlertRule, List<Long>> routes = new HashMap<>();
        jdbc.sql("select rule, channel_id from alert_routes order by rule, channel_id").query((rs, n) -> routes
                .computeIfAbsent(AlertRule.valueOf(rs.getString(1)), r -> new ArrayList<>()).add(rs.getLong(2))).list();
        Map<AlertRule, Setting> out = new EnumMap<>(AlertRule.class);
        for (AlertRule r : AlertRule.values()) {
            out.put(r, Setting.defaults(r));
        }
        jdbc.sql("select * from alert_rules").query((rs, n) -> {
            AlertRule r = AlertRule.valueOf(rs.getString("rule"));
            Timestamp muted = rs.getTimestamp("muted_until");
            return out.put(r, new Setting(r, rs.getBoolean("enabled"), rs.getInt("threshold"), rs.getInt("repeat_minutes"),
                    muted == null ? null : muted.toInstant(), List.of()));
        }).list();
        routes.forEach((r, ids) -> {
            Setting s = out.get(r);
            out.put(r, new Setting(r, s.enabled(), s.threshold(), s.repeatMinutes(), s.mutedUntil(), List.copyOf(ids)));
        });
        return out;
    }

    /** Stores the rule's settings and its routes (replacing both). */
    void save(Setting s, Instant now) {
        jdbc.sql("delete from alert_rules where rule = ?").param(s.rule().name()).update();
        jdbc.sql("insert into alert_rules (rule, enabled, threshold, repeat_minutes, muted_until, updated_at) values (?, ?, ?, ?, ?, ?)")
                .params(s.rule().name(), s.enabled(), s.threshold(), s.repeatMinutes(),
                        s.mutedUntil() == null ? null : Timestamp.from(s.mutedUntil()), Timestamp.from(now)).update();
        jdbc.sql("delete from alert_routes where rule = ?").param(s.rule().name()).update();
        for (long channel : s.channelIds()) {
            jdbc.sql("insert into alert_routes (rule, channel_id) values (?, ?)").params(s.rule().name(), channel).update();
        }
    }
}
