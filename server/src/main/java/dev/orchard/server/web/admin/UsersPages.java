package dev.orchard.server.web.admin;

import java.util.List;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.inventory.DirectoryUser;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.web.api.UserOverview;

/** Directory users: search with keyset paging; a user's groups, devices, licenses, Apple registration and history. */
@Controller
class UsersPages {

    private final Inventory inventory;
    private final UserOverview overview;
    private final AuditTrail audit;

    UsersPages(Inventory inventory, UserOverview overview, AuditTrail audit) {
        this.inventory = inventory;
        this.overview = overview;
        this.audit = audit;
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
        model.addAllAttributes(overview.of(id));
        model.addAttribute("history", audit.list(new AuditTrail.Filter(null, null, "user " + id, null, null), 0, 50));
        return "user";
    }
}
