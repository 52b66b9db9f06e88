package dev.orchard.server.system;

import java.time.Instant;

/**
 * A module's finished rows that the retention task deletes: each module prunes only its own tables. {@link #prune}
 * deletes at most {@code limit} rows older than the module's configured age and returns how many; the task calls it
 * again until it returns fewer than {@code limit}, so no statement holds a large table for long.
 */
public interface Retention {

    /** What is pruned, for the log and the audit entry ("operations", "MDM commands", …). */
    String what();

    /** Deletes up to {@code limit} rows that are old enough at {@code now}; returns how many. */
    int prune(Instant now, int limit);
}
