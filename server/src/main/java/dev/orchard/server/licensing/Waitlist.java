package dev.orchard.server.licensing;

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

    /** {@code kind}: WAITING (no license left), BLOCKED (no account qualifies) or null for both. */
    public List<Map<String, Object>> list(String adamId, String kind, long afterId, int limit) {
        return jdbc.sql("""
                select id, holder_type, holder, adam_id, kind, reason, since from waitlist where id > ?
                  and (cast(? as varchar) is null or adam_id = ?) and (cast(? as varchar) is null or kind = ?)
                order by id limit ?
                """).params(afterId, adamId, adamId, kind, kind, limit).query().listOfRows();
    }

    /** The most common reasons of one kind (and app, when given) with how many targets each holds back, most first. */
    public List<Map<String, Object>> reasons(String adamId, String kind, int limit) {
        return jdbc.sql("""
                select reason, count(*) as targets from waitlist
                where (cast(? as varchar) is null or adam_id = ?) and (cast(? as varchar) is null or kind = ?)
                group by reason order by count(*) desc, reason limit ?
                """).params(adamId, adamId, kind, kind, limit).query().listOfRows();
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

    /** The pass's state: the last run, whether a full pass is wanted, when the last full one finished, and how many recorded changes wait. */
    public Map<String, Object> pass() {
        return jdbc.sql("""
                select wanted, running, requested_at, started_at, finished_at, full_at, summary, changes_at, changes_summary,
                    (select count(*) from licensing_subjects) as pending_changes
                from licensing_pass where id = 1
                """).query().singleRow();
    }
}
