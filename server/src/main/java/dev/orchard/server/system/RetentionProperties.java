package dev.orchard.server.system;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How long finished work is kept before the retention task deletes it (a zero or negative age keeps it forever).
 *
 * @param interval     how often the retention task runs
 * @param mdmCommands  MDM commands none of whose targets is still queued or being sent, by creation time
 * @param operations   finished Apple operations and their targets (done, failed, cancelled), by completion time
 * @param notifications Apple notifications once processed, by processing time
 * @param syncRuns     the history of sync runs, by end time
 * @param audit        audit entries, by time; kept forever unless set (export them first: {@code GET /api/v1/audit?format=csv})
 */
@ConfigurationProperties("orchard.retention")
public record RetentionProperties(Duration interval, Duration mdmCommands, Duration operations, Duration notifications,
                                  Duration syncRuns, Duration audit) {

    public RetentionProperties {
        interval = interval == null ? Duration.ofHours(6) : interval;
        mdmCommands = mdmCommands == null ? Duration.ofDays(30) : mdmCommands;
        operations = operations == null ? Duration.ofDays(90) : operations;
        notifications = notifications == null ? Duration.ofDays(30) : notifications;
        syncRuns = syncRuns == null ? Duration.ofDays(90) : syncRuns;
        audit = audit == null ? Duration.ZERO : audit;
        if (interval.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("orchard.retention.interval must be at least 1 minute");
        }
    }

    /** Whether rows of this age are deleted at all. */
    public static boolean prunes(Duration age) {
        return age != null && !age.isZero() && !age.isNegative();
    }
}
