package dev.orchard.server.licensing;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The waitlist as the API and UI show it: who waits for which app, why, since when, in serving order. */
@Component
public class Waitlist {

    private final JdbcClient jdbc;

    Waitlist(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** One target waiting (WAITING: no license left) or blocked (BLOCKED: no account qualifies) for an app. */
    public record Entry(long id, String holderType, String holder, String adamId, String kind, String reason, Instant since) {
    }

    /** A reason and how many targets it holds back. */
    public record Reason(String reason, long targets) {
    }

    /**
     * The licensing pass's state: whether a full pass is wanted or running, when it was last asked for, started,
     * finished and last ran in full, its summary, the last incremental run and its summary, and how many recorded
     * changes wait for it.
     */
    public record PassState(boolean wanted, boolean running, Instant requestedAt, Instant startedAt, Instant finishedAt,
                            Instant fullAt, String summary, Instant changesAt, String changesSummary, long pendingChanges) {
    }

    /** {@code kind}: WAITING (no license left), BLOCKED (no account qualifies) or null for both. */
    public List<Entry> list(String adamId, String kind, long afterId, int limit) {
        return jdbc.sql("""
                select id, holder_type, holder, adam_id, kind, reason, since from waitlist where id > ?
                  and (cast(? as varchar) is null or adam_id = ?) and (cast(? as varchar) is null or kind = ?)
                order by id limit ?
                """).params(afterId, adamId, adamId, kind, kind, limit).query(Waitlist::entry).list();
    }

    /** What one device (holderType DEVICE) or user (USER) waits for. */
    public List<Entry> ofHolder(String holderType, String holder) {
        return jdbc.sql("select id, holder_type, holder, adam_id, kind, reason, since from waitlist where holder_type = ? "
                + "and holder = ? order by adam_id").params(holderType, holder).query(Waitlist::entry).list();
    }

    private static Entry entry(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Entry(rs.getLong("id"), rs.getString("holder_type"), rs.getString("holder"), rs.getString("adam_id"),
                rs.getString("kind"), rs.getString("reason"), rs.getTimestamp("since").toInstant());
    }

    /** The most common reasons of one kind (and app, when given) with how many targets each holds back, most first. */
    public List<Reason> reasons(String adamId, String kind, int limit) {
        return jdbc.sql("""
                select reason, count(*) as targets from waitlist
                where (cast(? as varchar) is null or adam_id = ?) and (cast(? as varchar) is null or kind = ?)
                group by reason order by count(*) desc, reason limit ?
                """).params(adamId, adamId, kind, kind, limit).query((rs, n) -> new Reason(rs.getString(1), rs.getLong(2))).list();
    }

    /** How many targets wait for this app (or any), of this kind (or both). */
    public long count(String adamId, String kind) {
        return jdbc.sql("select count(*) from waitlist where (cast(? as varchar) is null or adam_id = ?) "
                + "and (cast(? as varchar) is null or kind = ?)").params(adamId, adamId, kind, kind).query(Long.class).single();
    }

    /** How many targets wait (WAITING) and how many no account can serve (BLOCKED). */
    public Map<String, Long> counts() {
        var counts = new java.util.TreeMap<String, Long>();
        jdbc.sql("select kind, count(*) from waitlist group by kind").query((rs, n) -> counts.put(rs.getString(1), rs.getLong(2))).list();
        return counts;
    }

    /** The pass's state (see {@link PassState}). */
    public PassState pass() {
        return jdbc.sql("""
                select wanted, running, requested_at, started_at, finished_at, full_at, summary, changes_at, changes_summary,
                    (select count(*) from licensing_subjects) as pending_changes
                from licensing_pass where id = 1
                """).query((rs, n) -> new PassState(rs.getBoolean("wanted"), rs.getBoolean("running"), instant(rs, "requested_at"),
                instant(rs, "started_at"), instant(rs, "finished_at"), instant(rs, "full_at"), rs.getString("summary"),
                instant(rs, "changes_at"), rs.getString("changes_summary"), rs.getLong("pending_changes"))).single();
    }

    private static Instant instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        var t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
