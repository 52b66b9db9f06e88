package dev.orchard.server.accounts;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Actuator health with a per-account summary (state, expiry, block) and the {@code orchard.accounts.blocked}
 * gauge. The service is UP whatever the accounts' states: an expired token needs an admin, not a restart.
 */
@Component("accountsHealthIndicator")
class AccountsHealth implements HealthIndicator {

    private final Accounts accounts;
    private final AccountsProperties properties;
    private final Clock clock;

    AccountsHealth(Accounts accounts, AccountsProperties properties, Clock clock, MeterRegistry registry) {
        this.accounts = accounts;
        this.properties = properties;
        this.clock = clock;
        Gauge.builder("orchard.accounts.blocked", this, AccountsHealth::blockedCount)
                .description("Accounts Apple currently asks Orchard to wait for").register(registry);
    }

    @Override
    public Health health() {
        Instant now = clock.instant();
        Map<String, Object> details = new LinkedHashMap<>();
        for (Account a : accounts.list()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", a.name());
            d.put("state", a.state(now, properties.expiryWarningDays()).name());
            d.put("daysLeft", a.daysLeft(now));
            if (a.isBlockedAt(now)) {
                d.put("blockedUntil", a.blockedUntil().toString());
            }
            details.put(a.id().toString(), d);
        }
        return Health.up().withDetail("accounts", details).build();
    }

    double blockedCount() {
        Instant now = clock.instant();
        return accounts.list().stream().filter(a -> a.isBlockedAt(now)).count();
    }
}
