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
 * The mdm_channels table: every channel an MDM reported, by its enrollment id, with the {@link EnrolmentFacts} its
 * events carried and the device it belongs to once known. Events of one channel are applied one at a time: the row is
 * created if missing and then locked ({@code for update}) for the rest of the event's transaction.
 */
@Repository
class Channels {

    /** A stored channel. {@code serialNumber} is null until Orchard knows which device it is. */
    record Stored(Channel channel, Long serverId, String udid, String serialNumber, String userId, String userShortName,
                  EnrolmentFacts facts, Instant askedAt, int asks) {
        boolean identified() {
            return serialNumber != null;
        }
    }

    private final JdbcClient jdbc;

    Channels(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The channel, created if it is new, locked until the transaction ends. */
    Stored lock(Channel c, Long serverId, Instant now) {
        // the channel exists for every event but its first: update first, and insert only when nothing was there (an
        // insert that conflicts costs H2 a caught duplicate-key exception, and it came with every event)
        if (jdbc.sql("update mdm_channels set server_id = coalesce(?, server_id) where enrollment_id = ?")
                .params(serverId, c.id()).update() == 0) {
            jdbc.sql("insert into mdm_channels (enrollment_id, channel_type, parent_id, server_id, updated_at) "
                    + "values (?, ?, ?, ?, ?) on conflict do nothing").params(c.id(), c.type().name(), c.parentId(), serverId,
                    Timestamp.from(now)).update();
            // a concurrent first event may have inserted it meanwhile: its server is this one's too
            jdbc.sql("update mdm_channels set server_id = coalesce(?, server_id) where enrollment_id = ?")
                    .params(serverId, c.id()).update();
        }
        return jdbc.sql("select * from mdm_channels where enrollment_id = ? for update").param(c.id())
                .query(Channels::map).single();
    }

    Optional<Stored> find(String enrollmentId) {
        return jdbc.sql("select * from mdm_channels where enrollment_id = ?").param(enrollmentId).query(Channels::map).optional();
    }

    /** The user channels of a device channel, newest token update first. */
    List<Stored> children(String parentId) {
        return jdbc.sql("select * from mdm_channels where parent_id = ? order by token_updated_at desc nulls last")
                .param(parentId).query(Channels::map).list();
    }

    void save(String id, EnrolmentFacts f, Instant now) {
        jdbc.sql("""
                update mdm_channels set authenticated_at = ?, token_updated_at = ?, token_update_tally = ?, checked_out_at = ?,
                       reported_at = ?, enrolled_at = ?, updated_at = ? where enrollment_id = ?
                """).params(ts(f.authenticatedAt()), ts(f.tokenUpdatedAt()), f.tally(), ts(f.checkedOutAt()), ts(f.reportedAt()),
                ts(f.enrolledAt()), Timestamp.from(now), id).update();
    }

    void identify(String id, String serial, String udid, Instant now) {
        jdbc.sql("update mdm_channels set serial_number = ?, udid = coalesce(?, udid), updated_at = ? where enrollment_id = ?")
                .params(serial, udid, Timestamp.from(now), id).update();
    }

    void user(String id, String userId, String shortName) {
        jdbc.sql("update mdm_channels set user_id = coalesce(?, user_id), user_short_name = coalesce(?, user_short_name) "
                + "where enrollment_id = ?").params(userId, shortName, id).update();
    }

    /** Orchard asked the channel again; {@code reset} when it answered (the next silence starts a new count). */
    void asked(String id, Instant at, boolean reset) {
        jdbc.sql("update mdm_channels set asked_at = ?, asks = case when ? then 0 else asks + 1 end where enrollment_id = ?")
                .params(ts(at), reset, id).update();
    }

    /** Device channels that checked in without Orchard learning which device they are, with asks left. */
    List<Stored> unidentified(int maxAsks, int limit) {
        return jdbc.sql("select * from mdm_channels where serial_number is null and channel_type in ('DEVICE', "
                + "'USER_ENROLLMENT_DEVICE') and token_updated_at is not null and asks < ? order by asked_at nulls first limit ?")
                .params(maxAsks, limit).query(Channels::map).list();
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Stored map(ResultSet rs, int n) throws SQLException {
        var channel = new Channel(rs.getString("enrollment_id"), Channel.Type.valueOf(rs.getString("channel_type")),
                rs.getString("parent_id"));
        var facts = new EnrolmentFacts(instant(rs, "authenticated_at"), instant(rs, "token_updated_at"),
                rs.getInt("token_update_tally"), instant(rs, "checked_out_at"), instant(rs, "reported_at"),
                instant(rs, "enrolled_at"));
        return new Stored(channel, (Long) rs.getObject("server_id", Long.class), rs.getString("udid"),
                rs.getString("serial_number"), rs.getString("user_id"), rs.getString("user_short_name"), facts,
                instant(rs, "asked_at"), rs.getInt("asks"));
    }
}
