package dev.orchard.server.web.api;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.ledger.LedgerQueries;
import dev.orchard.server.licensing.Adoption;
import dev.orchard.server.licensing.Reclaims;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * Leaks: licenses Apple holds that nobody should (a retired device, a serial or user Orchard does not know, an app no
 * App label names) or that were assigned outside Orchard; listed by kind, reclaimed or (assigned outside) adopted,
 * each after a dry run if the caller likes.
 */
@RestController
@Tag(name = "Licensing")
class LeaksController {

    /** The counts by kind, in one account or all. */
    record Counts(Long accountId, Map<LedgerQueries.Leak, Long> leaks) {
    }

    /** A page of one kind's licenses; {@code next} null on the last page. */
    record Page(LedgerQueries.Leak kind, List<LedgerQueries.License> items, String next) {
    }

    private final LedgerQueries ledger;
    private final Reclaims reclaims;
    private final Adoption adoption;
    private final AccountService accounts;

    LeaksController(LedgerQueries ledger, Reclaims reclaims, Adoption adoption, AccountService accounts) {
        this.ledger = ledger;
        this.reclaims = reclaims;
        this.adoption = adoption;
        this.accounts = accounts;
    }

    @GetMapping("/api/v1/leaks")
    @Operation(summary = "How many licenses Apple holds of each kind of leak: RETIRED_DEVICE, UNKNOWN_DEVICE, UNKNOWN_USER, "
            + "UNWANTED_APP (no App label names the app), EXTERNAL (assigned outside Orchard)")
    Counts counts(@RequestParam(required = false) Long accountId) {
        return new Counts(account(accountId), ledger.countLeaks(account(accountId)));
    }

    @GetMapping("/api/v1/leaks/{kind}")
    @Operation(summary = "One kind's leaked licenses, keyset-paged by id")
    Page list(@PathVariable String kind, @RequestParam(required = false) Long accountId,
              @RequestParam(required = false) String after, @RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        var leak = LedgerQueries.Leak.parse(kind);
        var items = ledger.leaks(leak, account(accountId), Paging.id(after), limit);
        return new Page(leak, items, Paging.next(items, limit, LedgerQueries.License::id));
    }

    @PostMapping("/api/v1/leaks/{kind}/reclaim")
    @Operation(summary = "Reclaim one kind's leaked licenses (rule R4d; holders are not opted out); dryRun=true says how many")
    Reclaims.Plan reclaim(@PathVariable String kind, @RequestParam(required = false) Long accountId,
                          @RequestParam(defaultValue = "false") boolean dryRun) {
        return reclaims.reclaimLeaks(LedgerQueries.Leak.parse(kind), account(accountId), dryRun);
    }

    @PostMapping("/api/v1/leaks/EXTERNAL/adopt")
    @Operation(summary = "Adopt the licenses assigned outside Orchard: its labels decide about them from now on (a holder no "
            + "Apple License Label covers loses it, rule R4a); dryRun=true says how many")
    Adoption.Plan adopt(@RequestParam(required = false) Long accountId, @RequestParam(defaultValue = "false") boolean dryRun) {
        return adoption.adopt(account(accountId), dryRun);
    }

    private Long account(Long accountId) {
        if (accountId != null) {
            accounts.get(new AccountId(accountId)); // 404 for an unknown account
        }
        return accountId;
    }
}
