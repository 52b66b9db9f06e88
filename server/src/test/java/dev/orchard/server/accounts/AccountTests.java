package dev.orchard.server.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccountTests {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    private static Account account(AccountState recorded, long expiresInDays, Long blockedForSeconds) {
        return new Account(new AccountId(1), "A", "Org", "Loc", "1", "US", "enterprisestore", null, "abcd", 
                NOW.plusSeconds(expiresInDays * 86400), 1, recorded, null, null, null, false, null, null,
                blockedForSeconds == null ? null : NOW.plusSeconds(blockedForSeconds), null, 0, NOW, NOW);
    }

    @ParameterizedTest(name = "{0}, expires in {1} days, blocked {2} s -> {3}")
    @CsvSource(nullValues = "-", value = {
            "ACTIVE, 100, -, ACTIVE",
            "ACTIVE, 29, -, EXPIRING",
            "ACTIVE, 0, -, EXPIRED",
            "ACTIVE, -3, -, EXPIRED",
            "ACTIVE, 100, 120, BLOCKED",
            "ACTIVE, 10, 120, BLOCKED",
            "ACTIVE, 100, -5, ACTIVE",
            "REVOKED, 100, 120, REVOKED",
            "CLAIMED_BY_OTHER, 10, -, CLAIMED_BY_OTHER",
            "EXPIRED, 100, -, EXPIRED",
            "ERROR, 100, -, ERROR"})
    void theStateShownDerivesBlockAndExpiryFromActive(AccountState recorded, long days, Long blocked, AccountState shown) {
        assertThat(account(recorded, days, blocked).state(NOW, 30)).isEqualTo(shown);
    }

    @ParameterizedTest
    @CsvSource({"100, 100", "1, 1", "0, 0", "-2, -2"})
    void daysLeft(long expiresInDays, long expected) {
        assertThat(account(AccountState.ACTIVE, expiresInDays, null).daysLeft(NOW)).isEqualTo(expected);
    }
}
