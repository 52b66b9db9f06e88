package dev.orchard.server.web.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.licensing.Reclaims;
import dev.orchard.server.sync.SyncQueries;
import dev.orchard.server.sync.SyncTasks;

/**
 * Accounts: the list, adding one by uploading its {@code .vpptoken}, and per account its sync (progress and history),
 * renewal, claiming the location back, priority, reclaim-all with a dry-run preview and typed confirmation, and safe deletion.
 */
@Controller
class AccountsPages {

    private final AccountService accounts;
    private final DashboardPage dashboard;
    private final SyncQueries runs;
    private final SyncTasks sync;
    private final Reclaims reclaims;

    private final dev.orchard.server.sync.NotificationInbox inbox;
    private final Times times;

    AccountsPages(AccountService accounts, DashboardPage dashboard, SyncQueries runs, SyncTasks sync, Reclaims reclaims,
                  dev.orchard.server.sync.NotificationInbox inbox, Times times) {
        this.inbox = inbox;
        this.times = times;
        this.accounts = accounts;
        this.dashboard = dashboard;
        this.runs = runs;
        this.sync = sync;
        this.reclaims = reclaims;
    }

    @GetMapping("/accounts")
    String list(Model model) {
        model.addAttribute("cards", accounts.list().stream().map(dashboard::card).toList());
        return "accounts";
    }

    @PostMapping("/accounts")
    String add(@RequestParam(required = false) MultipartFile token, @RequestParam(required = false) String name,
               @RequestParam(required = false) Integer priority, @RequestParam(defaultValue = "false") boolean takeOver,
               RedirectAttributes flash) {
        return Actions.run(flash, "/accounts", () -> {
            var account = accounts.add(Actions.blank(name), tokenText(token), priority, takeOver);
            return "Added " + account.name() + " (" + account.locationName() + "); the first sync has started.";
        });
    }

    @GetMapping("/accounts/{id}")
    String account(@PathVariable long id, Model model) {
        return page(accounts.get(new AccountId(id)), model);
    }

    private String page(dev.orchard.server.accounts.Account account, Model model) {
        model.addAttribute("c", dashboard.card(account));
        model.addAttribute("history", runs.history(account.id(), 20));
        model.addAttribute("rejected", inbox.rejected(account.id(), 20));
        return "account";
    }

    @GetMapping("/accounts/{id}/progress")
    String progress(@PathVariable long id, Model model) {
        model.addAttribute("c", dashboard.card(accounts.get(new AccountId(id))));
        return "account :: progress";
    }

    @PostMapping("/accounts/{id}/sync")
    String syncNow(@PathVariable long id, @RequestParam(defaultValue = "false") boolean full, RedirectAttributes flash) {
        return Actions.run(flash, "/accounts/" + id, () -> {
            sync.syncNow(accounts.get(new AccountId(id)).id(), full);
            return (full ? "A full sync" : "A sync") + " has started; its progress shows below.";
        });
    }

    @PostMapping("/accounts/{id}/token")
    String renew(@PathVariable long id, @RequestParam(required = false) MultipartFile token, RedirectAttributes flash) {
        return Actions.run(flash, "/accounts/" + id, () -> {
            var account = accounts.renew(new AccountId(id), tokenText(token));
            return "Token renewed; it now expires " + times.at(account.expiresAt()) + ".";
        });
    }

    /**
     * Re-reads the account's configuration, owner and expiry from Apple now (as the API's refresh does), so a takeover
     * by another MDM or a renewed token shows at once instead of at the next periodic check.
     */
    @PostMapping("/accounts/{id}/refresh")
    String refresh(@PathVariable long id, RedirectAttributes flash) {
        return Actions.run(flash, "/accounts/" + id, () -> {
            var account = accounts.get(new AccountId(id));
            accounts.requestRefresh(account.id());
            return "Orchard asks Apple about " + account.name() + " now; the page shows what Apple says in a moment.";
        });
    }

    /** The location was claimed by another MDM (or another Orchard): take it back, as the API's claim does. */
    @PostMapping("/accounts/{id}/claim")
    String claimBack(@PathVariable long id, RedirectAttributes flash) {
        return Actions.run(flash, "/accounts/" + id, () -> {
            var account = accounts.takeOver(new AccountId(id));
            return account.name() + " is managed by this Orchard again; a sync reads what changed meanwhile.";
        });
    }

    @PostMapping("/accounts/{id}/priority")
    String priority(@PathVariable long id, @RequestParam int priority, RedirectAttributes flash) {
        return Actions.run(flash, "/accounts/" + id, () -> {
            accounts.update(new AccountId(id), null, priority);
            return "Priority set to " + priority + " (lower is used first).";
        });
    }

    /** Reclaim all: the first post is the dry run (what would happen, with counts); the second needs the typed name. */
    @PostMapping("/accounts/{id}/reclaim")
    String reclaimAll(@PathVariable long id, @RequestParam(required = false) String confirm, Model model, RedirectAttributes flash) {
        var account = accounts.get(new AccountId(id));
        if (confirm == null) {
            model.addAttribute("preview", reclaims.reclaimAccount(account.id(), true));
            return page(account, model);
        }
        return Actions.run(flash, "/accounts/" + id, () -> {
            if (!confirm.strip().equals(account.name())) {
                throw new IllegalArgumentException("Type the account's name exactly to confirm; nothing was reclaimed.");
            }
            var plan = reclaims.reclaimAccount(account.id(), false);
            return plan.licenses() + " license(s) of " + account.name() + " are being reclaimed (see Operations).";
        });
    }

    @PostMapping("/accounts/{id}/delete")
    String delete(@PathVariable long id, @RequestParam(defaultValue = "") String confirm,
                  @RequestParam(defaultValue = "false") boolean revokeLicenses, RedirectAttributes flash) {
        var account = accounts.get(new AccountId(id));
        if (!confirm.strip().equals(account.name())) {
            flash.addFlashAttribute("error", "Type the account's name exactly to delete it; nothing was deleted.");
            return "redirect:/accounts/" + id;
        }
        return Actions.run(flash, "/accounts", () -> accounts.delete(account.id(), revokeLicenses)
                ? account.name() + " is deleted." : account.name() + "'s licenses are being revoked at Apple; it is deleted after.");
    }

    private static String tokenText(MultipartFile token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("Choose the .vpptoken file downloaded from Apple Business Manager.");
        }
        try {
            return new String(token.getBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("The file could not be read: " + e.getMessage());
        }
    }
}
