package dev.orchard.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

import com.github.kagkarlsson.scheduler.event.SchedulerListener;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.testhelper.ManualScheduler;
import com.github.kagkarlsson.scheduler.testhelper.SettableClock;
import com.github.kagkarlsson.scheduler.testhelper.TestHelper;

/**
 * db-scheduler's {@link ManualScheduler} in place of Orchard's scheduler, for tests that step background work
 * instead of waiting for it: Orchard's tasks and scheduler listeners, on Orchard's table, reading the test's clock
 * (the one Orchard's code reads), so "due" means the same to both. With a bean of type Scheduler present, db-scheduler's
 * auto-configuration builds none and starts this one, which runs nothing on its own.
 */
final class SteppedScheduler {

    private SteppedScheduler() {
    }

    static ManualScheduler build(ConfigurableListableBeanFactory beans, Clock clock) {
        List<Task<?>> tasks = new java.util.ArrayList<>();
        beans.getBeanProvider(Task.class).orderedStream().forEach(tasks::add);
        var builder = TestHelper.createManualScheduler(beans.getBean(DataSource.class), tasks).clock(new TestClock(clock))
                .alwaysPersistTimestampInUTC();
        beans.getBeanProvider(SchedulerListener.class).orderedStream().forEach(builder::addSchedulerListener);
        return builder.build();
    }

    /** db-scheduler's settable clock, reading and moving the test's clock. */
    private static final class TestClock extends SettableClock {
        private final Clock clock;

        TestClock(Clock clock) {
            this.clock = clock;
        }

        @Override
        public Instant now() {
            return clock.instant();
        }

        @Override
        public void set(Instant instant) {
            ((MutableClock) clock).set(instant);
        }

        @Override
        public void tick(Duration duration) {
            ((MutableClock) clock).advance(duration);
        }
    }
}
