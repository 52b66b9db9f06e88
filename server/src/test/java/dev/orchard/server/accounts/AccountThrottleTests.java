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
    private final AccountId account = new AccountId(1);

    @Test
    void startsAtMostMaxRequestPerSecondInAnyOneSecondWindow() throws InterruptedException {
        for (int i = 0; i < 15; i++) {
            throttle.acquire(account, 15).close();
        }
        assertThat(sleeps).isEmpty();

        throttle.acquire(account, 15).close();

        assertThat(sleeps).containsExactly(1_050_000_000L);
        assertThat(nanos.get()).isEqualTo(1_050_000_000L);
    }

    @Test
    void accountsHaveSeparateBudgets() throws InterruptedException {
        for (int i = 0; i < 15; i++) {
            throttle.acquire(account, 15).close();
        }
        throttle.acquire(new AccountId(2), 15).close();

        assertThat(sleeps).isEmpty();
    }

    @Test
    void atMostFiveRequestsAreInFlightPerAccount() throws InterruptedException {
        var permits = new ArrayList<AccountThrottle.Permit>();
        for (int i = 0; i < 5; i++) {
            permits.add(throttle.acquire(account, 1000));
        }
        assertThat(throttle.inFlight(account)).isEqualTo(5);

        permits.forEach(AccountThrottle.Permit::close);

        assertThat(throttle.inFlight(account)).isZero();
    }
}
