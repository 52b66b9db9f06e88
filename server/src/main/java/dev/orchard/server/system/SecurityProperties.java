package dev.orchard.server.system;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Secrets supplied at start. None of them is ever logged.
 *
 * @param adminPassword     password of the local {@code admin} user; generated and printed once when empty
 * @param bootstrapApiToken when set, an admin API token with this value is created once
 * @param secretKey         AES key (Base64 of 32 bytes) for secrets at rest; generated into the data directory when empty
 */
@ConfigurationProperties("orchard.security")
public record SecurityProperties(String adminPassword, String bootstrapApiToken, String secretKey) {

    @Override
    public String toString() {
        return "SecurityProperties[adminPassword=" + mask(adminPassword) + ", bootstrapApiToken="
                + mask(bootstrapApiToken) + ", secretKey=" + mask(secretKey) + "]";
    }

    private static String mask(String s) {
        return s == null || s.isEmpty() ? "(unset)" : "(set)";
    }
}
