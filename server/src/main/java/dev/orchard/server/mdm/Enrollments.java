package dev.orchard.server.mdm;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The mdm_enrollments table: each device's enrolment as its MDM reported it. States: AUTHENTICATED (the device
 * started enrolling), ENROLLED (it can receive commands), ERASED, CHECKED_OUT. {@code enrollments} counts completed
 * enrolments, so a second one is a re-enrolment (rule R10).
 */
@Repository
class Enrollments {

    /** A device's enrolment. */
    record Enrollment(String serialNumber, String enrollmentId, String userChannelId, Long serverId, String state,
                      int enrollments, Instant enrolledAt, Instant appsRequestedAt, Instant waitingSince, String waitingReason) {
        boolean enrolled() {
            return "ENROLLED".equals(state);
        }
    }

    private final JdbcClient jdbc;

    Enrollments(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Enrollment> find(String serial) {
        return jdbc.sql("select * from mdm_enrollments where serial_number = ?").param(serial).query(Enrollments::map).optional();
    }

    /** The device an enrollment id (device channel) or UDID names. */
    Optional<String> serialOf(String enrollmentIdOrUdid) {
        if (enrollmentIdOrUdid == null) {
            return Optional.empty();
        }
        return jdbc.sql("select serial_number from mdm_enrollments where enrollment_id = ? union "
                + "select serial_number from devices where udid = ?").params(enrollmentIdOrUdid, enrollmentIdOrUdid)
                .query(String.class).list().stream().findFirst();
    }

    /** The device started (re-)enrolling; the enrolment completes with its first token update. */
    void authenticated(String serial, String enrollmentId, Long serverId, Instant now) {
        Timestamp ts = Timestamp.from(now);
        if (jdbc.sql("update mdm_enrollments set enrollment_id = ?, server_id = coalesce(?, server_id), state = 'AUTHENTICATED', "
                + "updated_at = ? where serial_number = ?").params(enrollmentId, serverId, ts, serial).update() == 0) {
            jdbc.sql("insert into mdm_enrollments (serial_number, enrollment_id, server_id, state, updated_at) "
                    + "values (?, ?, ?, 'AUTHENTICATED', ?)").params(serial, enrollmentId, serverId, ts).update();
        }
    }

    /**
     * The enrolment completed. Returns the number of completed enrolments (2 or more: a re-enrolment), or 0 when
     * the device was already enrolled (a routine token update).
     */
    int completed(String serial, boolean force, Instant now) {
        int changed = jdbc.sql("update mdm_enrollments set state = 'ENROLLED', enrollments = enrollments + 1, enrolled_at = ?, "
                + "updated_at = ? where serial_number = ? and (state <> 'ENROLLED' or ?)")
                .params(Timestamp.from(now), Timestamp.from(now), serial, force).update();
        return changed == 0 ? 0 : find(serial).map(Enrollment::enrollments).orElse(0);
    }

    void state(String serial, String state, Instant now) {
        jdbc.sql("update mdm_enrollments set state = ?, updated_at = ? where serial_number = ?")
                .params(state, Timestamp.from(now), serial).update();
    }

    void userChannel(String serial, String channelId, Instant now) {
        jdbc.sql("update mdm_enrollments set user_channel_id = ?, updated_at = ? where serial_number = ?")
                .params(channelId, Timestamp.from(now), serial).update();
    }

    /** The device answered: it is no longer waiting for the MDM. */
    void answered(String serial) {
        jdbc.sql("update mdm_enrollments set waiting_since = null, waiting_reason = null where serial_number = ? "
                + "and waiting_since is not null").param(serial).update();
    }

    /** Orchard has not heard from the device as it should have; {@code reason} says what is missing. */
    void waiting(String serial, String reason, Instant since) {
        jdbc.sql("update mdm_enrollments set waiting_since = coalesce(waiting_since, ?), waiting_reason = ? where serial_number = ?")
                .params(Timestamp.from(since), reason, serial).update();
    }

    long waitingCount() {
        return jdbc.sql("select count(*) from mdm_enrollments where waiting_since is not null").query(Long.class).single();
    }

    /** Devices waiting for their MDM, longest first. */
    /** Enrolments waiting for the MDM, longest first, after ({@code since}, {@code serial}) when given. */
    List<Enrollment> waitingList(Instant since, String serial, int limit) {
        if (since == null) {
            return jdbc.sql("select * from mdm_enrollments where waiting_since is not null "
                    + "order by waiting_since, serial_number limit ?").param(limit).query(Enrollments::map).list();
        }
        Timestamp at = Timestamp.from(since);
        return jdbc.sql("select * from mdm_enrollments where waiting_since > ? or (waiting_since = ? and serial_number > ?) "
                + "order by waiting_since, serial_number limit ?").params(at, at, serial, limit).query(Enrollments::map).list();
    }

    /**
     * Device channels that authenticated before {@code before} and never finished enrolling, and have been asked again
     * fewer than {@code maxAsks} times, least recently asked first (so the hopeless ones never crowd out the others).
     */
    List<Enrollment> authenticatedBefore(Instant before, int maxAsks, int limit) {
        return jdbc.sql("select e.* from mdm_enrollments e left join mdm_channels c on c.enrollment_id = e.enrollment_id "
                + "where e.state = 'AUTHENTICATED' and e.updated_at < ? and coalesce(c.asks, 0) < ? "
                + "order by c.asked_at nulls first, e.updated_at limit ?")
                .params(Timestamp.from(before), maxAsks, limit).query(Enrollments::map).list();
    }

    /**
     * Enrolled devices asked for their app list before {@code before} whose answer has not come since, asked again
     * fewer than {@code maxAsks} times, least recently asked first.
     */
    List<Enrollment> appListUnanswered(Instant before, int maxAsks, int limit) {
        return jdbc.sql("""
                select e.* from mdm_enrollments e join devices d on d.serial_number = e.serial_number
                left join mdm_channels c on c.enrollment_id = e.enrollment_id
                where e.state = 'ENROLLED' and d.status = 'ACTIVE' and e.apps_requested_at < ?
                  and (d.apps_reported_at is null or d.apps_reported_at < e.apps_requested_at) and coalesce(c.asks, 0) < ?
                order by c.asked_at nulls first, e.apps_requested_at limit ?
                """).params(Timestamp.from(before), maxAsks, limit).query(Enrollments::map).list();
    }

    void appsRequested(String serial, Instant now) {
        jdbc.sql("update mdm_enrollments set apps_requested_at = ? where serial_number = ?").params(Timestamp.from(now), serial).update();
    }

    /**
     * Driven from the enrolments' index: joined to {@code devices}, H2 read every active device (its index on status)
     * and looked each one up among the enrolments, at every sweep, which runs after each confirmed license.
     */
    static final String DUE_FOR_APP_LIST = """
            select e.serial_number from mdm_enrollments e
            where e.state = 'ENROLLED' and (e.apps_requested_at is null or e.apps_requested_at < ?)
              and exists (select 1 from devices d where d.serial_number = e.serial_number and d.status = 'ACTIVE')
            order by e.apps_requested_at nulls first, e.serial_number limit ?
            """;

    /** Enrolled active devices whose app list was last asked for before {@code before} (or never). */
    List<String> dueForAppList(Instant before, int limit) {
        return jdbc.sql(DUE_FOR_APP_LIST).params(Timestamp.from(before), limit).query(String.class).list();
    }

    private static Enrollment map(ResultSet rs, int n) throws SQLException {
        Timestamp enrolled = rs.getTimestamp("enrolled_at");
        Timestamp apps = rs.getTimestamp("apps_requested_at");
        Timestamp waiting = rs.getTimestamp("waiting_since");
        return new Enrollment(rs.getString("serial_number"), rs.getString("enrollment_id"), rs.getString("user_channel_id"),
                (Long) rs.getObject("server_id", Long.class), rs.getString("state"), rs.getInt("enrollments"),
                enrolled == null ? null : enrolled.toInstant(), apps == null ? null : apps.toInstant(),
                waiting == null ? null : waiting.toInstant(), rs.getString("waiting_reason"));
    }
}
