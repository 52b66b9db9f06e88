package dev.orchard.server.operations;

import java.sql.Timestamp;
import java.time.Instant;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.orchard.server.system.Retention;
import dev.orchard.server.system.RetentionProperties;

/** Finished Apple operations and their targets, {@code orchard.retention.operations} after they ended. */
@Component
class OperationRetention implements Retention {

    private final JdbcClient jdbc;
    private final RetentionProperties properties;

    OperationRetention(JdbcClient jdbc, RetentionProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    @Override
    public String what() {
        return "operations";
    }

    @Override
    public int prune(Instant now, int limit) {
        if (!RetentionProperties.prunes(properties.operations())) {
            return 0;
        }
        Timestamp before = Timestamp.from(now.minus(properties.operations()));
        int targets = jdbc.sql("""
                delete from operation_targets where id in (select id from operation_targets
                  where state in ('DONE', 'FAILED', 'CANCELLED') and updated_at < ? order by id limit ?)
                """).params(before, limit).update();
        int operations = jdbc.sql("""
                delete from operations where id in (select o.id from operations o
                  where o.state in ('COMPLETE', 'FAILED', 'RETRIED') and o.completed_at < ?
                    and not exists (select 1 from operation_targets t where t.operation_id = o.id)
                  order by o.id limit ?)
                """).params(before, limit).update();
        return Math.max(targets, operations);
    }
}
