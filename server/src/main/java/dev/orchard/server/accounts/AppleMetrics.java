package dev.orchard.server.accounts;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Apple-facing metrics: {@code orchard.apple.requests} by account, endpoint and outcome;
 * {@code orchard.apple.block.wait} (time from a block to its end); {@code orchard.accounts.blocked} (gauge,
 * registered by {@link AccountsHealth}).
 */
@Component
class AppleMetrics {

    private final MeterRegistry registry;

    AppleMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void request(AccountId account, String operation, String outcome) {
        Counter.builder("orchard.apple.requests").description("Requests to Apple")
                .tag("account", account.toString()).tag("endpoint", operation).tag("outcome", outcome)
                .register(registry).increment();
    }

    void blocked(AccountId account, Duration wait) {
        Timer.builder("orchard.apple.block.wait").description("How long an account is blocked when Apple asks to wait")
                .tag("account", account.toString()).register(registry)
                .record(Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS);
    }
}
