package dev.orchard.applesim;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Apple's {@code maxRequestPerSecond} per token, as a sliding one-second window: a request is refused with
 * 429 / 9646 when the token already made the limit's number of accepted requests in the last second.
 */
final class RateLimiter {

    private final Clock clock;
    private final Map<String, ArrayDeque<Long>> windows = new ConcurrentHashMap<>();

    RateLimiter(Clock clock) {
        this.clock = clock;
    }

    /** Seconds to wait before retrying, or 0 when the request may go ahead (and is counted). */
    long acquire(String key, int perSecond) {
        if (perSecond <= 0) {
            return 0;
        }
        long now = clock.millis();
        ArrayDeque<Long> window = windows.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (window) {
            while (!window.isEmpty() && window.peekFirst() <= now - 1000) {
                window.pollFirst();
            }
            if (window.size() >= perSecond) {
                long waitMs = window.peekFirst() + 1000 - now;
                return Math.max(1, (waitMs + 999) / 1000);
            }
            window.addLast(now);
            return 0;
        }
    }
}
