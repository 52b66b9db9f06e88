package dev.orchard.server.licensing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.orchard.server.accounts.Account;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.accounts.AccountState;
import dev.orchard.server.inventory.AppSettings;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Label;

/**
 * What one licensing pass reads once and keeps: labels, settings, accounts, pools with their available counts (moved
 * as the pass assigns), looked-up store availability, the targets already seen, and what the pass did.
 */
final class Pass {

    final Instant start;
    /** The App labels: who should get which apps. */
    final LabelCoverage appLabels;
    /** Each account's Apple License Labels: who may consume its licenses. */
    final Map<Long, LabelCoverage> licenseLabels = new HashMap<>();
    final Map<String, AppSettings> settings;
    final Map<Long, Account> accountsById = new HashMap<>();
    final Map<String, List<LicensingData.PoolRow>> poolsByApp = new HashMap<>();
    final Map<String, Long> available = new HashMap<>();
    final Map<String, Boolean> availability = new HashMap<>();
    final Set<String> seenDevices = new HashSet<>();
    final Set<String> seenUsers = new HashSet<>();
    int assigned;
    int reclaimed;
    int waiting;
    int blocked;

    Pass(Inventory inventory, AccountService accounts, LicensingData data, Instant start) {
        this.start = start;
        this.settings = inventory.settings();
        var apps = new ArrayList<Label>();
        var byAccount = new HashMap<Long, List<Label>>();
        for (Label l : inventory.labels()) {
            if (l.kind() == Label.Kind.APP) {
                apps.add(l);
            } else {
                byAccount.computeIfAbsent(l.accountId(), k -> new ArrayList<>()).add(l);
            }
        }
        this.appLabels = new LabelCoverage(apps);
        byAccount.forEach((account, labels) -> licenseLabels.put(account, new LabelCoverage(labels)));
        accounts.list().forEach(a -> accountsById.put(a.id().value(), a));
        for (LicensingData.PoolRow p : data.pools()) {
            poolsByApp.computeIfAbsent(p.adamId(), k -> new ArrayList<>()).add(p);
            available.put(key(p), p.available());
        }
    }

    boolean usable(long accountId) {
        Account a = accountsById.get(accountId);
        return a != null && a.recordedState() == AccountState.ACTIVE && a.expiresAt().isAfter(start);
    }

    boolean coversDevice(long accountId, Device d, Set<String> groups) {
        return licenseLabels.getOrDefault(accountId, LabelCoverage.NONE).coversDevice(d, groups);
    }

    boolean coversUser(long accountId, String user, Set<String> groups, List<Device> devices) {
        return licenseLabels.getOrDefault(accountId, LabelCoverage.NONE).coversUserOrDevices(user, groups, devices);
    }

    AssignmentPolicy.AppFacts app(String adamId) {
        List<LicensingData.PoolRow> pools = poolsByApp.getOrDefault(adamId, List.of());
        boolean book = pools.stream().anyMatch(LicensingData.PoolRow::book);
        boolean deviceAssignable = !pools.isEmpty() && pools.stream().anyMatch(LicensingData.PoolRow::deviceAssignable);
        return new AssignmentPolicy.AppFacts(adamId, book, deviceAssignable,
                settings.getOrDefault(adamId, AppSettings.defaults(adamId)));
    }

    static String key(LicensingData.PoolRow p) {
        return p.accountId() + "/" + p.adamId() + "/" + p.pricingParam();
    }
}
