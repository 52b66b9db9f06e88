package dev.orchard.server.alerts;

/**
 * What Orchard alerts about. Each rule has a threshold whose meaning it states, and defaults an administrator may
 * change ({@code PUT /api/v1/alerts/rules}): whether it is on, the threshold, and how often a notice is repeated while
 * the alert lasts.
 */
public enum AlertRule {
    /** A token expires soon: a notice at each of 30, 14, 7 and 1 days left (those within the threshold). */
    TOKEN_EXPIRING("days before expiry of the first notice", 30, 1440),
    /** A token expired, Apple revoked it, or another MDM claimed the location: nothing is assigned until an admin acts. */
    TOKEN_UNUSABLE("unused", 0, 720),
    /** Apple asked Orchard to wait (Retry-After or backoff) for at least the threshold. */
    ACCOUNT_BLOCKED("minutes of a block", 60, 240),
    /** A pool has no license left while at least the threshold of targets wait for the app. */
    POOL_EMPTY("targets waiting", 1, 1440),
    /** At the pool's consumption of the last two weeks, it runs out within the threshold. */
    POOL_FORECAST("days until a pool runs out", 14, 10080),
    /** Apple operation targets of an account failed in the last 24 hours (and were neither retried nor cancelled). */
    OPERATIONS_FAILED("failed targets", 1, 720),
    /** An MDM server could not be reached for at least the threshold. */
    MDM_UNREACHABLE("minutes unreachable", 15, 240),
    /** Licenses Apple holds that nobody should (leak report) reached the threshold in an account. */
    LEAKS("leaked licenses", 100, 10080),
    /** Licenses assigned outside Orchard or Orchard's missing at Apple (drift) reached the threshold in an account. */
    DRIFT("licenses of drift", 10, 1440),
    /** A directory source's last sync failed (its users and groups stay as the last good sync left them). */
    DIRECTORY_SOURCE_FAILING("unused", 0, 720);

    private final String threshold;
    private final int defaultThreshold;
    private final int defaultRepeatMinutes;

    AlertRule(String threshold, int defaultThreshold, int defaultRepeatMinutes) {
        this.threshold = threshold;
        this.defaultThreshold = defaultThreshold;
        this.defaultRepeatMinutes = defaultRepeatMinutes;
    }

    /** What the threshold counts. */
    public String thresholdMeaning() {
        return threshold;
    }

    public int defaultThreshold() {
        return defaultThreshold;
    }

    public int defaultRepeatMinutes() {
        return defaultRepeatMinutes;
    }

    /** The rule named, case-insensitively; a clear error names the rules otherwise. */
    public static AlertRule parse(String name) {
        for (AlertRule r : values()) {
            if (r.name().equalsIgnoreCase(name == null ? "" : name.strip())) {
                return r;
            }
        }
        throw new IllegalArgumentException("rule must be one of " + java.util.Arrays.toString(values()));
    }
}
