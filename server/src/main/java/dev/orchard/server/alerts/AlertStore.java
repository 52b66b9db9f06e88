package dev.orchard.server.alerts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/** The alerts and alert_deliveries tables. */
@Repository
class AlertStore {

    /** The notice a delivery sends. */
    enum Event {
        RAISED, ESCALATED, REPEATED, RESOLVED, TEST
    }

    /** A delivery due to be sent. */
    record Due(long id, Long alertId, long channelId, Event event, int attempts) {
    }

    private final JdbcClient jdbc;

    AlertStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<Alert> open() {
        return jdbc.sql("select * from alerts where open_key is not null order by raised_at, id").query(AlertStore::map).list();
    }

    /** Open alerts first, then the resolved ones most recently resolved, at most {@code limit}. */
    List<Alert> recent(int limit) {
        return jdbc.sql("select * from alerts order by case when resolved_at is null then 0 else 1 end, "
                + "coalesce(resolved_at, raised_at) desc, id desc limit ?").param(limit).query(AlertStore::map).list();
    }

    Optional<Alert> find(long id) {
        return jdbc.sql("select * from alerts where id = ?").param(id).query(AlertStore::map).optional();
    }

    long raise(Condition c, Instant now) {
        var keys = new GeneratedKeyHolder();
        jdbc.sql("insert into alerts (rule, subject, open_key, severity, stage, title, detail, link, raised_at, updated_at) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(c.rule().name(), c.subject(), c.key(), c.severity().name(), c.stage(), c.title(), c.detail(), c.link(),
                        Timestamp.from(now), Timestamp.from(now)).update(keys, "id");
        return keys.getKey().longValue();
    }

    /** The condition's current words, severity and stage. */
    void update(long id, Condition c, Instant now) {
        jdbc.sql("update alerts set severity = ?, stage = ?, title = ?, detail = ?, link = ?, updated_at = ? where id = ?")
                .params(c.severity().name(), c.stage(), c.title(), c.detail(), c.link(), Timestamp.from(now), id).update();
    }

    void notified(long id, Instant now) {
        jdbc.sql("update alerts set notified_at = ? where id = ?").params(Timestamp.from(now), id).update();
    }

    void resolve(long id, Instant now) {
        jdbc.sql("update alerts set open_key = null, resolved_at = ?, updated_at = ? where id = ? and open_key is not null")
                .params(Timestamp.from(now), Timestamp.from(now), id).update();
    }

    void queue(Long alertId, long channelId, Event event, Instant now) {
        jdbc.sql("insert into alert_deliveries (alert_id, channel_id, event, state, next_attempt_at, created_at) "
                        + "values (?, ?, ?, 'QUEUED', ?, ?)")
                .params(alertId, channelId, event.name(), Timestamp.from(now), Timestamp.from(now)).update();
    }

    List<Due> due(Instant now, int limit) {
        return jdbc.sql("select id, alert_id, channel_id, event, attempts from alert_deliveries where state = 'QUEUED' "
                        + "and next_attempt_at <= ? order by next_attempt_at, id limit ?").params(Timestamp.from(now), limit)
                .query((rs, n) -> new Due(rs.getLong(1), (Long) rs.getObject(2, Long.class), rs.getLong(3),
                        Event.valueOf(rs.getString(4)), rs.getInt(5))).list();
    }

    Optional<Instant> nextDue() {
        return jdbc.sql("select min(next_attempt_at) from alert_deliveries where state = 'QUEUED'").query(Timestamp.class)
                .optional().map(Timestamp::toInstant);
    }

    void sent(long id, Instant now) {
        jdbc.sql("update alert_deliveries set state = 'SENT', attempts = attempts + 1, sent_at = ?, last_error = null "
                + "where id = ?").params(Timestamp.from(now), id).update();
    }

    /** A failed attempt: tried again at {@code next}, or given up (FAILED) when {@code next} is null. */
    void attemptFailed(long id, String error, Instant next) {
        jdbc.sql("update alert_deliveries set attempts = attempts + 1, last_error = ?, state = ?, next_attempt_at = "
                        + "coalesce(?, next_attempt_at) where id = ?")
                .params(error.length() > 1000 ? error.substring(0, 1000) : error, next == null ? "FAILED" : "QUEUED",
                        next == null ? null : Timestamp.from(next), id).update();
    }

    /** Per delivery state, how many of the alert's notices are in it (the API shows whether people were told). */
    java.util.Map<String, Long> deliveries(long alertId) {
        var out = new java.util.TreeMap<String, Long>();
        jdbc.sql("select state, count(*) from alert_deliveries where alert_id = ? group by state").param(alertId)
                .query((rs, n) -> out.put(rs.getString(1), rs.getLong(2))).list();
        return out;
    }

    int pruneResolvedBefore(Instant before, int limit) {
        return jdbc.sql("delete from alerts where id in (select id from alerts where resolved_at < ? order by resolved_at "
                + "limit ?)").params(Timestamp.from(before), limit).update();
    }

    private static Alert map(ResultSet rs, int n) throws SQLException {
        return new Alert(rs.getLong("id"), AlertRule.valueOf(rs.getString("rule")), rs.getString("subject"),
                Condition.Severity.valueOf(rs.getString("severity")), rs.getString("stage"), rs.getString("title"),
                rs.getString("detail"), rs.getString("link"), rs.getTimestamp("raised_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(), instant(rs.getTimestamp("notified_at")),
                instant(rs.getTimestamp("resolved_at")));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
