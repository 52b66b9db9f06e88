package dev.orchard.server.sync;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedules;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.ledger.LedgerQueries;

/**
 * Drift counts per account (licenses found at Apple that Orchard did not assign; Orchard's that Apple lacks), as of
 * the last count. Counting a million-row ledger takes hundreds of milliseconds, too slow for every page view, so the
 * {@code drift-counts} task recounts every minute (one node) and the dashboard reads the stored numbers.
 */
@Configuration(proxyBeanMethods = false)
public class DriftCounts {

    /** An account's drift as of {@code computedAt}. */
    public record Counts(long external, long missing, Instant computedAt) {
    }

    private final JdbcClient jdbc;
    private final LedgerQueries ledger;
    private final Clock clock;

    DriftCounts(JdbcClient jdbc, LedgerQueries ledger, Clock clock) {
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.clock = clock;
    }

    @Bean
    static Task<Void> driftCountsTask(DriftCounts counts, java.time.Clock clock) {
        return Tasks.recurring("drift-counts", Schedules.fixedDelay(Duration.ofMinutes(1)))
                .onDeadExecution(dev.orchard.server.system.Scheduling.reviveNow(clock)).execute((i, c) -> counts.recount());
    }

    /** Recounts every account. */
    public void recount() {
        jdbc.sql("select id from accounts").query(Long.class).list().forEach(id -> recount(new AccountId(id)));
    }

    /** Recounts one account (after its sync). */
    public void recount(AccountId id) {
        Timestamp now = Timestamp.from(clock.instant());
        long account = id.value();
        LedgerQueries.DriftCount c = ledger.countDrift(id);
        if (jdbc.sql("update drift_counts set external = ?, missing = ?, computed_at = ? where account_id = ?")
                .params(c.external(), c.missing(), now, account).update() == 0) {
            jdbc.sql("insert into drift_counts (account_id, external, missing, computed_at) values (?, ?, ?, ?)")
                    .params(account, c.external(), c.missing(), now).update();
        }
    }

    /** The stored counts; empty until the first count after the account was added. */
    public Optional<Counts> of(AccountId account) {
        return jdbc.sql("select external, missing, computed_at from drift_counts where account_id = ?").param(account.value())
                .query((rs, n) -> new Counts(rs.getLong(1), rs.getLong(2), rs.getTimestamp(3).toInstant())).optional();
    }
}
