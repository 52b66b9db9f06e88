package dev.orchard.server.web.admin;

import java.util.List;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.orchard.server.catalog.CatalogQueries;
import dev.orchard.server.inventory.Identifiers;
import dev.orchard.server.licensing.Waitlist;

/**
 * The waitlist: targets waiting for a license (WAITING, served in order as licenses come free, R7) and targets no
 * account can serve (BLOCKED), with their counts, the most common reasons, and every entry page by page, each
 * linking to its device or user page where "why not?" says what fixes it. The dashboard's alerts link here.
 */
@Controller
class WaitlistPage {

    private final Waitlist waitlist;
    private final CatalogQueries catalog;

    WaitlistPage(Waitlist waitlist, CatalogQueries catalog) {
        this.waitlist = waitlist;
        this.catalog = catalog;
    }

    @GetMapping("/waitlist")
    String list(@RequestParam(required = false) String kind, @RequestParam(required = false) String adamId,
                @RequestParam(defaultValue = "0") long after, Model model) {
        String k = Actions.blank(kind);
        if (k != null && !k.equals("WAITING") && !k.equals("BLOCKED")) {
            throw new IllegalArgumentException("kind must be WAITING or BLOCKED, not " + k);
        }
        String app = Actions.blank(adamId) == null ? null : Identifiers.adamId(adamId);
        List<Waitlist.Entry> entries = waitlist.list(app, k, after, AppsPages.PAGE);
        model.addAttribute("kind", k);
        model.addAttribute("adamId", app);
        model.addAttribute("entries", entries);
        model.addAttribute("waiting", waitlist.count(app, "WAITING"));
        model.addAttribute("blocked", waitlist.count(app, "BLOCKED"));
        model.addAttribute("reasons", waitlist.reasons(app, k, 10));
        model.addAttribute("appNames", catalog.names(entries.stream().map(Waitlist.Entry::adamId).distinct().toList()));
        model.addAttribute("next", entries.size() == AppsPages.PAGE ? entries.get(entries.size() - 1).id() : null);
        return "waitlist";
    }
}
