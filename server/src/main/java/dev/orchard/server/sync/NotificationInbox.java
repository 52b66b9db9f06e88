package dev.orchard.server.sync;

import java.sql.Timestamp;
import java.time.Clock;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.orchard.apple.model.AppleNotification;
import dev.orchard.server.accounts.AccountId;

/**
 * Apple's notifications, stored as received before Apple gets its answer so none is lost; a repeated
 * {@code notificationId} (Apple delivers at least once, up to 3 times) is recognised and ignored.
 */
@Component
public class NotificationInbox {

    private final JdbcClient jdbc;
    private final Clock clock;

    NotificationInbox(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** A notification that failed validation, as kept for inspection. */
    public record Rejected(long id, String notificationId, String type, java.time.Instant receivedAt, String reason, String body) {
    }

    /** Stores a notification that failed validation as processed, with the reason; it changes nothing. */
    public void reject(AccountId account, AppleNotification notification, String body, String reason) {
        try {
            jdbc.sql("""
                    insert into apple_notifications (account_id, notification_id, notification_type, body, received_at,
                                                     processed_at, rejected_reason)
                    values (?, ?, ?, ?, ?, ?, ?)
                    """).params(account.value(), notification.notificationId(), notification.notificationType(), body,
                    Timestamp.from(clock.instant()), Timestamp.from(clock.instant()), reason).update();
        } catch (DuplicateKeyException duplicate) {
            // Apple's retry of the same notification: kept once
        }
    }

    /** The account's rejected notifications, newest first. */
    public java.util.List<Rejected> rejected(AccountId account, int limit) {
        return jdbc.sql("""
                select id, notification_id, notification_type, received_at, rejected_reason, body from apple_notifications
                where account_id = ? and rejected_reason is not null order by id desc limit ?
                """).params(account.value(), limit).query((rs, n) -> new Rejected(rs.getLong(1), rs.getString(2), rs.getString(3),
                rs.getTimestamp(4).toInstant(), rs.getString(5), rs.getString(6))).list();
    }

    /** Stores a notification; false when it was already received. */
    public boolean accept(AccountId account, AppleNotification notification, String body) {
        try {
            jdbc.sql("""
                    insert into apple_notifications (account_id, notification_id, notification_type, body, received_at)
                    values (?, ?, ?, ?, ?)
                    """).params(account.value(), notification.notificationId(), notification.notificationType(), body,
                    Timestamp.from(clock.instant())).update();
            return true;
        } catch (DuplicateKeyException duplicate) {
            return false;
        }
    }

}
