package dev.orchard.server.system;

import java.time.Clock;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * This Orchard installation's stable identity, used as Apple's {@code mdmInfo.id} so a takeover by another MDM
 * (or by another Orchard) can be recognised. Created once, shared by every node on the same database.
 */
@Component
public class Installation {

    public static final String MDM_NAME = "Orchard";

    private final JdbcClient jdbc;
    private final Clock clock;
    private final TransactionTemplate tx;
    private volatile String id;

    Installation(JdbcClient jdbc, Clock clock, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.tx = tx;
    }

    public String id() {
        String known = id;
        if (known == null) {
            known = tx.execute(s -> jdbc.sql("select id from installation").query(String.class).optional()
                    .orElseGet(this::create));
            id = known;
        }
        return known;
    }

    private String create() {
        try {
            jdbc.sql("insert into installation (id, created_at) values (?, ?)")
                    .params(UUID.randomUUID().toString(), java.sql.Timestamp.from(clock.instant())).update();
        } catch (org.springframework.dao.DuplicateKeyException raced) {
            // another node created it first; its id wins
        }
        return jdbc.sql("select id from installation").query(String.class).single();
    }

    /** {@code mdmInfo.metadata}: what Apple shows about the MDM holding a location. */
    public String metadata() {
        String version = Installation.class.getPackage().getImplementationVersion();
        return "Orchard " + (version == null ? "dev" : version);
    }
}
