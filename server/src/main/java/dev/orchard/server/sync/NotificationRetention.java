package dev.orchard.server.sync;

import java.sql.Timestamp;
import java.time.Instant;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.orchard.server.system.Retention;
import dev.orchard.server.system.RetentionProperties;

/**
 * Processed Apple notifications ({@code orchard.retention.notifications} after processing; unprocessed ones are
 * never deleted) and the history of sync runs ({@code orchard.retention.sync-runs} after they ended).
 */
@Component
class NotificationRetention implements Retention {

    private final JdbcClient jdbc;
    private final RetentionProperties properties;

    NotificationRetention(JdbcClient jdbc, RetentionProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    @Override
    public String what() {
        return "Apple notifications and sync runs";
    }

    @Override
    public int prune(Instant now, int limit) {
        int notifications = !RetentionProperties.prunes(properties.notifications()) ? 0 : jdbc.sql("""
                delete from apple_notifications where id in (select id from apple_notifications
                  where processed_at is not null and processed_at < ? order by id limit ?)
                """).params(Timestamp.from(now.minus(properties.notifications())), limit).update();
        int runs = !RetentionProperties.prunes(properties.syncRuns()) ? 0 : jdbc.sql("""
                delete from sync_runs where id in (select id from sync_runs where finished_at is not null and finished_at < ?
                  order by id limit ?)
                """).params(Timestamp.from(now.minus(properties.syncRuns())), limit).update();
        return Math.max(notifications, runs);
    }
}
