package dev.orchard.server.accounts;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * One node at a time may send Apple requests with a token. Apple's limits are per token (requests per second, 5 in
 * flight) and {@link AccountThrottle} keeps them in one node's memory; the lease makes that node the only one
 * sending, so the limits hold for the cluster whatever the number of nodes or tasks.
 *
 * <p>A lease lasts {@link #LEASE} and is renewed while the node keeps calling. A node that wants a token another
 * holds marks it wanted and waits; the holder hands it over once its calls in flight are answered, after holding
 * it at least {@link #FAIR_SHARE} (so two busy nodes take turns rather than trading every request). A node that
 * takes a token over from another starts only when the other's last request is more than a second old (when the
 * other died, a second after its lease ran out), so Apple's one-second window never sees both. While a node has
 * calls in flight a background thread keeps renewing its leases, so a slow answer does not let another node in;
 * only a node that stops (or stalls longer than the lease) loses them. Times are the system's: this is about real
 * seconds at Apple, not the application's clock.
 */
final class TokenLeases implements AutoCloseable {

    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration FAIR_SHARE = Duration.ofSeconds(2);
    /** Apple's window and a little: its clock and ours tick differently (as in {@link AccountThrottle}). */
    static final Duration QUIET = Duration.ofMillis(1010);
    private static final Logger LOG = LoggerFactory.getLogger(TokenLeases.class);

    /** Waits for a while (tests pass one that moves a fake clock). */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private static final class Held {
        int inFlight;
        boolean holding;
        Instant since;
        Instant renewedUntil;
    }

    private final JdbcClient jdbc;
    private final String node;
    private final Supplier<Instant> now;
    private final Sleeper sleeper;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Duration lease;
    private final Duration fairShare;
    private final Duration quiet;
    private final Duration poll;
    private final java.util.concurrent.ScheduledExecutorService renewer;

    TokenLeases(JdbcClient jdbc, Supplier<Instant> now, Sleeper sleeper) {
        this(jdbc, "node-" + UUID.randomUUID(), now, sleeper, LEASE, FAIR_SHARE, QUIET);
    }

    /** With other durations, for tests that run in a fraction of the real ones. */
    TokenLeases(JdbcClient jdbc, String node, Supplier<Instant> now, Sleeper sleeper, Duration lease, Duration fairShare,
                Duration quiet) {
        this.jdbc = jdbc;
        this.node = node;
        this.now = now;
        this.sleeper = sleeper;
        this.lease = lease;
        this.fairShare = fairShare;
        this.quiet = quiet;
        this.poll = quiet.dividedBy(20);
        this.renewer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "apple-token-leases");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, lease.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renewBusy, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Keeps the leases of tokens with calls in flight (a slow answer must not let another node start). */
    private void renewBusy() {
        for (var e : held.entrySet()) {
            Held h = e.getValue();
            synchronized (h) {
                if (h.holding && h.inFlight > 0) {
                    try {
                        renew(e.getKey(), h, now.get());
                    } catch (RuntimeException ex) {
                        LOG.warn("Could not renew the Apple lease of token {}: {}", e.getKey(), ex.toString());
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }

    /** Waits until this node holds the token's lease and counts one call in flight; pair with {@link #exit}. */
    void enter(String budget) throws InterruptedException {
        Held h = held.computeIfAbsent(budget, k -> new Held());
        while (true) {
            Instant t = now.get();
            synchronized (h) {
                if (h.holding && t.isBefore(h.renewedUntil)) {
                    if (Duration.between(t, h.renewedUntil).compareTo(lease.dividedBy(2)) < 0 && !renew(budget, h, t)) {
                        continue; // lost it (this node stalled past its lease): acquire again
                    }
                    h.inFlight++;
                    return;
                }
                h.holding = false;
            }
            Duration wait = tryAcquire(budget, h, t);
            if (wait.isZero()) {
                continue;
            }
            sleeper.sleep(wait);
        }
    }

    /**
     * A call made under {@link #enter} was answered (or failed). With nothing else in flight, a node that held the
     * lease for its fair share hands it to a node that waits for it.
     */
    void exit(String budget) {
        Held h = held.get(budget);
        Instant t = now.get();
        synchronized (h) {
            h.inFlight--;
            if (h.inFlight > 0 || h.since == null || t.isBefore(h.since.plus(fairShare))) {
                return;
            }
            if (jdbc.sql("""
                    update apple_token_leases set node = null, expires_at = ?, last_activity_at = ?
                    where budget = ? and node = ? and wanted_at is not null
                    """).params(Timestamp.from(t), Timestamp.from(t), budget, node).update() == 1) {
                h.holding = false;
            }
        }
    }

    private boolean renew(String budget, Held h, Instant t) {
        Instant until = t.plus(lease);
        if (jdbc.sql("update apple_token_leases set expires_at = ? where budget = ? and node = ?")
                .params(Timestamp.from(until), budget, node).update() == 1) {
            h.renewedUntil = until;
            return true;
        }
        h.holding = false;
        return false;
    }

    /** Takes the lease if it is free (or this node's); returns zero when taken, else how long to wait. */
    private Duration tryAcquire(String budget, Held h, Instant t) {
        record Row(String node, Instant expiresAt, Instant lastActivity) {
        }
        Row row = jdbc.sql("select node, expires_at, last_activity_at from apple_token_leases where budget = ?").param(budget)
                .query((rs, n) -> new Row(rs.getString(1), rs.getTimestamp(2).toInstant(),
                        rs.getTimestamp(3) == null ? null : rs.getTimestamp(3).toInstant())).optional().orElse(null);
        Instant until = t.plus(lease);
        if (row == null) {
            try {
                jdbc.sql("insert into apple_token_leases (budget, node, expires_at) values (?, ?, ?)")
                        .params(budget, node, Timestamp.from(until)).update();
                return took(h, t, until, null, budget);
            } catch (DuplicateKeyException another) {
                return poll; // another node inserted it just now
            }
        }
        boolean mine = node.equals(row.node());
        boolean free = row.node() == null || row.expiresAt().isBefore(t);
        if (!mine && !free) {
            jdbc.sql("update apple_token_leases set wanted_at = coalesce(wanted_at, ?) where budget = ?").params(Timestamp.from(t), budget).update();
            Duration left = Duration.between(t, row.expiresAt());
            return left.compareTo(poll) < 0 ? poll : left.compareTo(lease) > 0 ? lease : left;
        }
        // the previous holder's requests must have left Apple's window: a second after its last answer, or after
        // its lease ran out if it never released (it died, or is stalled)
        Instant quietFrom = mine ? t : (row.node() == null ? (row.lastActivity() == null ? t : row.lastActivity()) : row.expiresAt())
                .plus(quiet);
        int taken = jdbc.sql("""
                update apple_token_leases set node = ?, expires_at = ?, wanted_at = null
                where budget = ? and (node is null or node = ? or expires_at < ?)
                """).params(node, Timestamp.from(until.plus(Duration.between(t, max(t, quietFrom)))), budget, node, Timestamp.from(t)).update();
        if (taken == 0) {
            return poll;
        }
        return took(h, t, until, quietFrom, budget);
    }

    private Duration took(Held h, Instant t, Instant until, Instant quietFrom, String budget) {
        Duration wait = quietFrom == null || !quietFrom.isAfter(t) ? Duration.ZERO : Duration.between(t, quietFrom);
        synchronized (h) {
            h.holding = true;
            h.since = t.plus(wait);
            h.renewedUntil = until.plus(wait);
        }
        if (!wait.isZero()) {
            LOG.debug("Took the Apple lease of token {} from another node; first request in {} ms", budget, wait.toMillis());
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Apple's window", e);
            }
        }
        return Duration.ZERO;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
