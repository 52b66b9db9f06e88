package dev.orchard.server.web.admin;

import java.util.List;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.orchard.server.inventory.AppSettings;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.licensing.Reclaims;
import dev.orchard.server.licensing.Waitlist;
import dev.orchard.server.mdm.MdmService;
import dev.orchard.server.system.NotFoundException;
import dev.orchard.server.catalog.CatalogQueries;
import dev.orchard.server.ledger.LedgerQueries;

/**
 * Apps: every app and book with its pools per account; an app's detail with its settings, license holders (keyset
 * pages), outdated installs and waitlist; reclaim one or all (preview with the count first), send installation
 * requests and updates.
 */
@Controller
class AppsPages {

    static final int PAGE = 50;

    private final LedgerQueries ledger;
    private final CatalogQueries catalog;
    private final Inventory inventory;
    private final Reclaims reclaims;
    private final Waitlist waitlist;
    private final MdmService mdm;
    private final dev.orchard.server.catalog.AppIcons icons;
    private final dev.orchard.server.operations.Operations operations;

    AppsPages(LedgerQueries ledger, CatalogQueries catalog, Inventory inventory, Reclaims reclaims, Waitlist waitlist, MdmService mdm,
              dev.orchard.server.catalog.AppIcons icons, dev.orchard.server.operations.Operations operations) {
        this.icons = icons;
        this.operations = operations;
        this.ledger = ledger;
        this.catalog = catalog;
        this.inventory = inventory;
        this.reclaims = reclaims;
        this.waitlist = waitlist;
        this.mdm = mdm;
    }

    @GetMapping("/apps")
    String list(@RequestParam(required = false) Long accountId, @RequestParam(defaultValue = "name") String sort, Model model) {
        var apps = new java.util.ArrayList<>(catalog.apps(accountId));
        java.util.Comparator<CatalogQueries.App> used = java.util.Comparator.comparingLong(
                a -> a.pools().stream().mapToLong(LedgerQueries.Pool::assigned).sum());
        java.util.Comparator<CatalogQueries.App> available = java.util.Comparator.comparingLong(a -> a.pools().stream()
                .filter(p -> !p.unlimited() && p.available() != null).mapToLong(LedgerQueries.Pool::available).sum());
        switch (sort) {
            case "used" -> apps.sort(used.reversed());
            case "available" -> apps.sort(available);
            default -> {
                // by name, as the ledger lists them
            }
        }
        model.addAttribute("apps", apps);
        model.addAttribute("accountId", accountId);
        model.addAttribute("sort", sort);
        return "apps";
    }

    /** The app's rollout, refreshed by htmx every few seconds on the app's page. */
    @GetMapping("/apps/{adamId}/progress")
    String progress(@PathVariable String adamId, Model model) {
        rollout(dev.orchard.server.inventory.Identifiers.adamId(adamId), model);
        return "app :: rollout";
    }

    private void rollout(String adamId, Model model) {
        model.addAttribute("adamId", adamId);
        model.addAttribute("rollout", ledger.appLicenses(adamId));
        model.addAttribute("rolloutWaiting", waitlist.count(adamId, "WAITING"));
        model.addAttribute("rolloutBlocked", waitlist.count(adamId, "BLOCKED"));
        model.addAttribute("rolloutFailed", operations.failedTargets(adamId));
    }

    /** An app's icon, served by Orchard (cached artwork, or a generated one), so the pages never show a broken image. */
    @GetMapping("/icons/{adamId}")
    org.springframework.http.ResponseEntity<byte[]> icon(@PathVariable String adamId) {
        var icon = icons.icon(dev.orchard.server.inventory.Identifiers.adamId(adamId));
        return org.springframework.http.ResponseEntity.ok()
                .contentType(org.springframework.http.MediaType.parseMediaType(icon.contentType()))
                .cacheControl(org.springframework.http.CacheControl.maxAge(java.time.Duration.ofHours(1)).cachePrivate())
                .body(icon.bytes());
    }

    @GetMapping("/apps/{adamId}")
    String app(@PathVariable String adamId, @RequestParam(defaultValue = "0") long after,
               @RequestParam(required = false) Long reclaimLicense, @RequestParam(defaultValue = "false") boolean reclaimAll,
               @RequestParam(required = false) Long reclaimAccount, Model model) {
        var app = catalog.apps(null).stream().filter(a -> a.adamId().equals(adamId)).findFirst()
                .orElseThrow(() -> new NotFoundException("no app " + adamId + " in any account"));
        List<LedgerQueries.License> holders = ledger.licenses(new LedgerQueries.LicenseFilter(null, adamId, null, null, null),
                after, PAGE);
        model.addAttribute("app", app);
        // Apple refuses to take back licenses of an asset that is not revocable (books): no reclaim is offered
        model.addAttribute("revocable", app.pools().isEmpty() || app.pools().stream().anyMatch(LedgerQueries.Pool::revocable));
        model.addAttribute("settings", inventory.settings(adamId));
        model.addAttribute("holders", holders);
        model.addAttribute("next", holders.size() == PAGE ? holders.get(holders.size() - 1).id() : null);
        model.addAttribute("outdated", mdm.outdated(null, adamId, PAGE));
        model.addAttribute("waitlist", waitlist.list(adamId, null, 0, PAGE));
        model.addAttribute("waitlistTotal", waitlist.count(adamId, null));
        rollout(adamId, model);
        if (reclaimLicense != null) {
            model.addAttribute("confirmLicense", ledger.licenses(new LedgerQueries.LicenseFilter(null, adamId, null, null, null),
                    reclaimLicense - 1, 1).stream().filter(l -> l.id() == reclaimLicense).findFirst().orElse(null));
        }
        var poolAccounts = new java.util.LinkedHashMap<Long, String>();
        app.pools().forEach(p -> poolAccounts.put(p.accountId(), p.accountName()));
        model.addAttribute("poolAccounts", poolAccounts);
        if (reclaimAll) {
            // one account's licenses, or every account's; the waitlist takes freed licenses at once, which is said
            model.addAttribute("confirmAll", reclaims.reclaimApp(adamId, reclaimAccount, true));
            model.addAttribute("reclaimAccount", reclaimAccount);
            model.addAttribute("reclaimAccountName", reclaimAccount == null ? null : app.pools().stream()
                    .filter(p -> p.accountId() == reclaimAccount).map(LedgerQueries.Pool::accountName).findFirst()
                    .orElseThrow(() -> new NotFoundException("account " + reclaimAccount + " has no pool of app " + adamId)));
            model.addAttribute("waitingForApp", waitlist.count(adamId, "WAITING"));
        }
        return "app";
    }

    @PostMapping("/licenses/{id}/reclaim")
    String reclaimOne(@PathVariable long id, @RequestParam String adamId, RedirectAttributes flash) {
        return Actions.run(flash, "/apps/" + adamId, () -> {
            var plan = reclaims.reclaimLicense(id, false);
            return plan.licenses() == 1 ? "The license is being reclaimed at Apple (see Operations)." : "Nothing to reclaim.";
        });
    }

    @PostMapping("/apps/{adamId}/reclaim")
    String reclaimAll(@PathVariable String adamId, @RequestParam long expected, @RequestParam(required = false) Long accountId,
                      @RequestParam(defaultValue = "false") boolean pauseWaiting, RedirectAttributes flash) {
        return Actions.run(flash, "/apps/" + adamId, () -> {
            long now = reclaims.reclaimApp(adamId, accountId, true).licenses();
            Actions.sameAsPreviewed(expected, now, "reclaimed");
            var done = reclaims.reclaimApp(adamId, accountId, false, pauseWaiting);
            return done.licenses() + " license(s) are being reclaimed."
                    + (done.paused() > 0 ? " " + done.paused() + " waiting target(s) paused: the freed licenses stay free." : "");
        });
    }

    @PostMapping("/apps/{adamId}/settings")
    String settings(@PathVariable String adamId, @RequestParam String licenseType,
                    @RequestParam(defaultValue = "false") boolean autoInstall,
                    @RequestParam(defaultValue = "false") boolean installOnRegistration,
                    @RequestParam(defaultValue = "false") boolean autoUpdate,
                    @RequestParam(defaultValue = "false") boolean removeOnUnenroll,
                    @RequestParam(defaultValue = "false") boolean preventBackup, RedirectAttributes flash) {
        return Actions.run(flash, "/apps/" + adamId, () -> {
            AppSettings.LicenseType type;
            try {
                type = AppSettings.LicenseType.valueOf(licenseType);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("License type must be DEVICE or USER.");
            }
            inventory.saveSettings(new AppSettings(adamId, type, autoInstall, installOnRegistration, autoUpdate,
                    removeOnUnenroll, preventBackup));
            return "Settings saved; the licensing engine applies them now.";
        });
    }

    @PostMapping("/apps/{adamId}/install")
    String install(@PathVariable String adamId, RedirectAttributes flash) {
        return Actions.run(flash, "/apps/" + adamId, () -> {
            var r = mdm.sendInstall(null, adamId, null, null);
            return "Installation requested on " + r.devices() + " device(s)" + (r.skipped().isEmpty() ? "."
                    : "; " + r.skipped().size() + " skipped (not enrolled or no confirmed license).");
        });
    }

    @PostMapping("/apps/{adamId}/update")
    String update(@PathVariable String adamId, RedirectAttributes flash) {
        return Actions.run(flash, "/apps/" + adamId, () -> "Update requested on " + mdm.sendUpdate(null, adamId, null).devices()
                + " device(s) with an older version.");
    }
}
