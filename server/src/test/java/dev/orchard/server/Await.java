package dev.orchard.server;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition background work makes true (db-scheduler, the simulator); fails after a timeout. */
public final class Await {

    private Await() {
    }

    public static void until(String what, BooleanSupplier condition) {
        until(what, condition, Duration.ofSeconds(20));
    }

    /**
     * Waits until the condition has held on every check for {@code steadyFor}: background work that is idle in the
     * database may still be about to start (a wake-up given just after a commit), and a single true check cannot
     * tell.
     */
    public static void steady(String what, BooleanSupplier condition, Duration steadyFor, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long since = -1;
        while (true) {
            long now = System.nanoTime();
            if (condition.getAsBoolean()) {
                since = since < 0 ? now : since;
                if (now - since >= steadyFor.toNanos()) {
                    return;
                }
            } else {
                since = -1;
            }
            if (now > deadline) {
                throw new AssertionError("timed out waiting until " + what + " (steadily for " + steadyFor.toMillis() + " ms)");
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    /** With a longer limit, for work of another process (a child JVM restarting). */
    public static void until(String what, BooleanSupplier condition, Duration timeout) {
        until(what, condition, timeout, Duration.ofMillis(5));
    }

    /**
     * Checking every {@code every}: for a condition that is costly to check (pages of a child JVM's API read on a
     * machine whose cores the check would take from the work it waits for).
     */
    public static void until(String what, BooleanSupplier condition, Duration timeout, Duration every) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(every.toNanos());
        }
    }
}
