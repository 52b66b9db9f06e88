package dev.orchard.server.system;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Throttling of the admin UI's sign-in.
 *
 * @param maxFailuresPerUser    failed sign-ins for one user name within {@code window} before it is locked
 * @param maxFailuresPerAddress failed sign-ins from one source address within {@code window} before it is locked
 * @param window                how long failures are counted from the first one
 * @param lockout               how long a lock lasts (an admin can unlock sooner)
 */
@ConfigurationProperties("orchard.security.login")
public record LoginProperties(Integer maxFailuresPerUser, Integer maxFailuresPerAddress, Duration window, Duration lockout) {

    public LoginProperties {
        maxFailuresPerUser = maxFailuresPerUser == null ? 5 : maxFailuresPerUser;
        maxFailuresPerAddress = maxFailuresPerAddress == null ? 20 : maxFailuresPerAddress;
        window = window == null ? Duration.ofMinutes(15) : window;
        lockout = lockout == null ? Duration.ofMinutes(15) : lockout;
        if (maxFailuresPerUser < 1 || maxFailuresPerAddress < 1 || window.isNegative() || window.isZero()
                || lockout.isNegative() || lockout.isZero()) {
            throw new IllegalArgumentException("orchard.security.login.*: limits must be at least 1 and durations positive");
        }
    }
}
