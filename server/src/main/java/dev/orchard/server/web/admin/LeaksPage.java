package dev.orchard.server.web.admin;

import java.util.List;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.catalog.CatalogQueries;
import dev.orchard.server.ledger.LedgerQueries;
import dev.orchard.server.licensing.Adoption;
import dev.orchard.server.licensing.Reclaims;

/**
 * Leaks and drift: licenses Apple holds for retired devices, unknown serials or users, apps no App label names, and
 * licenses assigned outside Orchard; counted by kind (one account or all), listed page by page, and reclaimed or
 * adopted after a preview that says how many and shows examples. The confirmation carries the previewed count: if
 * it changed meanwhile, nothing is done and the page says so.
 */
@Controller
class LeaksPage {

    private final LedgerQueries ledger;
    private final Reclaims reclaims;
    private final Adoption adoption;
    private final AccountService accounts;
    private final CatalogQueries catalog;
    private final Names names;

    LeaksPage(LedgerQueries ledger, Reclaims reclaims, Adoption adoption, AccountService accounts, CatalogQueries catalog,
              Names names) {
        this.ledger = ledger;
        this.reclaims = reclaims;
        this.adoption = adoption;
        this.accounts = accounts;
        this.catalog = catalog;
        this.names = names;
    }

    @GetMapping("/leaks")
    String leaks(@RequestParam(required = false) String kind, @RequestParam(required = false) Long accountId,
                 @RequestParam(defaultValue = "0") long after, @RequestParam(required = false) String preview, Model model) {
        if (accountId != null) {
            accounts.get(new AccountId(accountId));
        }
        model.addAttribute("accountId", accountId);
        model.addAttribute("accounts", accounts.list());
        model.addAttribute("accountNames", names.accounts());
        model.addAttribute("counts", ledger.countLeaks(accountId));
        model.addAttribute("kinds", LedgerQueries.Leak.values());
        LedgerQueries.Leak leak = kind == null || kind.isBlank() ? null : LedgerQueries.Leak.parse(kind);
        model.addAttribute("kind", leak);
        if (leak != null) {
            List<LedgerQueries.License> items = ledger.leaks(leak, accountId, after, AppsPages.PAGE);
            model.addAttribute("items", items);
            model.addAttribute("appNames", catalog.names(items.stream().map(LedgerQueries.License::adamId).distinct().toList()));
            model.addAttribute("next", items.size() == AppsPages.PAGE ? items.get(items.size() - 1).id() : null);
            if ("reclaim".equals(preview)) {
                model.addAttribute("reclaimPlan", reclaims.reclaimLeaks(leak, accountId, true));
            } else if ("adopt".equals(preview) && leak == LedgerQueries.Leak.EXTERNAL) {
                model.addAttribute("adoptPlan", adoption.adopt(accountId, true));
            }
        }
        return "leaks";
    }

    @PostMapping("/leaks/{kind}/reclaim")
    String reclaim(@PathVariable String kind, @RequestParam(required = false) Long accountId, @RequestParam long expected,
                   RedirectAttributes flash) {
        var leak = LedgerQueries.Leak.parse(kind);
        return Actions.run(flash, back(leak, accountId), () -> {
            long now = reclaims.reclaimLeaks(leak, accountId, true).licenses();
            Actions.sameAsPreviewed(expected, now, "reclaimed");
            return reclaims.reclaimLeaks(leak, accountId, false).licenses() + " license(s) are being reclaimed (see Operations).";
        });
    }

    @PostMapping("/leaks/EXTERNAL/adopt")
    String adopt(@RequestParam(required = false) Long accountId, @RequestParam long expected, RedirectAttributes flash) {
        return Actions.run(flash, back(LedgerQueries.Leak.EXTERNAL, accountId), () -> {
            long now = adoption.adopt(accountId, true).licenses();
            Actions.sameAsPreviewed(expected, now, "adopted");
            return adoption.adopt(accountId, false).licenses() + " license(s) are Orchard's now; the labels decide about them "
                    + "from the next pass.";
        });
    }

    private static String back(LedgerQueries.Leak leak, Long accountId) {
        return "/leaks?kind=" + leak + (accountId == null ? "" : "&accountId=" + accountId);
    }
}
