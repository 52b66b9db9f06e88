package dev.orchard.server.system;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Keeps PostgreSQL's planner statistics of the tables that grow in bursts (a rollout, an inventory upload, a first
 * sync) close to their size. Autovacuum analyses a table once a tenth of it changed and at most once a minute per
 * database; a table that grows from nothing to 100,000 rows in a minute is planned all that time as if it were empty,
 * and PostgreSQL then walked the wrong index for each license (measured in {@code LicensingBench}). Writers report
 * how many rows they added; once a table grew by a fifth since its last analysis (and by at least
 * {@value #MIN_GROWTH} rows) it is analysed again on a background thread with its own connection, never in the
 * writer's transaction (the rows of that transaction are counted at the next analysis). A sync's pages keep their own,
 * measured schedule ({@code LedgerPages.grew}: after pages 1, 2, 4 … 64, then every 100). Nothing happens on H2, which keeps its own statistics current ({@code ANALYZE_AUTO}).
 */
@Component
public class PlannerStatistics implements DisposableBean {

    /** The tables whose growth is reported; the names are the tables' own. */
    public enum Table { LICENSES, OPERATION_TARGETS, DEVICES }

    static final long MIN_GROWTH = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(PlannerStatistics.class);

    private final DataSource dataSource;
    private final boolean postgres;
    private final Map<Table, AtomicLong> grown = new ConcurrentHashMap<>();
    private final Map<Table, AtomicLong> analysed = new ConcurrentHashMap<>();
    private final ExecutorService analyser = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "planner-statistics");
        t.setDaemon(true);
        return t;
    });

    PlannerStatistics(DataSource dataSource) {
        this.dataSource = dataSource;
        boolean pg;
        try (Connection c = dataSource.getConnection()) {
            pg = "PostgreSQL".equals(c.getMetaData().getDatabaseProductName());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot read the database's product name", e);
        }
        this.postgres = pg;
    }

    /** {@code rows} rows were added to the table (by work that commits shortly). */
    public void grew(Table table, long rows) {
        if (!postgres || rows <= 0) {
            return;
        }
        AtomicLong since = grown.computeIfAbsent(table, t -> new AtomicLong());
        long n = since.addAndGet(rows);
        long base = analysed.computeIfAbsent(table, t -> new AtomicLong()).get();
        if (n >= Math.max(MIN_GROWTH, base / 5) && since.compareAndSet(n, 0)) {
            analysed.get(table).addAndGet(n);
            analyser.execute(() -> analyse(table));
        }
    }

    private void analyse(Table table) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("analyze " + table.name().toLowerCase(java.util.Locale.ROOT));
        } catch (java.sql.SQLException | RuntimeException e) {
            LOG.debug("Could not analyse {}: {}", table, e.toString());
        }
    }

    @Override
    public void destroy() {
        analyser.shutdownNow();
    }
}
