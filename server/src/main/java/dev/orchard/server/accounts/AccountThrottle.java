package dev.orchard.server.accounts;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Per-token limits within this node (Apple counts per location or sToken, so calls made for a token no account
 * holds yet, while adding an account, share the budget of the sync that follows): at most {@code maxConcurrent}
 * requests in flight and at most {@code maxRequestPerSecond} in any one-second window. Waits are short (about a
 * second for the rate, bounded for concurrency), so they may happen in the calling thread.
 * <p>
 * A request occupies the window from its start until one second after its answer came back. Apple counts a request
 * when it arrives, which is somewhere between those two instants here, so however long a request travelled, no
 * second at Apple sees more than the limit. (Counting from the start with a slightly longer window drew an
 * occasional 429 on a loaded machine: a request delayed on its way arrived close to one sent a window later.)
 */
final class AccountThrottle {

    /** Releases the concurrency permit and closes the request's place in the window. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for a number of nanoseconds (tests pass one that moves a fake clock). */
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    /** A second and a little: Apple's clock and ours tick differently. */
    private static final long SECOND = TimeUnit.MILLISECONDS.toNanos(1010);
    /** How long to wait when every place in the window is held by a request still in flight. */
    private static final long IN_FLIGHT_POLL = TimeUnit.MILLISECONDS.toNanos(5);

    private final int maxConcurrent;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    AccountThrottle(int maxConcurrent, LongSupplier nanoTime, Sleeper sleeper) {
        this.maxConcurrent = maxConcurrent;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
    }

    /** {@code budget}: the token's fingerprint. */
    Permit acquire(String budget, int maxRequestPerSecond) throws InterruptedException {
        Semaphore semaphore = inFlight.computeIfAbsent(budget, k -> new Semaphore(maxConcurrent, true));
        if (!semaphore.tryAcquire(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("no Apple request slot for token " + budget + " within 5 minutes");
        }
        Window window = windows.computeIfAbsent(budget, k -> new Window());
        try {
            waitForRate(window, maxRequestPerSecond);
        } catch (InterruptedException | RuntimeException e) {
            semaphore.release();
            throw e;
        }
        return () -> {
            window.finished(nanoTime.getAsLong());
            semaphore.release();
        };
    }

    private void waitForRate(Window window, int perSecond) throws InterruptedException {
        while (true) {
            long waitNanos = window.tryStart(nanoTime.getAsLong(), perSecond);
            if (waitNanos == 0) {
                return;
            }
            sleeper.sleep(Math.max(waitNanos, 1_000_000));
        }
    }

    /** Requests in flight for a token (for tests). */
    int inFlight(String budget) {
        Semaphore s = inFlight.get(budget);
        return s == null ? 0 : maxConcurrent - s.availablePermits();
    }

    /** The requests of one token that still count: those in flight and those answered less than a second ago. */
    private static final class Window {
        private final ArrayDeque<Long> answered = new ArrayDeque<>();
        private int running;

        /** Starts a request (0) or says how long to wait before asking again. */
        synchronized long tryStart(long now, int perSecond) {
            while (!answered.isEmpty() && now - answered.peekFirst() >= SECOND) {
                answered.pollFirst();
            }
            if (answered.size() + running < perSecond) {
                running++;
                return 0;
            }
            return answered.isEmpty() ? IN_FLIGHT_POLL : answered.peekFirst() + SECOND - now;
        }

        synchronized void finished(long now) {
            running--;
            answered.addLast(now);
        }
    }
}
