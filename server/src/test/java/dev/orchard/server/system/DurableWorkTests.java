package dev.orchard.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.testhelper.ManualScheduler;
import com.github.kagkarlsson.scheduler.testhelper.SettableClock;
import com.github.kagkarlsson.scheduler.testhelper.TestHelper;

import dev.orchard.server.Await;
import dev.orchard.server.TestDatabases;

/**
 * The idiom of background work on Orchard's schema, stepped with db-scheduler's {@link ManualScheduler} (which does not
 * call scheduler listeners: the test of this node's listener runs a real scheduler): a worker reschedules itself by
 * what is due, and a wake-up is a hint that is never lost, also when it comes while the worker runs (db-scheduler
 * cannot move a running instance) on this node or on another.
 */
class DurableWorkTests {

    private static final TaskDescriptor<Void> WORKER = TaskDescriptor.of("test-worker");
    private static final String SCOPE = "42";

    private final SettableClock time = new SettableClock();
    private final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return time.now();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    };
    private final StaticListableBeanFactory beans = new StaticListableBeanFactory();
    private final DataSource ds = TestDatabases.h2();
    /** This node: its hints are given again only when a test says so, and a stale heartbeat is watched for no time. */
    private final DurableWork work = new DurableWork(beans.getBeanProvider(SchedulerClient.class), JdbcClient.create(ds), clock,
            Duration.ofHours(1), Duration.ofSeconds(10), Duration.ZERO);
    private final AtomicInteger runs = new AtomicInteger();
    /** What the worker does in its run (given the run's number); it then reschedules itself an hour ahead. */
    private Consumer<Integer> body = n -> {
    };
    private ManualScheduler scheduler;
    /** Runs up to this one find more work due and reschedule the worker to now. */
    private int moreDueUntilRun = 0;

    @BeforeEach
    void start() {
        time.set(Instant.parse("2026-12-07T10:00:00Z"));
        Task<Void> task = Tasks.custom(WORKER).execute((instance, context) -> {
            int n = runs.incrementAndGet();
            body.accept(n);
            return work.next(n <= moreDueUntilRun, null, Duration.ofHours(1));
        });
        scheduler = TestHelper.createManualScheduler(ds, List.of(task)).clock(time).addSchedulerListener(work).build();
        beans.addBean("scheduler", scheduler);
        work.ensure(WORKER, SCOPE);
    }

    private Instant scheduledAt() {
        return scheduler.getScheduledExecution(WORKER.instanceId(SCOPE)).orElseThrow().getExecutionTime();
    }

    /**
     * On this node db-scheduler tells its listeners when a run has ended, after its completion handler: the hint is
     * given then. A real {@link com.github.kagkarlsson.scheduler.Scheduler} (the test helper's ManualScheduler does not
     * call listeners), with the retries turned off so that only the listener can deliver it.
     */
    @Test
    void aWakeUpWhileTheWorkerRunsOnThisNodeMakesItRunAgainAsSoonAsTheRunEnds() throws Exception {
        var realBeans = new StaticListableBeanFactory();
        DataSource realDs = TestDatabases.h2();
        var thisNode = new DurableWork(realBeans.getBeanProvider(SchedulerClient.class), JdbcClient.create(realDs), Clock.systemUTC(),
                Duration.ofHours(1));
        TaskDescriptor<Void> worker = TaskDescriptor.of("listened-worker");
        var realRuns = new AtomicInteger();
        var pendingDuringRun = new java.util.concurrent.atomic.AtomicBoolean();
        var secondRun = new java.util.concurrent.CountDownLatch(1);
        Task<Void> task = Tasks.custom(worker).execute((instance, context) -> {
            if (realRuns.incrementAndGet() == 1) {
                thisNode.wake(worker, SCOPE); // the run may have read its rows before this one was committed
                pendingDuringRun.set(thisNode.hintPending(worker, SCOPE));
            } else {
                secondRun.countDown();
            }
            return thisNode.next(false, null, Duration.ofHours(1));
        });
        var real = com.github.kagkarlsson.scheduler.Scheduler.create(realDs, List.of(task))
                .pollingInterval(Duration.ofMillis(50)).addSchedulerListener(thisNode).build();
        realBeans.addBean("scheduler", real);
        try {
            real.start();
            real.schedule(worker.instance(SCOPE).scheduledTo(Instant.now()));
            assertThat(secondRun.await(20, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the run the hint asked for, although the first rescheduled itself an hour ahead").isTrue();
            assertThat(pendingDuringRun).as("db-scheduler could not move the running instance").isTrue();
            assertThat(thisNode.hintPending(worker, SCOPE)).isFalse();
        } finally {
            real.stop();
            thisNode.destroy();
        }
    }

    @Test
    void aWakeUpWhileTheWorkerRunsOnAnotherNodeIsGivenAgainOnceThatRunHasEnded() {
        // the other node's DurableWork hears nothing of this node's runs: only its retries can bring the hint home
        var otherNode = new DurableWork(beans.getBeanProvider(SchedulerClient.class), JdbcClient.create(ds), clock);
        body = n -> {
            if (n == 1) {
                otherNode.wake(WORKER, SCOPE);
                assertThat(otherNode.hintPending(WORKER, SCOPE)).isTrue();
            }
        };
        scheduler.runAnyDueExecutions();
        try {
            Await.until("the other node's hint to be given", () -> !otherNode.hintPending(WORKER, SCOPE));
        } finally {
            otherNode.destroy();
        }
        assertThat(scheduledAt()).isEqualTo(clock.instant());
        scheduler.runAnyDueExecutions();
        assertThat(runs).hasValue(2);
    }

    /**
     * A hint given during a run whose worker found more work due (and so runs again at once): the next run, started
     * after the hint, reads what the hint was about, so the hint is settled by it and costs no third run.
     */
    @Test
    void aHintIsSettledByALaterRunThatStartedAfterIt() {
        var otherNode = new DurableWork(beans.getBeanProvider(SchedulerClient.class), JdbcClient.create(ds), clock, Duration.ofHours(1));
        moreDueUntilRun = 1;
        body = n -> {
            if (n == 1) {
                otherNode.wake(WORKER, SCOPE);
            } else if (n == 2) {
                otherNode.retryPending(); // the instance is running again, under a later pick
            }
        };
        try {
            scheduler.runAnyDueExecutions();
            assertThat(otherNode.hintPending(WORKER, SCOPE)).isTrue();
            scheduler.runAnyDueExecutions();
            assertThat(runs).hasValue(2);
            assertThat(otherNode.hintPending(WORKER, SCOPE)).as("settled by the second run").isFalse();
            otherNode.retryPending();
            scheduler.runAnyDueExecutions();
            assertThat(runs).as("no third run for a hint the second one covered").hasValue(2);
        } finally {
            otherNode.destroy();
        }
    }

    /**
     * The same, when the later run has already ended before the other node looks again (its retries come every 200 ms;
     * a short run ends sooner): db-scheduler has counted the instance's version up for that pick and its reschedule,
     * which settles the hint. Looking only for a later run in progress asked for a third run nobody wanted (a second
     * refresh of a blocked account in {@code TwoNodesTests}).
     */
    @Test
    void aHintIsSettledByALaterRunThatHasAlreadyEnded() {
        var otherNode = new DurableWork(beans.getBeanProvider(SchedulerClient.class), JdbcClient.create(ds), clock, Duration.ofHours(1));
        moreDueUntilRun = 1;
        body = n -> {
            if (n == 1) {
                otherNode.wake(WORKER, SCOPE);
            }
        };
        try {
            scheduler.runAnyDueExecutions();
            assertThat(otherNode.hintPending(WORKER, SCOPE)).isTrue();
            scheduler.runAnyDueExecutions(); // the second run, begun after the hint, ends an hour ahead
            assertThat(runs).hasValue(2);
            assertThat(scheduledAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
            otherNode.retryPending();
            assertThat(otherNode.hintPending(WORKER, SCOPE)).as("settled by the run that has ended").isFalse();
            assertThat(scheduledAt()).as("not moved to now").isEqualTo(clock.instant().plus(Duration.ofHours(1)));
            scheduler.runAnyDueExecutions();
            assertThat(runs).as("no third run").hasValue(2);
        } finally {
            otherNode.destroy();
        }
    }

    /**
     * A run whose node stopped beating (here: picked by a node that died, its heartbeat a minute old) is handed back by
     * the next wake-up, not left to db-scheduler's check for dead executions; a run with a recent heartbeat is a live
     * node's, and the wake-up waits for it.
     */
    @Test
    void aWakeUpHandsBackARunWhoseNodeStoppedBeating() {
        scheduler.runAnyDueExecutions();
        assertThat(runs).hasValue(1);
        JdbcClient jdbc = JdbcClient.create(ds);
        String pick = "update scheduled_tasks set picked = true, picked_by = 'node-gone', last_heartbeat = ?, version = version + 1 "
                + "where task_name = ? and task_instance = ?";

        jdbc.sql(pick).params(java.sql.Timestamp.from(clock.instant().minusSeconds(2)), WORKER.getTaskName(), SCOPE).update();
        work.wake(WORKER, SCOPE);
        assertThat(work.hintPending(WORKER, SCOPE)).as("a live node's run is waited for").isTrue();
        assertThat(picked(jdbc)).isTrue();

        // the clock jumps a minute (tests move theirs): the heartbeat looks stale, but the live node beats again
        time.set(clock.instant().plusSeconds(60));
        work.wake(WORKER, SCOPE);
        assertThat(picked(jdbc)).as("a heartbeat first seen stale is watched, not handed back").isTrue();
        jdbc.sql("update scheduled_tasks set last_heartbeat = ? where task_name = ?")
                .params(java.sql.Timestamp.from(clock.instant().minusSeconds(30)), WORKER.getTaskName()).update();
        work.retryPending();
        assertThat(picked(jdbc)).as("a heartbeat that moved is a live node's").isTrue();

        time.set(clock.instant().plusSeconds(60)); // the node has not beaten since: seen again, standing still
        work.wake(WORKER, SCOPE);
        assertThat(picked(jdbc)).as("handed back").isFalse();
        assertThat(scheduledAt()).isEqualTo(clock.instant());
        scheduler.runAnyDueExecutions();
        assertThat(runs).hasValue(2);
        work.retryPending();
        assertThat(work.hintPending(WORKER, SCOPE)).isFalse();
    }

    private boolean picked(JdbcClient jdbc) {
        return jdbc.sql("select picked from scheduled_tasks where task_name = ? and task_instance = ?")
                .params(WORKER.getTaskName(), SCOPE).query(Boolean.class).single();
    }

    @Test
    void anIdleWorkerIsMovedToNowAndAMissingOneIsScheduled() {
        scheduler.runAnyDueExecutions();
        assertThat(scheduledAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        work.wake(WORKER, SCOPE);
        scheduler.runAnyDueExecutions();
        assertThat(runs).hasValue(2);

        work.wake(WORKER, "7");
        assertThat(scheduler.getScheduledExecution(WORKER.instanceId("7"))).isPresent();
        work.ensure(WORKER, "8");
        work.ensure(WORKER, SCOPE);
        assertThat(scheduledAt()).as("ensure leaves a scheduled worker where it is").isEqualTo(clock.instant().plus(Duration.ofHours(1)));
    }

    @Test
    void theNextRunIsNowWhileWorkIsDueElseTheNextDueTimeButNeverLaterThanTheSafetyInterval() {
        Instant now = clock.instant();
        Duration safety = Duration.ofMinutes(1);
        assertThat(nextRun(true, now.plusSeconds(30), safety)).isEqualTo(now);
        assertThat(nextRun(false, now.plusSeconds(30), safety)).isEqualTo(now.plusSeconds(30));
        assertThat(nextRun(false, now.plusSeconds(300), safety)).isEqualTo(now.plus(safety));
        assertThat(nextRun(false, now.minusSeconds(5), safety)).as("overdue").isEqualTo(now);
        assertThat(nextRun(false, null, safety)).as("nothing waits").isEqualTo(now.plus(safety));
    }

    private Instant nextRun(boolean moreDue, Instant nextDue, Duration safety) {
        Instant[] at = new Instant[1];
        work.<Void>next(moreDue, nextDue, safety).complete(null, new com.github.kagkarlsson.scheduler.task.ExecutionOperations<>(null, null, null) {
            @Override
            public void reschedule(com.github.kagkarlsson.scheduler.task.ExecutionComplete completed, Instant nextExecutionTime) {
                at[0] = nextExecutionTime;
            }
        });
        return at[0];
    }
}
