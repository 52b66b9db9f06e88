package dev.orchard.server.accounts;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param expiryWarningDays an account whose token expires within this many days shows EXPIRING
 * @param refreshInterval   how often every account's configuration, owner and expiry are re-read from Apple
 */
@ConfigurationProperties("orchard.accounts")
public record AccountsProperties(int expiryWarningDays, Duration refreshInterval) {
}
