package dev.orchard.server.web.api;

import java.util.List;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.catalog.AppCatalog;
import dev.orchard.server.catalog.CatalogQueries;
import dev.orchard.server.ledger.LedgerQueries;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Apps and books with their pools per account, the license ledger, metadata and country availability. */
@RestController
@Tag(name = "Catalog and licenses")
class CatalogController {

    private final AccountService accounts;
    private final LedgerQueries queries;
    private final CatalogQueries apps;
    private final AppCatalog catalog;

    CatalogController(AccountService accounts, LedgerQueries queries, CatalogQueries apps, AppCatalog catalog) {
        this.apps = apps;
        this.accounts = accounts;
        this.queries = queries;
        this.catalog = catalog;
    }

    @GetMapping("/api/v1/apps")
    @Operation(summary = "Apps across accounts, each with its pools (same app in two accounts = two pools)")
    List<CatalogQueries.App> apps() {
        return apps.apps(null);
    }

    @GetMapping("/api/v1/accounts/{id}/apps")
    @Operation(summary = "The apps of one account with their pools")
    List<CatalogQueries.App> accountApps(@PathVariable long id) {
        return apps.apps(accounts.get(new AccountId(id)).id().value());
    }

    @GetMapping("/api/v1/licenses")
    @Operation(summary = "Licenses in id order, filtered; paged with after/next")
    Paging.Page<LedgerQueries.License> licenses(@RequestParam(required = false) Long accountId, @RequestParam(required = false) String adamId,
                                 @RequestParam(required = false) String serialNumber,
                                 @RequestParam(required = false) String clientUserId,
                                 @RequestParam(required = false) String origin,
                                 @RequestParam(required = false) String after,
                                 @RequestParam(defaultValue = "100") int limit) {
        if (origin != null && !origin.equals("ORCHARD") && !origin.equals("EXTERNAL")) {
            throw new IllegalArgumentException("origin must be ORCHARD or EXTERNAL");
        }
        Paging.check(limit);
        var items = queries.licenses(new LedgerQueries.LicenseFilter(accountId, adamId, serialNumber, clientUserId, origin),
                Paging.id(after), limit);
        return Paging.of(items, limit, LedgerQueries.License::id);
    }

    @GetMapping("/api/v1/apps/{adamId}/availability")
    @Operation(summary = "Whether the app is sold in a country's store, as seen by an account (custom apps included)")
    Availability availability(@PathVariable String adamId, @RequestParam String country, @RequestParam long accountId) {
        if (!country.matches("[A-Za-z]{2}")) {
            throw new IllegalArgumentException("country must be an ISO 3166 alpha-2 code");
        }
        boolean available = catalog.availableIn(accounts.get(new AccountId(accountId)).id(), adamId, country);
        return new Availability(adamId, country.toUpperCase(java.util.Locale.ROOT), available);
    }

    @PostMapping("/api/v1/apps/{adamId}/metadata/refresh")
    @Operation(summary = "Re-read the app's metadata from Apple with an account's token")
    Refreshed refreshMetadata(@PathVariable String adamId, @RequestParam long accountId) {
        int found = catalog.refresh(accounts.get(new AccountId(accountId)).id(), List.of(adamId));
        return new Refreshed(adamId, found == 1);
    }

    /** Whether the app is sold in the country's store. */
    record Availability(String adamId, String country, boolean available) {
    }

    /** Whether Apple's lookup found the app's metadata. */
    record Refreshed(String adamId, boolean found) {
    }
}
