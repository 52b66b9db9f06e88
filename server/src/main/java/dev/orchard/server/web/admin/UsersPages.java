package dev.orchard.server.web.admin;

import java.util.List;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.catalog.CatalogQueries;
import dev.orchard.server.inventory.DirectoryUser;
import dev.orchard.server.inventory.Identifiers;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.licensing.AssignmentPolicy.HolderType;
import dev.orchard.server.licensing.Reclaims;
import dev.orchard.server.licensing.WhyNot;
import dev.orchard.server.web.api.UserOverview;

/**
 * Directory users: search with keyset paging; a user's groups, devices, user-based apps and why each is or is not
 * licensed ("Why not?"), licenses, Apple registration and history; allow a reclaimed app again.
 */
@Controller
class UsersPages {

    private final Inventory inventory;
    private final UserOverview overview;
    private final AuditTrail audit;
    private final WhyNot whyNot;
    private final CatalogQueries catalog;
    private final Reclaims reclaims;
    private final Names names;
    private final dev.orchard.server.ledger.LedgerQueries ledger;

    UsersPages(Inventory inventory, UserOverview overview, AuditTrail audit, WhyNot whyNot, CatalogQueries catalog,
               Reclaims reclaims, Names names, dev.orchard.server.ledger.LedgerQueries ledger) {
        this.names = names;
        this.ledger = ledger;
        this.inventory = inventory;
        this.overview = overview;
        this.audit = audit;
        this.whyNot = whyNot;
        this.catalog = catalog;
        this.reclaims = reclaims;
    }

    @GetMapping("/users")
    String list(@RequestParam(required = false) String q, @RequestParam(required = false) String after, Model model) {
        List<DirectoryUser> users = inventory.users(q, after, AppsPages.PAGE);
        model.addAttribute("users", users);
        model.addAttribute("q", q);
        model.addAttribute("next", users.size() == AppsPages.PAGE ? users.get(users.size() - 1).userId() : null);
        return "users";
    }

    @GetMapping("/users/{id}")
    String user(@PathVariable String id, Model model) {
        String u = dev.orchard.server.inventory.Identifiers.user(id);
        if (inventory.users(java.util.List.of(u)).isEmpty()) {
            var held = ledger.licenses(new dev.orchard.server.ledger.LedgerQueries.LicenseFilter(null, null, null, u, null), 0, 200);
            if (held.isEmpty()) {
                throw new dev.orchard.server.system.NotFoundException("no user " + u);
            }
            return names.unknownHolder("user", u, held, model);
        }
        var o = overview.of(id);
        model.addAttribute("user", o.user());
        model.addAttribute("groups", o.groups());
        model.addAttribute("devices", o.devices());
        model.addAttribute("licenses", o.licenses());
        model.addAttribute("waitlist", o.waitlist());
        model.addAttribute("appleUsers", o.appleUsers());
        model.addAttribute("history", audit.list(new AuditTrail.Filter(null, null, "user " + id, null, null), 0, 50));
        var why = whyNot.user(id);
        model.addAttribute("why", why);
        model.addAttribute("appNames", catalog.names(why.stream().map(WhyNot.Explanation::adamId).toList()));
        model.addAttribute("accountNames", names.accounts());
        return "user";
    }

    @PostMapping("/users/{id}/opt-outs/{adamId}/allow")
    String allowAgain(@PathVariable String id, @PathVariable String adamId, RedirectAttributes flash) {
        return Actions.run(flash, "/users/" + org.springframework.web.util.UriUtils.encodePathSegment(id,
                java.nio.charset.StandardCharsets.UTF_8), () -> {
            int n = reclaims.allowAgain(HolderType.USER, inventory.user(id).userId(), Identifiers.adamId(adamId));
            return n == 0 ? "Nothing to allow: the app was not reclaimed on purpose from this user."
                    : "Allowed again: the next licensing pass assigns the app if a label still wants it.";
        });
    }
}
