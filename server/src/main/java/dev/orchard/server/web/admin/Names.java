package dev.orchard.server.web.admin;

import java.util.HashMap;
import java.util.Map;

import org.springframework.stereotype.Component;

import dev.orchard.server.accounts.AccountService;

/** The names pages show instead of ids: accounts by id (read once per page), apps by store id. */
@Component
class Names {

    private final AccountService accounts;
    private final dev.orchard.server.catalog.CatalogQueries catalog;

    Names(AccountService accounts, dev.orchard.server.catalog.CatalogQueries catalog) {
        this.accounts = accounts;
        this.catalog = catalog;
    }

    /**
     * The page of a device or user Orchard does not know but Apple holds licenses for (another tool assigned them):
     * the app page links every holder.
     */
    String unknownHolder(String what, String holder, java.util.List<dev.orchard.server.ledger.LedgerQueries.License> held,
                         org.springframework.ui.Model model) {
        model.addAttribute("what", what);
        model.addAttribute("holder", holder);
        model.addAttribute("licenses", held);
        model.addAttribute("appNames", catalog.names(held.stream().map(dev.orchard.server.ledger.LedgerQueries.License::adamId)
                .distinct().toList()));
        model.addAttribute("accountNames", accounts());
        return "unknown-holder";
    }

    /** Every account's name by its id. */
    Map<Long, String> accounts() {
        var names = new HashMap<Long, String>();
        accounts.list().forEach(a -> names.put(a.id().value(), a.name()));
        return names;
    }
}
