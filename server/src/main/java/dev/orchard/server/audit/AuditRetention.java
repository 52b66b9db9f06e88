package dev.orchard.server.audit;

import java.sql.Timestamp;
import java.time.Instant;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.orchard.server.system.Retention;
import dev.orchard.server.system.RetentionProperties;

/** Audit entries older than {@code orchard.retention.audit}; by default the trail is kept forever. */
@Component
class AuditRetention implements Retention {

    private final JdbcClient jdbc;
    private final RetentionProperties properties;

    AuditRetention(JdbcClient jdbc, RetentionProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    @Override
    public String what() {
        return "audit entries";
    }

    @Override
    public int prune(Instant now, int limit) {
        if (!RetentionProperties.prunes(properties.audit())) {
            return 0;
        }
        return jdbc.sql("delete from audit_events where id in (select id from audit_events where at < ? order by id limit ?)")
                .params(Timestamp.from(now.minus(properties.audit())), limit).update();
    }
}
