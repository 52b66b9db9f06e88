package dev.orchard.server.web.api;


import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.licensing.LicensingTasks;
import dev.orchard.server.licensing.Reclaims;
import dev.orchard.server.licensing.Waitlist;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The waitlist, the licensing pass and reclaims (R4d). */
@RestController
@Tag(name = "Licensing")
class LicensingController {

    private final AccountService accounts;
    private final Reclaims reclaims;
    private final Waitlist waitlist;
    private final LicensingTasks licensing;

    LicensingController(AccountService accounts, Reclaims reclaims, Waitlist waitlist, LicensingTasks licensing) {
        this.accounts = accounts;
        this.reclaims = reclaims;
        this.waitlist = waitlist;
        this.licensing = licensing;
    }

    @GetMapping("/api/v1/waitlist")
    @Operation(summary = "Targets waiting for a license (WAITING, served in order) or that no account can serve (BLOCKED, with why)")
    Page waitlist(@RequestParam(required = false) String adamId, @RequestParam(required = false) String kind,
                  @RequestParam(required = false) String after, @RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        if (kind != null && !kind.equals("WAITING") && !kind.equals("BLOCKED")) {
            throw new IllegalArgumentException("kind must be WAITING or BLOCKED");
        }
        var items = waitlist.list(adamId, kind, Paging.id(after), limit);
        return new Page(items, Paging.next(items, limit, Waitlist.Entry::id), waitlist.pass());
    }

    /** A page of the waitlist ({@code next} null on the last page) and the licensing pass's state. */
    record Page(java.util.List<Waitlist.Entry> items, String next, Waitlist.PassState pass) {
    }

    @PostMapping("/api/v1/licensing/pass")
    @Operation(summary = "Run a full licensing pass now (changes are served by incremental passes at once; a full pass also runs every full-pass-interval)")
    Waitlist.PassState runPass() {
        licensing.requestPass();
        return waitlist.pass();
    }

    // --- reclaim (R4d)

    @PostMapping("/api/v1/licenses/{id}/reclaim")
    @Operation(summary = "Reclaim one license (dryRun=true lists what would happen)")
    Reclaims.Plan reclaimLicense(@PathVariable long id, @RequestParam(defaultValue = "false") boolean dryRun) {
        return reclaims.reclaimLicense(id, dryRun);
    }

    @PostMapping("/api/v1/licenses/{id}/reclaim/cancel")
    @Operation(summary = "Cancel a reclaim still in its grace period, or one waiting for Apple to confirm the assignment")
    Cancelled cancelReclaim(@PathVariable long id) {
        if (!reclaims.cancel(id)) {
            throw new dev.orchard.server.system.ConflictException("license " + id + " has no reclaim waiting to be sent");
        }
        return new Cancelled(id, true);
    }

    /** A reclaim that was cancelled: the license stays. */
    record Cancelled(long licenseId, boolean cancelled) {
    }

    @PostMapping("/api/v1/apps/{adamId}/reclaim")
    @Operation(summary = "Reclaim every license of an app, in one account (accountId) or in all; pauseWaiting=true first opts "
            + "the targets waiting for the app out of it (R4d), so the freed licenses stay free")
    Reclaims.Plan reclaimApp(@PathVariable String adamId, @RequestParam(required = false) Long accountId,
                             @RequestParam(defaultValue = "false") boolean dryRun,
                             @RequestParam(defaultValue = "false") boolean pauseWaiting) {
        if (accountId != null) {
            accounts.get(new AccountId(accountId));
        }
        return reclaims.reclaimApp(adamId, accountId, dryRun, pauseWaiting);
    }

    @PostMapping("/api/v1/accounts/{id}/reclaim")
    @Operation(summary = "Reclaim every license of an account")
    Reclaims.Plan reclaimAccount(@PathVariable long id, @RequestParam(defaultValue = "false") boolean dryRun) {
        return reclaims.reclaimAccount(accounts.get(new AccountId(id)).id(), dryRun);
    }
}
