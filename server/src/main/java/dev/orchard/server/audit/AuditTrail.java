package dev.orchard.server.audit;

import java.io.IOException;
import java.io.Writer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Appends to and reads the audit trail. Entries are only ever inserted; the actor is the signed-in administrator or
 * API token when there is one, otherwise the rule or task given by the caller.
 */
@Component
public class AuditTrail {

    /**
     * One entry. {@code outcome} is OK, FAILED, PENDING or QUEUED (DRY_RUN in entries of earlier versions); {@code adamId} names the app of an entry
     * about one license (its subject is then "device SERIAL" or "user ID"), null otherwise.
     */
    public record Entry(long id, Instant at, String actor, String action, String subject, String detail, String outcome,
                        String adamId) {
        /** The license's holder ("device"/"user" and the id) of a license entry, or null. */
        public String[] holder() {
            if (adamId == null || subject == null) {
                return null;
            }
            int space = subject.indexOf(' ');
            return space < 0 ? null : new String[] {subject.substring(0, space), subject.substring(space + 1)};
        }
    }

    /** Filters of a listing; null means any. */
    public record Filter(String actor, String action, String subject, Instant from, Instant to) {
    }

    private static final int MAX_DETAIL = 2000;
    private static final java.util.regex.Pattern FORMULA_START = java.util.regex.Pattern.compile("(?m)^([=+\\-@\t\r])");

    private final JdbcClient jdbc;
    private final org.springframework.jdbc.core.JdbcTemplate jdbcTemplate;
    private final Clock clock;

    AuditTrail(JdbcClient jdbc, org.springframework.jdbc.core.JdbcTemplate jdbcTemplate, Clock clock) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.clock = clock;
    }

    /**
     * Records an action by whoever is signed in (or {@code fallbackActor}). A rule ("rule:R4b") is always the actor
     * of what it decides; the person whose change set it off is named in the detail.
     */
    public void record(String fallbackActor, String action, String subject, String detail, String outcome) {
        insert(fallbackActor, action, subject, detail, outcome, null);
    }

    /** Records an action on one license: the holder's device (by serial) or user, and the app. */
    public void recordLicense(String fallbackActor, String action, boolean device, String holder, String adamId, String detail,
                              String outcome) {
        insert(fallbackActor, action, (device ? "device " : "user ") + holder, detail, outcome, adamId);
    }

    /** One entry about one license, for {@link #recordLicenses}. */
    public record LicenseEntry(String fallbackActor, String action, boolean device, String holder, String adamId, String detail,
                               String outcome) {
    }

    /**
     * {@link #recordLicense} for many licenses, as one batch: a licensing pass records one entry per license it
     * assigns, and one statement each was a round trip each on PostgreSQL.
     */
    public void recordLicenses(List<LicenseEntry> entries) {
        if (!entries.isEmpty()) {
            jdbcTemplate.batchUpdate(INSERT, entries.stream().map(e -> row(e.fallbackActor(), e.action(),
                    (e.device() ? "device " : "user ") + e.holder(), e.detail(), e.outcome(), e.adamId())).toList());
        }
    }

    private static final String INSERT = "insert into audit_events (at, actor, action, subject, detail, outcome, adam_id) "
            + "values (?, ?, ?, ?, ?, ?, ?)";

    private void insert(String fallbackActor, String action, String subject, String detail, String outcome, String adamId) {
        jdbc.sql(INSERT).params(row(fallbackActor, action, subject, detail, outcome, adamId)).update();
    }

    private Object[] row(String fallbackActor, String action, String subject, String detail, String outcome, String adamId) {
        String actor = actor(fallbackActor);
        if (fallbackActor.startsWith("rule:") && !actor.equals(fallbackActor)) {
            detail = (detail == null ? "" : detail + "; ") + "after a change by " + actor;
            actor = fallbackActor;
        }
        return new Object[] {Timestamp.from(clock.instant()), actor, action, cap(subject, 300), cap(detail, MAX_DETAIL), outcome,
                adamId};
    }

    /** The signed-in principal, or the fallback for work no person started. */
    public static String actor(String fallback) {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null || !auth.isAuthenticated() || "anonymousUser".equals(auth.getName())) {
            return fallback;
        }
        return auth.getName();
    }

    /** Newest first, keyset-paged by id ({@code beforeId} 0 = from the newest). */
    public List<Entry> list(Filter f, long beforeId, int limit) {
        return jdbc.sql("""
                select * from audit_events where (? = 0 or id < ?)
                  and (cast(? as varchar) is null or actor = ?)
                  and (cast(? as varchar) is null or action = ?)
                  and (cast(? as varchar) is null or subject like ?)
                  and (cast(? as timestamp with time zone) is null or at >= ?)
                  and (cast(? as timestamp with time zone) is null or at < ?)
                order by id desc limit ?
                """).params(beforeId, beforeId, f.actor(), f.actor(), f.action(), f.action(), f.subject(),
                f.subject() == null ? null : "%" + f.subject() + "%", ts(f.from()), ts(f.from()), ts(f.to()), ts(f.to()), limit)
                .query(AuditTrail::entry).list();
    }

    /** Writes every matching entry as CSV (RFC 4180), streaming page by page. */
    public void exportCsv(Filter f, Writer out) throws IOException {
        out.write("id,at,actor,action,subject,detail,outcome\r\n");
        long before = 0;
        while (true) {
            List<Entry> page = list(f, before, 1000);
            for (Entry e : page) {
                out.write(e.id() + "," + e.at() + "," + csv(e.actor()) + "," + csv(e.action()) + "," + csv(e.subject())
                        + "," + csv(e.detail()) + "," + csv(e.outcome()) + "\r\n");
            }
            if (page.size() < 1000) {
                return;
            }
            before = page.get(page.size() - 1).id();
        }
    }

    static String csv(String value) {
        if (value == null) {
            return "";
        }
        // a line starting with =, +, -, @, a tab or a carriage return runs as a formula in a spreadsheet: at the start
        // of the cell and after every line break inside it (a spreadsheet may split the cell there)
        String safe = FORMULA_START.matcher(value).replaceAll("'$1");
        if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
            return "\"" + safe.replace("\"", "\"\"") + "\"";
        }
        return safe;
    }

    private static Entry entry(ResultSet rs, int n) throws SQLException {
        return new Entry(rs.getLong("id"), rs.getTimestamp("at").toInstant(), rs.getString("actor"), rs.getString("action"),
                rs.getString("subject"), rs.getString("detail"), rs.getString("outcome"), rs.getString("adam_id"));
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static String cap(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /**
     * Deletes up to {@code limit} entries recorded before {@code before}, oldest first; returns how many (the
     * retention task's policy {@code orchard.retention.audit}; export the trail first).
     */
    public int pruneBefore(Instant before, int limit) {
        return jdbc.sql("delete from audit_events where id in (select id from audit_events where at < ? order by id limit ?)")
                .params(java.sql.Timestamp.from(before), limit).update();
    }
}
