package dev.orchard.server.sync;

import java.time.Instant;

/**
 * Where an account's sync stands: the versions incremental reads start from, and the run in progress (kind,
 * phase, next page, pages done and total, items) so it can be shown and resumed after a crash.
 */
public record SyncProgress(
        long accountId,
        String assignmentsVersion,
        String usersVersion,
        Instant lastFullAt,
        boolean fullRequested,
        Long runId,
        String runKind,
        String phase,
        Integer nextPage,
        Integer pagesDone,
        Integer pagesTotal,
        Long items,
        String firstVersion,
        boolean versionChanged,
        Instant runStartedAt) {

    public boolean running() {
        return runId != null;
    }
}
