package dev.orchard.server.alerts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.stereotype.Component;

import dev.orchard.server.accounts.Account;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.accounts.AccountState;
import dev.orchard.server.alerts.Condition.Severity;
import dev.orchard.server.inventory.DirectorySource;
import dev.orchard.server.inventory.DirectorySourceService;
import dev.orchard.server.ledger.LedgerQueries;
import dev.orchard.server.licensing.Waitlist;
import dev.orchard.server.mdm.MdmServer;
import dev.orchard.server.mdm.MdmServerService;
import dev.orchard.server.operations.Operations;
import dev.orchard.server.sync.DriftCounts;

/**
 * The causes that hold now, rule by rule, read from the modules that own the facts (accounts, ledger, waitlist,
 * operations, MDM servers, drift counts). Pure reading: what to do about a condition is {@link AlertEvaluation}'s.
 */
@Component
class AlertConditions {

    /** The stages of a token's expiry, in days left: a notice at each. */
    static final int[] EXPIRY_STAGES = {30, 14, 7, 1};

    private final AccountService accounts;
    private final LedgerQueries ledger;
    private final Waitlist waitlist;
    private final Operations operations;
    private final MdmServerService mdm;
    private final DriftCounts drift;
    private final PoolSamples samples;
    private final DirectorySourceService directory;
    private final Clock clock;

    AlertConditions(AccountService accounts, LedgerQueries ledger, Waitlist waitlist, Operations operations, MdmServerService mdm,
                    DriftCounts drift, PoolSamples samples, DirectorySourceService directory, Clock clock) {
        this.directory = directory;
        this.accounts = accounts;
        this.ledger = ledger;
        this.waitlist = waitlist;
        this.operations = operations;
        this.mdm = mdm;
        this.drift = drift;
        this.samples = samples;
        this.clock = clock;
    }

    /** Every condition of the enabled rules; {@code open}: keys of open alerts (a block stays alerted while it lasts). */
    List<Condition> current(Map<AlertRule, AlertRules.Setting> settings, Set<String> open) {
        Instant now = clock.instant();
        var out = new ArrayList<Condition>();
        List<Account> all = accounts.list().stream().filter(a -> a.recordedState() != AccountState.DELETING).toList();
        for (Account a : all) {
            if (on(settings, AlertRule.TOKEN_EXPIRING)) {
                expiring(a, now, settings.get(AlertRule.TOKEN_EXPIRING).threshold(), out);
            }
            if (on(settings, AlertRule.TOKEN_UNUSABLE)) {
                unusable(a, now, out);
            }
            if (on(settings, AlertRule.ACCOUNT_BLOCKED)) {
                blocked(a, now, settings.get(AlertRule.ACCOUNT_BLOCKED).threshold(), open, out);
            }
            if (on(settings, AlertRule.OPERATIONS_FAILED)) {
                long failed = operations.failedSince(a.id(), now.minus(Duration.ofHours(24)));
                if (failed >= Math.max(1, settings.get(AlertRule.OPERATIONS_FAILED).threshold())) {
                    out.add(new Condition(AlertRule.OPERATIONS_FAILED, "account " + a.id(), Severity.WARNING, "failed",
                            a.name() + ": " + failed + " Apple operation target(s) failed",
                            failed + " target(s) of account '" + a.name() + "' failed in the last 24 hours. Open the failed "
                                    + "operations to see Apple's answer, then retry or cancel them.", "/operations?state=FAILED"));
                }
            }
            if (on(settings, AlertRule.LEAKS)) {
                var counts = leakCounts(a, now);
                long leaks = counts.entrySet().stream().filter(e -> e.getKey() != LedgerQueries.Leak.EXTERNAL)
                        .mapToLong(Map.Entry::getValue).sum();
                if (leaks >= Math.max(1, settings.get(AlertRule.LEAKS).threshold())) {
                    out.add(new Condition(AlertRule.LEAKS, "account " + a.id(), Severity.WARNING, "leaks",
                            a.name() + ": " + leaks + " leaked license(s)", "Apple holds " + leaks + " license(s) of '" + a.name()
                                    + "' that nobody should (retired devices, unknown serials or users, apps no label names): "
                                    + counts + ". Review them on the leak report and reclaim them.", "/leaks?accountId=" + a.id()));
                }
            }
            if (on(settings, AlertRule.DRIFT)) {
                drift.of(a.id()).ifPresent(d -> {
                    long n = d.external() + d.missing();
                    if (n >= Math.max(1, settings.get(AlertRule.DRIFT).threshold())) {
                        out.add(new Condition(AlertRule.DRIFT, "account " + a.id(), Severity.WARNING, "drift",
                                a.name() + ": drift of " + n + " license(s)", d.external() + " license(s) of '" + a.name()
                                        + "' were assigned outside Orchard and " + d.missing() + " of Orchard's are missing at "
                                        + "Apple. Adopt or reclaim the outside ones from the leak report.",
                                "/leaks?kind=EXTERNAL&accountId=" + a.id()));
                    }
                });
            }
        }
        pools(settings, now, out);
        if (on(settings, AlertRule.MDM_UNREACHABLE)) {
            Duration after = Duration.ofMinutes(settings.get(AlertRule.MDM_UNREACHABLE).threshold());
            for (MdmServer s : mdm.list()) {
                if (s.unreachableSince() != null && !s.unreachableSince().isAfter(now.minus(after))) {
                    out.add(new Condition(AlertRule.MDM_UNREACHABLE, "mdm server " + s.id(), Severity.CRITICAL, "unreachable",
                            "MDM server '" + s.name() + "' is unreachable", "Orchard has not reached " + s.url() + " since "
                                    + s.unreachableSince() + ": " + s.unreachableError() + ". Install commands wait until it "
                                    + "answers.", "/settings"));
                }
            }
        }
        if (on(settings, AlertRule.DIRECTORY_SOURCE_FAILING)) {
            for (DirectorySource d : directory.list()) {
                if (d.enabled() && "FAILED".equals(d.lastResult())) {
                    out.add(new Condition(AlertRule.DIRECTORY_SOURCE_FAILING, "directory source " + d.id(), Severity.WARNING,
                            "failed", "Directory source '" + d.name() + "' cannot be synced", "The last sync of '" + d.name()
                                    + "' failed: " + d.lastError() + ". Its users and groups stay as the last good sync left "
                                    + "them, so group changes (R4a) wait.", "/settings"));
                }
            }
        }
        return out;
    }

    /** Leak counts read a ledger of millions of licenses five times: each account's are counted at most every 15 minutes. */
    static final Duration LEAK_RECOUNT = Duration.ofMinutes(15);

    private record Counted(Map<LedgerQueries.Leak, Long> counts, Instant at) {
    }

    private final Map<Long, Counted> leaks = new java.util.concurrent.ConcurrentHashMap<>();

    private Map<LedgerQueries.Leak, Long> leakCounts(Account a, Instant now) {
        Counted c = leaks.get(a.id().value());
        if (c == null || !c.at().isAfter(now.minus(LEAK_RECOUNT)) || c.at().isAfter(now)) {
            c = new Counted(ledger.countLeaks(a.id().value()), now);
            leaks.put(a.id().value(), c);
        }
        return c.counts();
    }

    private static boolean on(Map<AlertRule, AlertRules.Setting> settings, AlertRule rule) {
        return settings.get(rule).enabled();
    }

    private static void expiring(Account a, Instant now, int firstDays, List<Condition> out) {
        if (!now.isBefore(a.expiresAt()) || a.recordedState() != AccountState.ACTIVE) {
            return; // expired or otherwise unusable: TOKEN_UNUSABLE says so
        }
        long hoursLeft = Duration.between(now, a.expiresAt()).toHours();
        int stage = 0;
        for (int days : EXPIRY_STAGES) {
            if (days <= firstDays && hoursLeft < days * 24L) {
                stage = days;
            }
        }
        if (hoursLeft < firstDays * 24L && stage == 0) {
            stage = firstDays; // a first notice earlier than 30 days
        }
        if (stage == 0) {
            return;
        }
        long daysLeft = Math.floorDiv(hoursLeft, 24);
        out.add(new Condition(AlertRule.TOKEN_EXPIRING, "account " + a.id(), stage <= 7 ? Severity.CRITICAL : Severity.WARNING,
                Integer.toString(stage), a.name() + ": the token expires in " + (daysLeft == 0 ? "less than a day" : daysLeft
                        + " day(s)"), "The content token of '" + a.name() + "' expires on "
                        + a.expiresAt().atOffset(ZoneOffset.UTC).toLocalDate() + " (UTC). Download a new one in Apple Business "
                        + "Manager (Preferences → Payments and Billing) and upload it on the account's page before then: "
                        + "an expired token stops every assignment.", "/accounts/" + a.id()));
    }

    private static void unusable(Account a, Instant now, List<Condition> out) {
        AccountState state = a.state(now, 0);
        String detail = switch (state) {
            case EXPIRED -> "The content token of '" + a.name() + "' expired on " + a.expiresAt().atOffset(ZoneOffset.UTC)
                    .toLocalDate() + " (UTC): nothing is assigned or reclaimed. Download a new one in Apple Business Manager "
                    + "and upload it.";
            case REVOKED -> "Apple revoked the token of '" + a.name() + "' (a new one was downloaded): upload the new token.";
            case CLAIMED_BY_OTHER -> "Another MDM" + (a.ownerMdmName() == null ? "" : " (" + a.ownerMdmName() + ")")
                    + " manages the location of '" + a.name() + "': Orchard writes nothing to Apple for it until you claim "
                    + "it back on the account's page.";
            default -> null;
        };
        if (detail != null) {
            out.add(new Condition(AlertRule.TOKEN_UNUSABLE, "account " + a.id(), Severity.CRITICAL, state.name(),
                    a.name() + ": " + switch (state) {
                        case EXPIRED -> "the token expired";
                        case REVOKED -> "Apple revoked the token";
                        default -> "another MDM claimed the location";
                    }, detail, "/accounts/" + a.id()));
        }
    }

    private static void blocked(Account a, Instant now, int minutes, Set<String> open, List<Condition> out) {
        if (!a.isBlockedAt(now)) {
            return;
        }
        var c = new Condition(AlertRule.ACCOUNT_BLOCKED, "account " + a.id(), Severity.WARNING, "blocked",
                a.name() + ": Apple asked Orchard to wait until " + a.blockedUntil(), "Apple's answer"
                        + (a.blockReason() == null ? "" : " (" + a.blockReason() + ")") + " blocks every call for '" + a.name()
                        + "' until " + a.blockedUntil() + ". Orchard resumes on its own then; a block that keeps coming back "
                        + "means the token is shared with another tool.", "/accounts/" + a.id());
        if (open.contains(c.key()) || !a.blockedUntil().isBefore(now.plus(Duration.ofMinutes(minutes)))) {
            out.add(c);
        }
    }

    /** Empty pools with targets waiting, and pools whose consumption empties them within the threshold. */
    private void pools(Map<AlertRule, AlertRules.Setting> settings, Instant now, List<Condition> out) {
        boolean empty = on(settings, AlertRule.POOL_EMPTY);
        boolean forecast = on(settings, AlertRule.POOL_FORECAST);
        if (!empty && !forecast) {
            return;
        }
        Map<String, Long> waiting = new java.util.HashMap<>();
        for (LedgerQueries.Pool p : ledger.pools(null)) {
            if (p.unlimited() || p.total() == null || p.available() == null || p.total() == 0) {
                continue;
            }
            String subject = "pool " + p.accountId() + "/" + p.adamId() + "/" + p.pricingParam();
            String name = "app " + p.adamId() + " (" + p.pricingParam() + ") in '" + p.accountName() + "'";
            if (forecast) {
                samples.record(p, now);
            }
            if (empty && p.available() <= 0) {
                long n = waiting.computeIfAbsent(p.adamId(), id -> waitlist.count(id, "WAITING"));
                if (n >= Math.max(1, settings.get(AlertRule.POOL_EMPTY).threshold())) {
                    out.add(new Condition(AlertRule.POOL_EMPTY, subject, Severity.CRITICAL, "empty", name + ": no license left, "
                            + n + " target(s) waiting", "All " + p.total() + " licenses of " + name + " are used and " + n
                            + " target(s) wait for the app. Buy more in Apple Business Manager (free apps cost nothing) or "
                            + "reclaim licenses nobody needs.", "/apps/" + p.adamId()));
                }
            } else if (forecast && p.available() > 0) {
                var days = samples.daysLeft(p, now);
                int within = settings.get(AlertRule.POOL_FORECAST).threshold();
                if (days.isPresent() && days.getAsDouble() <= within) {
                    out.add(new Condition(AlertRule.POOL_FORECAST, subject, Severity.WARNING, "forecast", name + ": runs out in "
                            + "about " + Math.max(1, Math.round(days.getAsDouble())) + " day(s)", p.available() + " of " + p.total()
                            + " licenses of " + name + " are left; at the consumption of the last two weeks they are gone in "
                            + "about " + Math.max(1, Math.round(days.getAsDouble())) + " day(s). Buy more in Apple Business "
                            + "Manager in time.", "/apps/" + p.adamId()));
                }
            }
        }
    }
}
