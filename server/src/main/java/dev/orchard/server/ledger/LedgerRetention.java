package dev.orchard.server.ledger;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.orchard.server.system.Retention;

/**
 * The record of licenses Apple confirmed removed ({@code license_removals}), kept only while a sync page requested
 * before the removal can still be applied. A page is applied within seconds of its request, and a walk that is
 * interrupted fetches its page again; a day is far beyond that, so the age is not configurable.
 */
@Component
class LedgerRetention implements Retention {

    static final Duration REMOVALS = Duration.ofDays(1);

    private final JdbcClient jdbc;

    LedgerRetention(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String what() {
        return "license removals";
    }

    @Override
    public int prune(Instant now, int limit) {
        return jdbc.sql("delete from license_removals where id in (select id from license_removals where removed_at < ? "
                + "order by id limit ?)").params(Timestamp.from(now.minus(REMOVALS)), limit).update();
    }
}
