package dev.orchard.server.web.admin;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

import dev.orchard.server.accounts.Account;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.licensing.Waitlist;
import dev.orchard.server.mdm.MdmService;
import dev.orchard.server.operations.Operations;
import dev.orchard.server.sync.DriftCounts;
import dev.orchard.server.catalog.CatalogQueries;
import dev.orchard.server.ledger.LedgerQueries;
import dev.orchard.server.sync.SyncQueries;
import dev.orchard.server.sync.SyncProgress;
import dev.orchard.server.sync.SyncRun;
import dev.orchard.server.system.Installation;
import dev.orchard.server.web.api.AccountView;

/**
 * The dashboard: every account as a card with its health and counts, what needs an administrator's attention (live,
 * refreshed every few seconds), and the open alerts of the alerts module (the ones people were notified of).
 */
@Controller
class DashboardPage {

    /** An account card: the account, its last sync, a running sync, and its license totals. */
    record Card(AccountView account, SyncRun lastSync, SyncProgress progress, LedgerQueries.Totals totals,
                long blockedSeconds, DriftCounts.Counts drift) {
    }

    /** Something that needs attention; {@code bad} ones are red. */
    record Alert(boolean bad, String text, String link) {
    }

    private final AccountService accounts;
    private final LedgerQueries ledger;
    private final CatalogQueries catalog;
    private final SyncQueries sync;
    private final Waitlist waitlist;
    private final Operations operations;
    private final Installation installation;
    private final DriftCounts drift;
    private final MdmService mdm;
    private final Clock clock;
    private final Times times;
    private final dev.orchard.server.inventory.Inventory inventory;
    private final dev.orchard.server.alerts.AlertService notified;

    DashboardPage(AccountService accounts, LedgerQueries ledger, CatalogQueries catalog, SyncQueries sync, Waitlist waitlist,
                  Operations operations, Installation installation, DriftCounts drift, MdmService mdm, Clock clock, Times times,
                  dev.orchard.server.inventory.Inventory inventory, dev.orchard.server.alerts.AlertService notified) {
        this.notified = notified;
        this.times = times;
        this.inventory = inventory;
        this.catalog = catalog;
        this.sync = sync;
        this.drift = drift;
        this.mdm = mdm;
        this.accounts = accounts;
        this.ledger = ledger;
        this.waitlist = waitlist;
        this.operations = operations;
        this.installation = installation;
        this.clock = clock;
    }

    @GetMapping("/")
    String dashboard(Model model) {
        var cards = new ArrayList<Card>();
        for (Account a : accounts.list()) {
            cards.add(card(a));
        }
        model.addAttribute("cards", cards);
        model.addAttribute("alerts", alerts(cards));
        model.addAttribute("openAlerts", notified.open());
        return "dashboard";
    }

    /** The alerts alone, refreshed by htmx every few seconds: they appear and clear as things change. */
    @GetMapping("/fragments/alerts")
    String alertsFragment(Model model) {
        model.addAttribute("alerts", alerts(accounts.list().stream().map(this::card).toList()));
        model.addAttribute("openAlerts", notified.open());
        return "dashboard :: alerts";
    }

    private List<Alert> alerts(List<Card> cards) {
        var alerts = new ArrayList<Alert>();
        for (var app : catalog.apps(null)) {
            for (var pool : app.pools()) {
                if (pool.unlimited() || pool.total() == null || pool.available() == null || pool.total() == 0) {
                    continue;
                }
                String name = (app.name() == null ? app.adamId() : app.name()) + " in " + pool.accountName();
                if (pool.available() <= 0) {
                    alerts.add(new Alert(true, name + ": no license left (" + n(pool.assigned()) + " of " + n(pool.total())
                            + " used). If it is a free app, add more licenses at no cost in Apple Business Manager.",
                            "/apps/" + app.adamId()));
                } else if (pool.available() * 10 < pool.total()) {
                    alerts.add(new Alert(false, name + ": running low, " + n(pool.available()) + " of " + n(pool.total()) + " left.",
                            "/apps/" + app.adamId()));
                }
            }
        }
        accountHealth(cards, alerts);
        Map<String, Long> waiting = waitlist.counts();
        if (waiting.getOrDefault("WAITING", 0L) > 0) {
            alerts.add(new Alert(false, n(waiting.get("WAITING")) + " target(s) wait for a license.", "/waitlist?kind=WAITING"));
        }
        if (waiting.getOrDefault("BLOCKED", 0L) > 0) {
            alerts.add(new Alert(true, n(waiting.get("BLOCKED")) + " target(s) cannot be served by any account.",
                    "/waitlist?kind=BLOCKED"));
        }
        Object failed = operations.summary().get("FAILED");
        if (failed instanceof Long n && n > 0) {
            alerts.add(new Alert(true, n(n) + " Apple operation target(s) failed.", "/operations?state=FAILED"));
        }
        long silent = mdm.waitingCount();
        var longest = silent > 0 ? mdm.waiting(null, 1) : List.<dev.orchard.server.mdm.MdmService.EnrollmentView>of();
        if (!longest.isEmpty()) {
            var first = longest.get(0);
            alerts.add(new Alert(false, silent + " device(s) waiting for the MDM, longest " + first.serialNumber() + ": "
                    + first.waitingReason() + ".", "/devices/" + first.serialNumber()));
        }
        for (Card c : cards) {
            if (c.drift() != null && c.drift().external() + c.drift().missing() > 0) {
                alerts.add(new Alert(false, c.account().name() + ": drift — " + n(c.drift().external())
                        + " license(s) assigned outside Orchard, " + n(c.drift().missing())
                        + " of Orchard's missing at Apple (counted " + times.ago(c.drift().computedAt()) + ").",
                        "/leaks?kind=EXTERNAL&accountId=" + c.account().id()));
            }
        }
        return alerts;
    }

    /**
     * What an account's state asks of an administrator: an expired or revoked token to replace, one expiring soon,
     * a location another MDM claimed, an account no Apple License Label lets serve anyone.
     */
    private void accountHealth(List<Card> cards, List<Alert> alerts) {
        var withLabels = new java.util.HashSet<Long>();
        inventory.labels().stream().filter(l -> l.kind() == dev.orchard.server.inventory.Label.Kind.LICENSE)
                .forEach(l -> withLabels.add(l.accountId()));
        for (Card c : cards) {
            var a = c.account();
            String link = "/accounts/" + a.id();
            switch (a.state()) {
                case EXPIRED -> alerts.add(new Alert(true, a.name() + ": the token expired " + times.ago(a.expiresAt())
                        + "; download a new one in Apple Business Manager and upload it.", link));
                case REVOKED -> alerts.add(new Alert(true, a.name() + ": Apple revoked the token (a new one was downloaded); "
                        + "upload the new token.", link));
                case EXPIRING -> alerts.add(new Alert(false, a.name() + ": the token expires " + times.ago(a.expiresAt())
                        + "; renew it before then.", link));
                case CLAIMED_BY_OTHER -> alerts.add(new Alert(true, a.name() + ": another MDM"
                        + (a.owner() == null || a.owner().name() == null ? "" : " (" + a.owner().name() + ")")
                        + " manages the location; claim it back on the account's page.", link));
                default -> {
                }
            }
            if (!withLabels.contains(a.id())) {
                alerts.add(new Alert(false, a.name() + " has no Apple License Label: its licenses serve nobody. Add one under "
                        + "Labels.", "/labels"));
            }
        }
    }

    /** The account cards alone, refreshed by htmx every few seconds (sync progress, countdown, counts). */
    @GetMapping("/fragments/cards")
    String cards(Model model) {
        model.addAttribute("cards", accounts.list().stream().map(this::card).toList());
        return "dashboard :: cards";
    }

    Card card(Account a) {
        var now = clock.instant();
        AccountView view = AccountView.of(a, now, accounts.expiryWarningDays(), installation.id());
        List<SyncRun> history = sync.history(a.id(), 1);
        var totals = ledger.totals(a.id());
        long blocked = view.blockedUntil() == null ? 0 : Math.max(0, view.blockedUntil().getEpochSecond() - now.getEpochSecond());
        return new Card(view, history.isEmpty() ? null : history.get(0), sync.progress(a.id()), totals, blocked,
                drift.of(a.id()).orElse(null));
    }

    /** A count with thousands separators. */
    private static String n(long count) {
        return String.format(java.util.Locale.ENGLISH, "%,d", count);
    }
}
