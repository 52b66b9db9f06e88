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
