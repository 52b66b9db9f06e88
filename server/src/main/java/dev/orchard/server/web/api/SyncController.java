package dev.orchard.server.web.api;

import java.util.List;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.ledger.LedgerQueries;
import dev.orchard.server.sync.SyncQueries;
import dev.orchard.server.sync.SyncProgress;
import dev.orchard.server.sync.SyncRun;
import dev.orchard.server.sync.SyncTasks;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Sync with Apple: start one, see its progress and the history of runs, and the drift report. */
@RestController
@Tag(name = "Sync")
class SyncController {

    /** Progress of the running sync (if any) and the latest runs. */
    record SyncStatus(SyncProgress progress, List<SyncRun> history) {
    }

    private final AccountService accounts;
    private final SyncTasks tasks;
    private final LedgerQueries queries;
    private final SyncQueries runs;
    private final dev.orchard.server.sync.NotificationInbox inbox;

    SyncController(AccountService accounts, SyncTasks tasks, LedgerQueries queries, SyncQueries runs,
                   dev.orchard.server.sync.NotificationInbox inbox) {
        this.runs = runs;
        this.inbox = inbox;
        this.accounts = accounts;
        this.tasks = tasks;
        this.queries = queries;
    }

    @PostMapping("/api/v1/accounts/{id}/sync")
    @Operation(summary = "Sync the account with Apple now (queued; waits for a Retry-After block to end)")
    @ApiResponse(responseCode = "202", description = "Queued; the answer is the sync's status")
    ResponseEntity<SyncStatus> sync(@PathVariable long id, @RequestParam(defaultValue = "false") boolean full) {
        AccountId account = accounts.get(new AccountId(id)).id();
        tasks.syncNow(account, full);
        return ResponseEntity.accepted().body(status(id, 10));
    }

    @GetMapping("/api/v1/accounts/{id}/sync")
    @Operation(summary = "Progress of the running sync (phase, pages done/total, items) and the history of runs")
    SyncStatus status(@PathVariable long id, @RequestParam(defaultValue = "20") int history) {
        AccountId account = accounts.get(new AccountId(id)).id();
        return new SyncStatus(runs.progress(account), runs.history(account, Math.max(1, Math.min(history, 200))));
    }

    @GetMapping("/api/v1/accounts/{id}/notifications/rejected")
    @Operation(summary = "Apple notifications that failed validation (another location's uId, an implausible or unknown count), "
            + "newest first: kept as received, they changed nothing")
    java.util.List<dev.orchard.server.sync.NotificationInbox.Rejected> rejectedNotifications(@PathVariable long id,
                                                                                        @RequestParam(defaultValue = "100") int limit) {
        return inbox.rejected(accounts.get(new AccountId(id)).id(), Math.max(1, Math.min(limit, 1000)));
    }

    @GetMapping("/api/v1/accounts/{id}/drift")
    @Operation(summary = "Licenses Apple has that Orchard did not assign, and Orchard's that Apple lacks")
    LedgerQueries.Drift drift(@PathVariable long id, @RequestParam(defaultValue = "100") int sample) {
        return queries.drift(accounts.get(new AccountId(id)).id(), Math.max(0, Math.min(sample, 1000)));
    }
}
