package dev.orchard.server.alerts;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.OptionalDouble;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.orchard.server.ledger.LedgerQueries;

/**
 * A pool's assigned count once a day (the {@code alert_pool_samples} table), and the forecast drawn from it: the
 * consumption per day since the oldest sample of the last {@value #WINDOW_DAYS} days, and the days the licenses left
 * last at that pace. A pool with fewer than {@value #MIN_DAYS} days of samples, or whose use did not grow, has no
 * forecast.
 */
@Repository
class PoolSamples {

    static final int WINDOW_DAYS = 14;
    static final int MIN_DAYS = 3;
    /** Samples older than this are deleted by the retention task. */
    static final int KEEP_DAYS = 30;

    private final JdbcClient jdbc;
    /**
     * What this node did today per pool: a sample written and the forecast read change once a day, and the alert task
     * asks every minute for every pool (10,000 pools at organisation scale), so each is read or written once a day.
     */
    private final java.util.Map<String, LocalDate> sampled = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, Forecast> forecasts = new java.util.concurrent.ConcurrentHashMap<>();

    private record Forecast(LocalDate day, long assigned, OptionalDouble daysLeft) {
    }

    PoolSamples(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    private static String key(LedgerQueries.Pool p) {
        return p.accountId() + "/" + p.adamId() + "/" + p.pricingParam();
    }

    /** Today's sample of the pool, unless it has one. */
    void record(LedgerQueries.Pool p, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (today.equals(sampled.get(key(p)))) {
            return;
        }
        sampled.put(key(p), today);
        jdbc.sql("insert into alert_pool_samples (account_id, adam_id, pricing_param, sampled_on, assigned) "
                        + "select ?, ?, ?, ?, ? where not exists (select 1 from alert_pool_samples where account_id = ? "
                        + "and adam_id = ? and pricing_param = ? and sampled_on = ?)")
                .params(p.accountId(), p.adamId(), p.pricingParam(), today, p.assigned(), p.accountId(), p.adamId(),
                        p.pricingParam(), today).update();
    }

    /** Days until the pool runs out at its recent pace; empty when there is no pace to go by. */
    OptionalDouble daysLeft(LedgerQueries.Pool p, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Forecast known = forecasts.get(key(p));
        if (known != null && known.day().equals(today) && known.assigned() == p.assigned()) {
            return known.daysLeft();
        }
        OptionalDouble days = forecast(p, today);
        forecasts.put(key(p), new Forecast(today, p.assigned(), days));
        return days;
    }

    private OptionalDouble forecast(LedgerQueries.Pool p, LocalDate today) {
        var oldest = jdbc.sql("select sampled_on, assigned from alert_pool_samples where account_id = ? and adam_id = ? "
                        + "and pricing_param = ? and sampled_on >= ? order by sampled_on limit 1")
                .params(p.accountId(), p.adamId(), p.pricingParam(), today.minusDays(WINDOW_DAYS))
                .query((rs, n) -> new Object[] {rs.getObject(1, LocalDate.class), rs.getLong(2)}).optional();
        if (oldest.isEmpty()) {
            return OptionalDouble.empty();
        }
        long days = ChronoUnit.DAYS.between((LocalDate) oldest.get()[0], today);
        long used = p.assigned() - (Long) oldest.get()[1];
        if (days < MIN_DAYS || used <= 0 || p.available() == null) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(p.available() / ((double) used / days));
    }

    /** Deletes the samples before {@code day} (a few per pool and day: one statement). */
    int pruneBefore(LocalDate day) {
        return jdbc.sql("delete from alert_pool_samples where sampled_on < ?").param(day).update();
    }
}
