package dev.orchard.server.mdm;

import java.sql.Timestamp;
import java.time.Instant;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.orchard.server.system.Retention;
import dev.orchard.server.system.RetentionProperties;

/**
 * MDM commands {@code orchard.retention.mdm-commands} after they were created, once none of their targets is still
 * queued or being sent (their targets go with them). The daily app-list queries alone add one command per device
 * a day.
 */
@Component
class CommandRetention implements Retention {

    private final JdbcClient jdbc;
    private final RetentionProperties properties;

    CommandRetention(JdbcClient jdbc, RetentionProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    @Override
    public String what() {
        return "MDM commands";
    }

    @Override
    public int prune(Instant now, int limit) {
        if (!RetentionProperties.prunes(properties.mdmCommands())) {
            return 0;
        }
        return jdbc.sql("""
                delete from mdm_commands where command_uuid in (select c.command_uuid from mdm_commands c
                  where c.created_at < ? and not exists (select 1 from mdm_targets t where t.command_uuid = c.command_uuid
                      and t.state in ('QUEUED', 'SENDING'))
                  order by c.created_at limit ?)
                """).params(Timestamp.from(now.minus(properties.mdmCommands())), limit).update();
    }
}
