package dev.orchard.server.accounts;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Per-account limits within this node: at most {@code maxConcurrent} requests in flight and at most
 * {@code maxRequestPerSecond} started in any one-second window. Waits are short (under a second for the rate,
 * bounded for concurrency), so they may happen in the calling thread.
 */
final class AccountThrottle {

    /** Releases the concurrency permit. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for a number of nanoseconds (tests pass one that moves a fake clock). */
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    /**
     * The window is a little longer than a second: Apple counts requests when they arrive, after network jitter, so
     * a window of exactly one second was measured to draw occasional 429s (5 in 105 requests at 15/s).
     */
    private static final long SECOND = TimeUnit.MILLISECONDS.toNanos(1050);

    private final int maxConcurrent;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private final Map<AccountId, Semaphore> inFlight = new ConcurrentHashMap<>();
    private final Map<AccountId, ArrayDeque<Long>> starts = new ConcurrentHashMap<>();

    AccountThrottle(int maxConcurrent, LongSupplier nanoTime, Sleeper sleeper) {
        this.maxConcurrent = maxConcurrent;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
    }

    Permit acquire(AccountId id, int maxRequestPerSecond) throws InterruptedException {
        Semaphore semaphore = inFlight.computeIfAbsent(id, k -> new Semaphore(maxConcurrent, true));
        if (!semaphore.tryAcquire(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("no Apple request slot for account " + id + " within 5 minutes");
        }
        try {
            waitForRate(id, maxRequestPerSecond);
        } catch (InterruptedException | RuntimeException e) {
            semaphore.release();
            throw e;
        }
        return semaphore::release;
    }

    private void waitForRate(AccountId id, int perSecond) throws InterruptedException {
        ArrayDeque<Long> window = starts.computeIfAbsent(id, k -> new ArrayDeque<>());
        while (true) {
            long waitNanos;
            synchronized (window) {
                long now = nanoTime.getAsLong();
                while (!window.isEmpty() && now - window.peekFirst() >= SECOND) {
                    window.pollFirst();
                }
                if (window.size() < perSecond) {
                    window.addLast(now);
                    return;
                }
                waitNanos = window.peekFirst() + SECOND - now;
            }
            sleeper.sleep(Math.max(waitNanos, 1_000_000));
        }
    }

    /** Requests in flight for an account (for metrics and tests). */
    int inFlight(AccountId id) {
        Semaphore s = inFlight.get(id);
        return s == null ? 0 : maxConcurrent - s.availablePermits();
    }
}
