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
 * The durable queue of MDM commands (mdm_commands, mdm_command_targets): a command is recorded with its devices in
 * the transaction that decided it, and each device's delivery and result are tracked on its own row.
 * Target states: QUEUED (due at next_attempt_at), SENDING (handed to the connector), DELIVERED (the MDM has it),
 * ACKNOWLEDGED, ERROR (the device reported an error), FAILED (delivery gave up), CANCELLED.
 */
@Repository
class CommandQueue {

    /** A device a command goes to, on a channel of its enrolment, through a server (null: the default one). */
    record Target(String serialNumber, String enrollmentId, Long serverId) {
    }

    /** A target whose delivery is due. */
    record Due(String commandUuid, String requestType, String payload, String serialNumber, String enrollmentId,
               Long serverId, int attempts, Instant createdAt) {
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
            jdbc.sql("insert into mdm_command_targets (command_uuid, serial_number, enrollment_id, server_id, state, "
                    + "next_attempt_at, updated_at) values (?, ?, ?, ?, 'QUEUED', ?, ?)").params(command.uuid(), t.serialNumber(),
                    t.enrollmentId(), t.serverId(), ts, ts).update();
        }
    }

    /** Delays a target's first delivery (a confirming query is asked a little after the install). */
    void notBefore(String uuid, Instant at) {
        jdbc.sql("update mdm_command_targets set next_attempt_at = ? where command_uuid = ? and state = 'QUEUED'")
                .params(Timestamp.from(at), uuid).update();
    }

    /** Due targets (and those a crash left SENDING) in the order they were queued. */
    List<Due> due(Instant now, int limit) {
        return jdbc.sql("""
                select t.command_uuid, c.request_type, c.payload, t.serial_number, t.enrollment_id, t.server_id, t.attempts,
                       c.created_at
                from mdm_command_targets t join mdm_commands c on c.command_uuid = t.command_uuid
                where (t.state = 'QUEUED' and t.next_attempt_at <= ?) or t.state = 'SENDING'
                order by t.next_attempt_at, t.command_uuid limit ?
                """).params(Timestamp.from(now), limit).query((rs, n) -> new Due(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getString(4), rs.getString(5), (Long) rs.getObject(6, Long.class), rs.getInt(7),
                rs.getTimestamp(8).toInstant())).list();
    }

    boolean hasDue(Instant now) {
        return jdbc.sql("select count(*) from mdm_command_targets where (state = 'QUEUED' and next_attempt_at <= ?) "
                + "or state = 'SENDING'").param(Timestamp.from(now)).query(Integer.class).single() > 0;
    }

    /** Counts a request to deliver now; the delivery task compares the count before and after it runs. */
    void requestDelivery() {
        jdbc.sql("update mdm_delivery set requests = requests + 1 where id = 1").update();
    }

    long deliveryRequests() {
        return jdbc.sql("select requests from mdm_delivery where id = 1").query(Long.class).single();
    }

    /** The earliest future attempt, for the delivery task to wake up. */
    Optional<Instant> nextAttempt() {
        return jdbc.sql("select min(next_attempt_at) from mdm_command_targets where state = 'QUEUED'")
                .query((rs, n) -> Optional.ofNullable(rs.getTimestamp(1)).map(Timestamp::toInstant)).single();
    }

    void sending(String uuid, String serial, Long serverId, Instant now) {
        jdbc.sql("update mdm_command_targets set state = 'SENDING', server_id = ?, attempts = attempts + 1, updated_at = ? "
                + "where command_uuid = ? and serial_number = ? and state in ('QUEUED', 'SENDING')")
                .params(serverId, Timestamp.from(now), uuid, serial).update();
    }

    void delivered(String uuid, String serial, String note, Instant now) {
        jdbc.sql("update mdm_command_targets set state = 'DELIVERED', delivered_at = ?, last_error = ?, updated_at = ? "
                + "where command_uuid = ? and serial_number = ? and state = 'SENDING'")
                .params(Timestamp.from(now), note, Timestamp.from(now), uuid, serial).update();
    }

    void retryLater(String uuid, String serial, String error, Instant at, Instant now) {
        jdbc.sql("update mdm_command_targets set state = 'QUEUED', next_attempt_at = ?, last_error = ?, updated_at = ? "
                + "where command_uuid = ? and serial_number = ? and state in ('QUEUED', 'SENDING')")
                .params(Timestamp.from(at), cap(error), Timestamp.from(now), uuid, serial).update();
    }

    void failed(String uuid, String serial, String error, Instant now) {
        jdbc.sql("update mdm_command_targets set state = 'FAILED', last_error = ?, completed_at = ?, updated_at = ? "
                + "where command_uuid = ? and serial_number = ? and state in ('QUEUED', 'SENDING')")
                .params(cap(error), Timestamp.from(now), Timestamp.from(now), uuid, serial).update();
    }

    /** The device's report: ACKNOWLEDGED or ERROR ends the target; NotNow keeps it delivered (the MDM retries). */
    boolean reported(String uuid, String serial, String state, String result, Instant now) {
        boolean done = !"DELIVERED".equals(state);
        return jdbc.sql("update mdm_command_targets set state = ?, result = ?, completed_at = ?, updated_at = ? "
                + "where command_uuid = ? and serial_number = ? and state not in ('CANCELLED')")
                .params(state, cap(result), done ? Timestamp.from(now) : null, Timestamp.from(now), uuid, serial).update() > 0;
    }

    /** An operator sends a failed or errored target again. */
    int retry(String uuid, Instant now) {
        return jdbc.sql("update mdm_command_targets set state = 'QUEUED', next_attempt_at = ?, attempts = 0, completed_at = null, "
                + "updated_at = ? where command_uuid = ? and state in ('FAILED', 'ERROR', 'CANCELLED')")
                .params(Timestamp.from(now), Timestamp.from(now), uuid).update();
    }

    int cancel(String uuid, Instant now) {
        return jdbc.sql("update mdm_command_targets set state = 'CANCELLED', completed_at = ?, updated_at = ? "
                + "where command_uuid = ? and state = 'QUEUED'").params(Timestamp.from(now), Timestamp.from(now), uuid).update();
    }

    Optional<String[]> command(String uuid) {
        return jdbc.sql("select request_type, reason, adam_id, bundle_id from mdm_commands where command_uuid = ?").param(uuid)
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)}).optional();
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
                  and (cast(? as varchar) is null or exists (select 1 from mdm_command_targets t where t.command_uuid = c.command_uuid
                        and (cast(? as varchar) is null or t.serial_number = ?) and (cast(? as varchar) is null or t.state = ?)))
                  and (cast(? as timestamp) is null or c.created_at < ? or (c.created_at = ? and c.command_uuid < ?))
                order by c.created_at desc, c.command_uuid desc limit ?
                """).params(requestType, requestType, targetFilter, serial, serial, state, state, beforeAt, beforeAt, beforeAt,
                beforeUuid, limit).query(String.class).list();
        return ids.stream().map(id -> find(id).orElseThrow()).toList();
    }

    private List<MdmCommandView.Target> targets(String uuid) {
        return jdbc.sql("select * from mdm_command_targets where command_uuid = ? order by serial_number").param(uuid)
                .query((rs, n) -> new MdmCommandView.Target(rs.getString("serial_number"), rs.getString("enrollment_id"),
                        (Long) rs.getObject("server_id", Long.class), rs.getString("state"), rs.getInt("attempts"),
                        instant(rs, "next_attempt_at"), instant(rs, "delivered_at"), instant(rs, "completed_at"),
                        rs.getString("last_error"), rs.getString("result"))).list();
    }

    private static MdmCommandView view(ResultSet rs, List<MdmCommandView.Target> targets) throws SQLException {
        return new MdmCommandView(rs.getString("command_uuid"), rs.getString("request_type"), rs.getString("reason"),
                rs.getString("adam_id"), rs.getString("bundle_id"), rs.getString("actor"), instant(rs, "created_at"), targets);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    private static String cap(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 2000);
    }
}
