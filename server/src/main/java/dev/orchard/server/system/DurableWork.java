package dev.orchard.server.system;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.boot.config.DbSchedulerProperties;
import com.github.kagkarlsson.scheduler.event.AbstractSchedulerListener;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;

/**
 * The one idiom of Orchard's background work. Work is rows, written in the transaction of whatever caused it (a
 * queued outbox target, a due MDM command, an unapplied notification, the {@code wanted} flag of an account's sync or
 * of the licensing pass). A worker is one db-scheduler task instance per scope (an account, or the whole
 * installation), so one node runs it at a time; it drains its due rows in bounded chunks and then reschedules
 * itself ({@link #next}): to now while rows remain, else to when the next row falls due, and never later than its
 * safety interval, so work whose wake-up was lost is still found.
 *
 * <p>A wake-up ({@link #wake}) is only a hint that makes a worker run sooner. db-scheduler cannot move a running
 * instance (the run may have read its rows before the new one was committed), so a hint for a running instance is
 * kept and given again as soon as that run has finished: at once when it ran on this node (db-scheduler tells its
 * listeners after the completion handler rescheduled it), else on the next retry, every {@value #RETRY_MS} ms. A
 * later run that has started meanwhile settles the hint (it reads the rows, committed before the hint), so a hint
 * never costs more than one run. A wake-up for a run whose node stopped beating hands that run back once it has
 * seen the heartbeat stand still for two intervals ({@link SchedulerNode#handBack}), so asking for work does not
 * wait for db-scheduler's next check for dead executions.
 * There are no request counters and no watch tasks.
 */
@Component
public class DurableWork extends AbstractSchedulerListener implements DisposableBean {

    private record Key(String task, String instance) {
    }

    /**
     * A hint waiting for the run it came during. db-scheduler counts an instance's {@code version} up at every pick
     * and every reschedule (the end of a run included), so {@code needed} is the version from which a run has begun
     * after the hint or is due at once: two past a run in progress when the hint came (its own end is one), one past
     * an instance that was not running.
     */
    private record Hint(TaskDescriptor<?> task, long needed) {
        static Hint of(TaskDescriptor<?> task, Row row) {
            return new Hint(task, row == null ? 0 : row.version() + (row.picked() ? 2 : 1));
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(DurableWork.class);
    static final long RETRY_MS = 200;

    private final ObjectProvider<SchedulerClient> scheduler;
    private final JdbcClient jdbc;
    private final Clock clock;
    private final Map<Key, Hint> pending = new ConcurrentHashMap<>();
    /** Hints a thread has taken out of {@link #pending} and is giving now. */
    private final java.util.Set<Key> giving = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "durable-work-hints");
        t.setDaemon(true);
        return t;
    });
    private final long retryMs;
    private final Duration stale;
    private final Duration watch;
    /** Runs whose heartbeat looked stale, as first seen (real time): handed back only if it has not moved since. */
    private final Map<Key, Suspect> suspects = new ConcurrentHashMap<>();
    private ScheduledFuture<?> retrying;

    private record Suspect(long version, java.sql.Timestamp heartbeat, long seenNanos) {
    }

    @org.springframework.beans.factory.annotation.Autowired
    DurableWork(ObjectProvider<SchedulerClient> scheduler, JdbcClient jdbc, Clock clock, DbSchedulerProperties properties) {
        this(scheduler, jdbc, clock, Duration.ofMillis(RETRY_MS),
                properties.getHeartbeatInterval().multipliedBy(properties.getMissedHeartbeatsLimit()),
                properties.getHeartbeatInterval().multipliedBy(2));
    }

    DurableWork(ObjectProvider<SchedulerClient> scheduler, JdbcClient jdbc, Clock clock) {
        this(scheduler, jdbc, clock, Duration.ofMillis(RETRY_MS));
    }

    DurableWork(ObjectProvider<SchedulerClient> scheduler, JdbcClient jdbc, Clock clock, Duration retry) {
        this(scheduler, jdbc, clock, retry, Duration.ofSeconds(10), Duration.ofSeconds(4));
    }

    /**
     * {@code retry}: how often a hint for an instance running elsewhere is given again; {@code stale}: how long a
     * running instance's node may go without a heartbeat before a wake-up looks closer; {@code watch}: how long (in
     * real time) that heartbeat must then stand still before the run is handed back.
     */
    DurableWork(ObjectProvider<SchedulerClient> scheduler, JdbcClient jdbc, Clock clock, Duration retry, Duration stale, Duration watch) {
        this.scheduler = scheduler;
        this.jdbc = jdbc;
        this.clock = clock;
        this.retryMs = retry.toMillis();
        this.stale = stale;
        this.watch = watch;
    }

    /**
     * A hint that the instance has work now: it is scheduled at now, or moved to now; if it is running, it runs again
     * as soon as that run has finished.
     */
    public <T> void wake(TaskDescriptor<T> task, String instance) {
        Key id = new Key(task.getTaskName(), instance);
        if (runNow(task, id)) {
            return;
        }
        Row row = row(id);
        if (row != null && row.picked() && handedBack(id, row) && runNow(task, id)) {
            return;
        }
        pending.put(id, Hint.of(task, row));
        retrySoon();
    }

    /** {@link #wake} once the current transaction has committed (its rows are then visible to the worker). */
    public <T> void wakeAfterCommit(TaskDescriptor<T> task, String instance) {
        Scheduling.afterCommit(() -> wake(task, instance));
    }

    /** Schedules the instance at now unless it is scheduled already (a worker every scope with open rows must have). */
    public <T> void ensure(TaskDescriptor<T> task, String instance) {
        scheduler.getObject().scheduleIfNotExists(task.instance(instance).scheduledTo(clock.instant()));
    }

    /**
     * The worker's next run: now while due rows remain, else at the next row's due time, but no later than
     * {@code safety} from now. {@code nextDue} null: nothing is waiting.
     */
    public <T> CompletionHandler<T> next(boolean moreDue, Instant nextDue, Duration safety) {
        Instant now = clock.instant();
        Instant latest = now.plus(safety);
        Instant at = moreDue ? now : nextDue == null || nextDue.isAfter(latest) ? latest : nextDue.isBefore(now) ? now : nextDue;
        return (complete, ops) -> ops.reschedule(complete, at);
    }

    /** Whether a hint for the instance waits for its run to finish (tests and diagnostics). */
    public boolean hintPending(TaskDescriptor<?> task, String instance) {
        Key id = new Key(task.getTaskName(), instance);
        return pending.containsKey(id) || giving.contains(id);
    }

    @Override
    public void onExecutionComplete(ExecutionComplete complete) {
        var instance = complete.getExecution().taskInstance;
        Key id = new Key(instance.getTaskName(), instance.getId());
        giveIfDue(id);
    }

    /**
     * Gives the key's waiting hint, if any, and forgets it once given. One thread at a time gives a hint: it takes the
     * hint out of the map first, and puts it back if it could not be given yet (unless a newer one came meanwhile,
     * which covers it). The listener (this node's run ended) and the retries had both given one hint, the second after
     * the run it asked for had already ended, and so asked for a run nobody wanted (seen under load as a third sync
     * where two were asked for). The database is not read under the map's lock: a thread committing a change holds a
     * connection while it wakes a worker, and the map's lock held over a read for a connection stalled a thousand
     * devices' enrolments.
     */
    private void giveIfDue(Key id) {
        Hint hint = pending.get(id);
        if (hint == null || !pending.remove(id, hint)) {
            return; // none, or another thread is giving it
        }
        giving.add(id);
        boolean done = false;
        try {
            done = given(id, hint);
        } finally {
            if (!done) {
                pending.putIfAbsent(id, hint);
            }
            giving.remove(id);
        }
    }

    private synchronized void retrySoon() {
        if (retrying == null || retrying.isDone()) {
            retrying = retries.scheduleWithFixedDelay(this::retryPending, retryMs, retryMs, TimeUnit.MILLISECONDS);
        }
    }

    void retryPending() {
        try {
            pending.keySet().forEach(this::giveIfDue);
            synchronized (this) {
                if (pending.isEmpty() && retrying != null) {
                    retrying.cancel(false);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Giving a wake-up again failed, trying again: {}", e.toString());
        }
    }

    /**
     * Gives a waiting hint: done when the instance could be moved to now, or when a run later than the one the hint
     * came during has begun, whether it still runs or has ended (it read the rows, committed before the hint: running
     * once more would find nothing new). Looking only for a later run in progress was not enough: when that run had
     * ended on another node before this node's retry came, the hint asked for one more run nobody wanted (seen as a
     * second refresh of an account where one was due, and under load as a third sync where two were asked for).
     */
    private boolean given(Key id, Hint hint) {
        Row row = row(id);
        if (row != null && row.version() >= hint.needed()) {
            return true;
        }
        if (row != null && row.picked()) {
            handedBack(id, row);
        }
        if (runNow(hint.task(), id)) {
            return true;
        }
        // refused because a run was picked between the look above and the move: a later run than the one the hint
        // came during reads what the hint was about
        Row now = row(id);
        return now != null && now.version() >= hint.needed();
    }

    /**
     * The instance's row: db-scheduler's {@code version} (counted up at every pick and reschedule), whether a node
     * runs it now, that node and its last heartbeat; null when there is none.
     */
    private record Row(long version, boolean picked, String node, java.sql.Timestamp heartbeat) {
    }

    private Row row(Key id) {
        return jdbc.sql("select version, picked, picked_by, last_heartbeat from scheduled_tasks where task_name = ? "
                        + "and task_instance = ?").params(id.task(), id.instance())
                .query((rs, n) -> new Row(rs.getLong(1), rs.getBoolean(2), rs.getString(3), rs.getTimestamp(4)))
                .optional().orElse(null);
    }

    /**
     * A run whose node has not beaten for {@code stale} (db-scheduler's {@code heartbeat-interval} ×
     * {@code missed-heartbeats-limit}) may belong to a node that stopped: a request for the work watches that
     * heartbeat for {@code watch} (two heartbeat intervals, in real time; the hint's retries come back meanwhile) and
     * hands the run back if it did not move, rather than answering and leaving it to the next check for dead
     * executions. Judging by the timestamp alone is not enough: it is written with the application's clock, and a
     * clock that jumps (tests move theirs by minutes) makes a live run look dead; a live node beats within an interval.
     * True when handed back.
     */
    private boolean handedBack(Key id, Row running) {
        if (running.heartbeat() == null || running.heartbeat().toInstant().isAfter(clock.instant().minus(stale))) {
            suspects.remove(id);
            return false;
        }
        Suspect seen = suspects.get(id);
        if (seen == null || seen.version() != running.version() || !seen.heartbeat().equals(running.heartbeat())) {
            suspects.put(id, new Suspect(running.version(), running.heartbeat(), System.nanoTime()));
            return false;
        }
        if (System.nanoTime() - seen.seenNanos() < watch.toNanos()) {
            return false;
        }
        suspects.remove(id);
        boolean released = SchedulerNode.handBack(jdbc, id.task(), id.instance(), running.node(), running.heartbeat());
        if (released) {
            LOG.warn("Handed back {} / {}: its node '{}' has not beaten since {}", id.task(), id.instance(), running.node(),
                    running.heartbeat().toInstant());
        }
        return released;
    }

    /** False while the instance is running: db-scheduler refuses to move a picked execution. */
    private boolean runNow(TaskDescriptor<?> task, Key id) {
        SchedulerClient client = scheduler.getObject();
        Instant now = clock.instant();
        if (client.scheduleIfNotExists(task.instance(id.instance()).scheduledTo(now))) {
            return true;
        }
        try {
            client.reschedule(task.instanceId(id.instance()), now);
            return true;
        } catch (RuntimeException running) {
            return false;
        }
    }

    @Override
    public void destroy() {
        retries.shutdownNow();
    }
}
