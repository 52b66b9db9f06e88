package dev.orchard.server.sync;

import java.time.Instant;

/** One finished or running sync of an account, for its history. */
public record SyncRun(long id, long accountId, String kind, Instant startedAt, Instant finishedAt, String result,
                      int pages, long items, long added, long removed, int requests, String message) {
}
