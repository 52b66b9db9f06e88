package dev.orchard.server.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class AccountThrottleTests {

    private final AtomicLong nanos = new AtomicLong();
    private final List<Long> sleeps = new ArrayList<>();
    private final AccountThrottle throttle = new AccountThrottle(5, nanos::get, n -> {
        sleeps.add(n);
        nanos.addAndGet(n);
    });
    private final String account = "0a1b2c3d";

    @Test
    void startsAtMostMaxRequestPerSecondInAnyOneSecondWindow() throws InterruptedException {
        for (int i = 0; i < 15; i++) {
            throttle.acquire(account, 15).close();
        }
        assertThat(sleeps).isEmpty();

        throttle.acquire(account, 15).close();

        assertThat(sleeps).containsExactly(1_010_000_000L);
        assertThat(nanos.get()).isEqualTo(1_010_000_000L);
    }

    @Test
    void aRequestHoldsItsPlaceUntilASecondAfterItsAnswer() throws InterruptedException {
        var slow = throttle.acquire(account, 2);
        throttle.acquire(account, 2).close();
        nanos.addAndGet(3_000_000_000L); // the first request is still in flight three seconds later
        var waitedWhileInFlight = new ArrayList<>(sleeps);
        slow.close();
        nanos.addAndGet(500_000_000L);

        throttle.acquire(account, 2).close();
        throttle.acquire(account, 2).close();

        assertThat(waitedWhileInFlight).isEmpty();
        assertThat(sleeps).as("Apple may have counted the slow request as late as its answer")
                .containsExactly(510_000_000L);
    }

    @Test
    void tokensHaveSeparateBudgets() throws InterruptedException {
        for (int i = 0; i < 15; i++) {
            throttle.acquire(account, 15).close();
        }
        throttle.acquire("4e5f6a7b", 15).close();

        assertThat(sleeps).isEmpty();
    }

    @Test
    void atMostFiveRequestsAreInFlightPerToken() throws InterruptedException {
        var permits = new ArrayList<AccountThrottle.Permit>();
        for (int i = 0; i < 5; i++) {
            permits.add(throttle.acquire(account, 1000));
        }
        assertThat(throttle.inFlight(account)).isEqualTo(5);

        permits.forEach(AccountThrottle.Permit::close);

        assertThat(throttle.inFlight(account)).isZero();
    }
}
