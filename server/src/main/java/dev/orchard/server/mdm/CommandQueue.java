package dev.orchard.server.mdm;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The durable queue of MDM commands (mdm_commands, mdm_targets): a command is recorded with its channels in the
 * transaction that decided it, and each channel's delivery and result are tracked on its own row. Target states:
 * QUEUED (due at next_attempt_at), SENDING (handed to the connector), DELIVERED (the MDM has it), ACKNOWLEDGED,
 * ERROR (the device reported an error), FAILED (delivery gave up), CANCELLED.
 *
 * <p>The command UUID an administrator sees is the logical one; each enqueue request carries a UUID of its own
 * ({@code wire_uuid}), since NanoMDM stores a UUID once. A target whose last request has no known outcome
 * ({@code unsure}: a timeout, or a crash while SENDING) is sent again with that same request UUID, so the MDM can tell
 * a resend from a new command.
 */
@Repository
class CommandQueue {

    /** A channel a command goes to (serial null: a channel not yet identified), through a server (null: the default). */
    record Target(String serialNumber, String enrollmentId, Long serverId) {
    }

    /** A target whose delivery is due. */
    record Due(String commandUuid, String requestType, String payload, String enrollmentId, String serialNumber,
               Long serverId, int attempts, Instant createdAt, String wireUuid, boolean unsure) {
    }

    /** What Orchard asked with a command, for reading its result. */
    record Sent(String commandUuid, String requestType, String reason, String adamId, String bundleId) {
    }

    private final JdbcClient jdbc;

    CommandQueue(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void add(MdmCommand command, String reason, String adamId, String bundleId, String actor, List<Target> targets, Instant now) {
        Timestamp ts = Timestamp.from(now);
        jdbc.sql("insert into mdm_commands (command_uuid, request_type, payload, reason, adam_id, bundle_id, actor, created_at) "
                + "values (?, ?, ?, ?, ?, ?, ?, ?)").params(command.uuid(), command.requestType(), command.plist(), reason,
                adamId, bundleId, actor, ts).update();
        for (Target t : targets) {
            jdbc.sql("insert into mdm_targets (command_uuid, enrollment_id, serial_number, server_id, state, next_attempt_at, "
                    + "updated_at) values (?, ?, ?, ?, 'QUEUED', ?, ?)").params(command.uuid(), t.enrollmentId(), t.serialNumber(),
                    t.serverId(), ts, ts).update();
        }
    }

    /** Delays a target's first delivery (a confirming query is asked a little after the install). */
    void notBefore(String uuid, Instant at) {
        jdbc.sql("update mdm_targets set next_attempt_at = ? where command_uuid = ? and state = 'QUEUED'")
                .params(Timestamp.from(at), uuid).update();
    }

    /** Due targets, and those a crash left SENDING (whose outcome is therefore unknown), in the order they were queued. */
    List<Due> due(Instant now, int limit) {
        return jdbc.sql("""
                select t.command_uuid, c.request_type, c.payload, t.enrollment_id, t.serial_number, t.server_id, t.attempts,
                       c.created_at, t.wire_uuid, t.unsure, t.state
                from mdm_targets t join mdm_commands c on c.command_uuid = t.command_uuid
                where (t.state = 'QUEUED' and t.next_attempt_at <= ?) or t.state = 'SENDING'
                order by t.next_attempt_at, t.command_uuid, t.enrollment_id limit ?
                """).params(Timestamp.from(now), limit).query((rs, n) -> new Due(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getString(4), rs.getString(5), (Long) rs.getObject(6, Long.class), rs.getInt(7),
                rs.getTimestamp(8).toInstant(), rs.getString(9), rs.getBoolean(10) || "SENDING".equals(rs.getString(11)))).list();
    }

    boolean hasDue(Instant now) {
        return jdbc.sql("select count(*) from mdm_targets where (state = 'QUEUED' and next_attempt_at <= ?) "
                + "or state = 'SENDING'").param(Timestamp.from(now)).query(Integer.class).single() > 0;
    }

    /** The earliest future attempt, for the delivery task to wake up. */
    Optional<Instant> nextAttempt() {
        return jdbc.sql("select min(next_attempt_at) from mdm_targets where state = 'QUEUED'")
                .query((rs, n) -> Optional.ofNullable(rs.getTimestamp(1)).map(Timestamp::toInstant)).single();
    }

    /** Every target of an earlier request with no known outcome, to be asked again in one request. */
    List<Due> unsureRequest(String wireUuid) {
        return jdbc.sql("""
                select t.command_uuid, c.request_type, c.payload, t.enrollment_id, t.serial_number, t.server_id, t.attempts,
                       c.created_at, t.wire_uuid, true
                from mdm_targets t join mdm_commands c on c.command_uuid = t.command_uuid
                where t.wire_uuid = ? and (t.state = 'SENDING' or (t.state = 'QUEUED' and t.unsure)) order by t.enrollment_id
                """).param(wireUuid).query((rs, n) -> new Due(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), (Long) rs.getObject(6, Long.class), rs.getInt(7), rs.getTimestamp(8).toInstant(),
                rs.getString(9), true)).list();
    }

    /** The targets go out in one request with CommandUUID {@code wireUuid}; recorded before the request is made. */
    void sending(String uuid, Collection<String> enrollmentIds, String wireUuid, Long serverId, Instant now) {
        jdbc.sql("update mdm_targets set state = 'SENDING', wire_uuid = :wire, server_id = :server, attempts = attempts + 1, "
                + "updated_at = :now where command_uuid = :uuid and enrollment_id in (:ids) and state in ('QUEUED', 'SENDING')")
                .param("wire", wireUuid).param("server", serverId).param("now", Timestamp.from(now)).param("uuid", uuid)
                .param("ids", enrollmentIds).update();
    }

    void delivered(String uuid, String enrollmentId, String pushError, Instant now) {
        jdbc.sql("update mdm_targets set state = 'DELIVERED', delivered_at = ?, unsure = false, push_error = ?, "
                + "pushed_at = ?, last_error = null, updated_at = ? where command_uuid = ? and enrollment_id = ? and state = 'SENDING'")
                .params(Timestamp.from(now), cap(pushError, 1000), Timestamp.from(now), Timestamp.from(now), uuid, enrollmentId)
                .update();
    }

    /**
     * Back to the queue until {@code at}. {@code unsure}: the request's outcome is unknown, so the next attempt
     * resends it with the same request UUID; otherwise the next attempt is a new request with a new UUID.
     */
    void retryLater(String uuid, String enrollmentId, String error, Instant at, boolean unsure, Instant now) {
        jdbc.sql("update mdm_targets set state = 'QUEUED', next_attempt_at = ?, last_error = ?, unsure = ?, "
                + "wire_uuid = case when ? then wire_uuid else null end, updated_at = ? "
                + "where command_uuid = ? and enrollment_id = ? and state in ('QUEUED', 'SENDING')")
                .params(Timestamp.from(at), cap(error, 2000), unsure, unsure, Timestamp.from(now), uuid, enrollmentId).update();
    }

    void failed(String uuid, String enrollmentId, String error, Instant now) {
        jdbc.sql("update mdm_targets set state = 'FAILED', last_error = ?, unsure = false, completed_at = ?, updated_at = ? "
                + "where command_uuid = ? and enrollment_id = ? and state in ('QUEUED', 'SENDING')")
                .params(cap(error, 2000), Timestamp.from(now), Timestamp.from(now), uuid, enrollmentId).update();
    }

    /** The command a channel's report answers, by the request UUID the device saw (or the logical one). */
    Optional<Sent> sent(String wireUuid, String enrollmentId) {
        String select = "select c.command_uuid, c.request_type, c.reason, c.adam_id, c.bundle_id from mdm_targets t "
                + "join mdm_commands c on c.command_uuid = t.command_uuid where t.%s = ? and t.enrollment_id = ?";
        // two index lookups rather than one 'or' (H2 would scan the table)
        return jdbc.sql(select.formatted("wire_uuid")).params(wireUuid, enrollmentId).query(CommandQueue::sent).optional()
                .or(() -> jdbc.sql(select.formatted("command_uuid")).params(wireUuid, enrollmentId).query(CommandQueue::sent)
                        .optional());
    }

    private static Sent sent(ResultSet rs, int n) throws SQLException {
        return new Sent(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5));
    }

    /**
     * The device's report: ACKNOWLEDGED or ERROR ends the target; NotNow keeps it delivered (the MDM retries). A
     * report can arrive before Orchard recorded the delivery (NanoMDM's events race its API answer), so any state
     * but CANCELLED takes it.
     */
    boolean reported(String uuid, String enrollmentId, String state, String result, Instant now) {
        boolean done = !"DELIVERED".equals(state);
        return jdbc.sql("update mdm_targets set state = ?, result = ?, unsure = false, completed_at = ?, "
                + "delivered_at = coalesce(delivered_at, ?), updated_at = ? "
                + "where command_uuid = ? and enrollment_id = ? and state not in ('CANCELLED', 'ACKNOWLEDGED', 'ERROR')")
                .params(state, cap(result, 2000), done ? Timestamp.from(now) : null, Timestamp.from(now), Timestamp.from(now),
                        uuid, enrollmentId).update() > 0;
    }

    /** Targets the MDM holds that the device has not answered yet (a push may help). */
    List<Due> awaitingDevice(String uuid) {
        return jdbc.sql("""
                select t.command_uuid, c.request_type, c.payload, t.enrollment_id, t.serial_number, t.server_id, t.attempts,
                       c.created_at, t.wire_uuid, t.unsure
                from mdm_targets t join mdm_commands c on c.command_uuid = t.command_uuid
                where t.command_uuid = ? and t.state = 'DELIVERED' order by t.enrollment_id
                """).param(uuid).query((rs, n) -> new Due(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), (Long) rs.getObject(6, Long.class), rs.getInt(7), rs.getTimestamp(8).toInstant(),
                rs.getString(9), rs.getBoolean(10))).list();
    }

    void pushed(String uuid, String enrollmentId, String pushError, Instant now) {
        jdbc.sql("update mdm_targets set pushed_at = ?, push_error = ?, updated_at = ? where command_uuid = ? and enrollment_id = ?")
                .params(Timestamp.from(now), cap(pushError, 1000), Timestamp.from(now), uuid, enrollmentId).update();
    }

    /**
     * Channels with a command a NanoMDM server took more than {@code quiet} ago that the device never answered (other
     * MDMs report no command results), asked again fewer than {@code maxAsks} times, least recently asked first.
     */
    List<String> unanswered(Instant now, Duration quiet, int maxAsks, int limit) {
        return jdbc.sql("select t.enrollment_id from mdm_targets t join mdm_servers s on s.id = t.server_id "
                + "left join mdm_channels c on c.enrollment_id = t.enrollment_id "
                + "where t.state = 'DELIVERED' and t.delivered_at < ? and s.kind = 'NANOMDM' and coalesce(c.asks, 0) < ? "
                + "group by t.enrollment_id order by min(c.asked_at) nulls first, t.enrollment_id limit ?")
                .params(Timestamp.from(now.minus(quiet)), maxAsks, limit).query(String.class).list();
    }

    /** An operator sends a failed or errored target again. */
    int retry(String uuid, Instant now) {
        return jdbc.sql("update mdm_targets set state = 'QUEUED', next_attempt_at = ?, attempts = 0, completed_at = null, "
                + "wire_uuid = null, unsure = false, updated_at = ? where command_uuid = ? and state in ('FAILED', 'ERROR', 'CANCELLED')")
                .params(Timestamp.from(now), Timestamp.from(now), uuid).update();
    }

    int cancel(String uuid, Instant now) {
        return jdbc.sql("update mdm_targets set state = 'CANCELLED', completed_at = ?, updated_at = ? "
                + "where command_uuid = ? and state = 'QUEUED' and not unsure")
                .params(Timestamp.from(now), Timestamp.from(now), uuid).update();
    }

    /** Gives a channel that was queued before its serial number was known its device. */
    void identified(String enrollmentId, String serial) {
        jdbc.sql("update mdm_targets set serial_number = ? where enrollment_id = ? and serial_number is null")
                .params(serial, enrollmentId).update();
    }

    Optional<MdmCommandView> find(String uuid) {
        return jdbc.sql("select * from mdm_commands where command_uuid = ?").param(uuid)
                .query((rs, n) -> view(rs, targets(uuid))).optional();
    }

    /** Newest first, keyset by (created_at, uuid) after {@code beforeUuid}; filters are optional. */
    List<MdmCommandView> page(String serial, String state, String requestType, String beforeUuid, int limit) {
        Timestamp beforeAt = beforeUuid == null ? null : jdbc.sql("select created_at from mdm_commands where command_uuid = ?")
                .param(beforeUuid).query(Timestamp.class).optional().orElse(null);
        String targetFilter = serial == null && state == null ? null : "x";
        List<String> ids = jdbc.sql("""
                select c.command_uuid from mdm_commands c
                where (cast(? as varchar) is null or c.request_type = ?)
                  and (cast(? as varchar) is null or exists (select 1 from mdm_targets t where t.command_uuid = c.command_uuid
                        and (cast(? as varchar) is null or t.serial_number = ?) and (cast(? as varchar) is null or t.state = ?)))
                  and (cast(? as timestamp) is null or c.created_at < ? or (c.created_at = ? and c.command_uuid < ?))
                order by c.created_at desc, c.command_uuid desc limit ?
                """).params(requestType, requestType, targetFilter, serial, serial, state, state, beforeAt, beforeAt, beforeAt,
                beforeUuid, limit).query(String.class).list();
        return ids.stream().map(id -> find(id).orElseThrow()).toList();
    }

    private List<MdmCommandView.Target> targets(String uuid) {
        return jdbc.sql("select * from mdm_targets where command_uuid = ? order by serial_number, enrollment_id").param(uuid)
                .query((rs, n) -> new MdmCommandView.Target(rs.getString("serial_number"), rs.getString("enrollment_id"),
                        (Long) rs.getObject("server_id", Long.class), rs.getString("state"), rs.getInt("attempts"),
                        instant(rs, "next_attempt_at"), instant(rs, "delivered_at"), instant(rs, "completed_at"),
                        rs.getString("last_error"), rs.getString("result"), rs.getString("wire_uuid"),
                        rs.getString("push_error"), instant(rs, "pushed_at"))).list();
    }

    private static MdmCommandView view(ResultSet rs, List<MdmCommandView.Target> targets) throws SQLException {
        return new MdmCommandView(rs.getString("command_uuid"), rs.getString("request_type"), rs.getString("reason"),
                rs.getString("adam_id"), rs.getString("bundle_id"), rs.getString("actor"), instant(rs, "created_at"), targets);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    private static String cap(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
