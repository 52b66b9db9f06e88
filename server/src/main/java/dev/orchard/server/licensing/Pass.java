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
import dev.orchard.server.ledger.LicenseRow;
import dev.orchard.server.licensing.AssignmentPolicy.HolderType;

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
    /** A chunk's assignments, written when the chunk ends ({@code LicensingEngine.flush}). */
    private final List<Pending> pending = new ArrayList<>();
    /** A chunk's waitlist entries no longer wanted, as (type, holder, app), deleted when the chunk ends. */
    private final Map<String, String[]> unlisted = new java.util.LinkedHashMap<>();

    record Pending(AssignmentPolicy.Assign assign, String adamId) {
    }
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

    /**
     * The facts of one decision for {@link AssignmentPolicy#decide}: the app's pools as this target may use them, the
     * licenses of the app the holder (or the device's user) has, what is known of the app's store availability in
     * the device's country, and whether the holder opted out. The engine acts on the decision; {@link WhyNot} shows it.
     */
    AssignmentPolicy.Case caseFor(Device d, String userId, Set<String> groups, List<Device> userDevices, String adamId,
                                  List<LicenseRow> held, Set<String> optOuts) {
        var app = app(adamId);
        AssignmentPolicy.HolderType type = AssignmentPolicy.type(d, app);
        String holder = type == AssignmentPolicy.HolderType.DEVICE ? d.serialNumber() : userId;
        var pools = new ArrayList<AssignmentPolicy.Pool>();
        for (LicensingData.PoolRow p : poolsByApp.getOrDefault(adamId, List.of())) {
            Account a = accountsById.get(p.accountId());
            if (a == null) {
                continue;
            }
            pools.add(new AssignmentPolicy.Pool(p.accountId(), a.name(), a.priority(), a.country(), usable(p.accountId()),
                    p.pricingParam(), available.getOrDefault(key(p), 0L), p.unlimited(), p.deviceAssignable(), p.platforms(),
                    d != null && coversDevice(p.accountId(), d, groups),
                    userId != null && coversUser(p.accountId(), userId, groups, userDevices)));
        }
        var mine = new ArrayList<AssignmentPolicy.Held>();
        for (LicenseRow h : held) {
            if (h.adamId().equals(adamId) && !"RECLAIM".equals(h.intent())) {
                mine.add(new AssignmentPolicy.Held(h.accountId(), h.pricingParam(), AssignmentPolicy.HolderType.of(h), h.holder(),
                        "ORCHARD".equals(h.origin())));
            }
        }
        Map<String, Boolean> availableIn = new HashMap<>();
        if (d != null && d.country() != null && availability.containsKey(adamId + "/" + d.country())) {
            availableIn.put(d.country(), availability.get(adamId + "/" + d.country()));
        }
        boolean optedOut = holder != null && optOuts.contains(type + ":" + holder + ":" + adamId);
        return new AssignmentPolicy.Case(d, userId, app, pools, mine, availableIn, optedOut);
    }

    /** Rule R2 needs to know whether the app is sold in the device's store; asked before the transaction. */
    void lookUpAvailability(StoreAvailability stores, List<Device> devices, Map<String, Set<String>> desired) {
        for (Device d : devices) {
            if (d.country() == null || !AssignmentPolicy.supportsCrossCountry(d)) {
                continue;
            }
            for (String adamId : desired.getOrDefault(d.serialNumber(), Set.of())) {
                String key = adamId + "/" + d.country();
                if (availability.containsKey(key)) {
                    continue;
                }
                poolsByApp.getOrDefault(adamId, List.of()).stream()
                        .map(p -> accountsById.get(p.accountId()))
                        .filter(a -> a != null && a.country() != null && !a.country().equalsIgnoreCase(d.country()))
                        .findFirst()
                        .ifPresent(a -> stores.availability(a.id(), adamId, d.country())
                                .ifPresent(v -> availability.put(key, v)));
            }
        }
    }

    static String key(LicensingData.PoolRow p) {
        return key(p.accountId(), p.adamId(), p.pricingParam());
    }

    private static String key(long accountId, String adamId, String pricingParam) {
        return accountId + "/" + adamId + "/" + pricingParam;
    }

    /** Decided: the holder gets the license; the pool's count available to this pass goes down at once. */
    void assign(AssignmentPolicy.Assign a, String adamId) {
        available.computeIfPresent(poolKey(a, adamId), (k, v) -> v - 1);
        pending.add(new Pending(a, adamId));
    }

    /** The ledger had the license already (Apple confirmed it meanwhile): its pool's count comes back. */
    void notRecorded(Pending p) {
        available.computeIfPresent(poolKey(p.assign(), p.adamId()), (k, v) -> v + 1);
    }

    private static String poolKey(AssignmentPolicy.Assign a, String adamId) {
        return key(a.accountId(), adamId, a.pricingParam());
    }

    List<Pending> pending() {
        return pending;
    }

    /** The holder's waitlist entry for the app goes (when the chunk ends). */
    void unlist(HolderType type, String holder, String adamId) {
        unlisted.put(type + "/" + holder + "/" + adamId, new String[] {type.name(), holder, adamId});
    }

    /** The holder's entry for the app is written now: an earlier removal of it in this chunk no longer holds. */
    void listed(HolderType type, String holder, String adamId) {
        unlisted.remove(type + "/" + holder + "/" + adamId);
    }

    java.util.Collection<String[]> unlisted() {
        return unlisted.values();
    }

    void flushed() {
        pending.clear();
        unlisted.clear();
    }
}
