package dev.orchard.server.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.server.TestDatabases;
import dev.orchard.server.ledger.LedgerQueries;

/**
 * The pool forecast on both databases: one sample a day however often it is taken; no forecast before three days of
 * samples, nor for a pool whose use did not grow; otherwise the licenses left divided by the use per day since the
 * oldest sample of the last two weeks.
 */
class PoolSamplesTests {

    static Stream<Arguments> databases() {
        return Stream.of(Arguments.of("H2", TestDatabases.h2()), Arguments.of("PostgreSQL", TestDatabases.postgres()));
    }

    private static final Instant DAY0 = Instant.parse("2026-12-01T09:00:00Z");

    private static LedgerQueries.Pool pool(long assigned, long total) {
        return new LedgerQueries.Pool(1, "A", "361309726", "STDQ", "App", total, assigned, total - assigned, 0L, false, true,
                true, List.of("iOS"), DAY0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void forecastsFromTheUseOfTheLastTwoWeeks(String db, DataSource ds) {
        JdbcClient jdbc = JdbcClient.create(ds);
        jdbc.sql("insert into accounts (id, name, org_name, location_uid, token_ciphertext, token_hint, expires_at, priority, state, "
                + "created_at, updated_at) values (1, 'A', 'Org', 'loc-1', 'x', 'y', ?, 1, 'ACTIVE', ?, ?)")
                .params(java.sql.Timestamp.from(DAY0.plus(300, ChronoUnit.DAYS)), java.sql.Timestamp.from(DAY0),
                        java.sql.Timestamp.from(DAY0)).update();
        var samples = new PoolSamples(jdbc);
        samples.record(pool(100, 200), DAY0);
        samples.record(pool(150, 200), DAY0.plus(5, ChronoUnit.HOURS)); // the same day: kept as it was
        assertThat(jdbc.sql("select count(*) from alert_pool_samples").query(Long.class).single()).isEqualTo(1);

        assertThat(samples.daysLeft(pool(110, 200), DAY0.plus(2, ChronoUnit.DAYS))).as("two days are too few").isEmpty();
        assertThat(samples.daysLeft(pool(100, 200), DAY0.plus(4, ChronoUnit.DAYS))).as("no growth").isEmpty();
        // 40 more in 4 days = 10 a day; 60 left = 6 days
        assertThat(samples.daysLeft(pool(140, 200), DAY0.plus(4, ChronoUnit.DAYS)).getAsDouble()).isEqualTo(6.0);
        // beyond the window the oldest sample is not used; a newer one is
        samples.record(pool(140, 200), DAY0.plus(4, ChronoUnit.DAYS));
        assertThat(samples.daysLeft(pool(160, 200), DAY0.plus(18, ChronoUnit.DAYS)).getAsDouble()).isEqualTo(28.0);
        samples.pruneBefore(java.time.LocalDate.of(2026, 12, 3));
        assertThat(jdbc.sql("select count(*) from alert_pool_samples").query(Long.class).single()).isEqualTo(1);
    }
}
