package dev.orchard.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock tests move by hand, so nothing waits for real seconds. A ticking one also moves with real time (from a
 * fixed start), for tests where background schedulers must see time pass between two of their own steps.
 */
public final class MutableClock extends Clock {

    private volatile Instant now;
    private final long origin;
    private final boolean ticking;

    public MutableClock(Instant start) {
        this(start, false);
    }

    private MutableClock(Instant start, boolean ticking) {
        this.now = start;
        this.origin = System.nanoTime();
        this.ticking = ticking;
    }

    /** A clock at {@code start} that moves with real time, and by hand on top. */
    public static MutableClock ticking(Instant start) {
        return new MutableClock(start, true);
    }

    public void advance(Duration duration) {
        now = now.plus(duration);
    }

    public void set(Instant instant) {
        now = instant;
    }

    @Override
    public Instant instant() {
        return ticking ? now.plusNanos(System.nanoTime() - origin) : now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
