package dev.orchard.server.licensing;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.orchard.server.accounts.Account;
import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.system.NodeStopping;
import dev.orchard.server.system.PlannerStatistics;
import dev.orchard.server.ledger.LicenseLedger;
import dev.orchard.server.ledger.LicenseRow;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.DirectoryUser;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Label;
import dev.orchard.server.licensing.AssignmentPolicy.Decision;
import dev.orchard.server.licensing.AssignmentPolicy.HolderType;

/**
 * Brings licenses in line with the labels: a pass walks the waiting targets first (so they are served in order),
 * then every active device and every user, a chunk per transaction. For each target and app an App label wants,
 * {@link AssignmentPolicy} decides; an assignment is written as a ledger intent plus a queued Apple operation in
 * the same transaction. Licenses Orchard assigned whose account no longer covers the holder are reclaimed (R4a).
 * Apple is only asked (country availability, rule R2) before a chunk's transaction, never inside it.
 */
@Service
public class LicensingEngine {

    static final int CHUNK = 1000;
    /** How many recorded changes one incremental run serves at most. */
    static final int SUBJECTS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(LicensingEngine.class);

    /** What a pass did. */
    public record PassResult(int assigned, int reclaimed, int waiting, int blocked, int targets) {
        /** For people: what the pass looked at and did. */
        String describe() {
            return targets + " targets evaluated, " + assigned + " assigned, " + reclaimed + " reclaimed, " + waiting
                    + " waiting, " + blocked + " blocked";
        }
    }

    private final Inventory inventory;
    private final AccountService accounts;
    private final LicensingData data;
    private final LicenseLedger ledger;
    private final Reclaims reclaims;
    private final OperationQueue queue;
    private final StoreAvailability stores;
    private final AuditTrail audit;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final NodeStopping node;

    private final PlannerStatistics statistics;

    LicensingEngine(Inventory inventory, AccountService accounts, LicensingData data, LicenseLedger ledger, Reclaims reclaims, OperationQueue queue,
                    StoreAvailability stores, AuditTrail audit, TransactionTemplate tx, Clock clock, NodeStopping node,
                    PlannerStatistics statistics) {
        this.statistics = statistics;
        this.inventory = inventory;
        this.accounts = accounts;
        this.data = data;
        this.ledger = ledger;
        this.reclaims = reclaims;
        this.queue = queue;
        this.stores = stores;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
        this.node = node;
    }

    /**
     * Runs one full pass. A node that is stopping ends it between two chunks ({@link NodeStopping.Stopped}): the
     * pass stays marked running, so it is owed and the next run, on any node, does it again.
     */
    public PassResult pass() {
        data.passStarted(clock.instant());
        Pass pass = new Pass(inventory, accounts, data, clock.instant());
        // waiting targets first, in the order they started waiting
        int targets = waiting(pass, null);
        String after = "";
        while (true) {
            node.check();
            List<Device> chunk = inventory.devices(null, Device.Status.ACTIVE, after, CHUNK);
            if (chunk.isEmpty()) {
                break;
            }
            targets += devices(pass, chunk);
            after = chunk.get(chunk.size() - 1).serialNumber();
        }
        after = "";
        while (true) {
            node.check();
            List<DirectoryUser> chunk = inventory.users(null, after, CHUNK);
            if (chunk.isEmpty()) {
                break;
            }
            targets += users(pass, chunk);
            after = chunk.get(chunk.size() - 1).userId();
        }
        pass.reclaimed += reclaims.sweepRetired(CHUNK);
        tx.executeWithoutResult(s -> data.sweepWaitlist(pass.start));
        var result = new PassResult(pass.assigned, pass.reclaimed, pass.waiting, pass.blocked, targets);
        LOG.info("Licensing pass: {}", result.describe());
        return result;
    }

    /**
     * Serves the oldest recorded changes (up to {@link #SUBJECTS} of them): the targets they reach are evaluated
     * exactly as a full pass evaluates them, in the same order (waiting targets first). A device reaches itself and
     * its owner (a retired one has its licenses reclaimed, R4b, as the full pass's sweep does); a user reaches the
     * user and every device the user owns (a user's licenses depend on the user's devices and groups); an app
     * reaches the targets waiting for it. Returns true when more changes are recorded or a full pass is wanted.
     */
    boolean changes() {
        List<LicensingData.Subject> subjects = data.subjects(SUBJECTS);
        if (subjects.isEmpty()) {
            return data.wanted();
        }
        Pass pass = new Pass(inventory, accounts, data, clock.instant());
        var apps = new LinkedHashSet<String>();
        var serials = new LinkedHashSet<String>();
        var users = new LinkedHashSet<String>();
        for (LicensingData.Subject s : subjects) {
            (s.kind() == LicensingData.SubjectKind.WAITING ? apps : s.kind() == LicensingData.SubjectKind.DEVICE ? serials : users).add(s.subject());
        }
        int targets = waiting(pass, apps);
        List<Device> named = inventory.devices(serials);
        named.stream().map(Device::ownerUserId).filter(java.util.Objects::nonNull).forEach(users::add);
        var devices = new ArrayList<Device>();
        named.stream().filter(Device::active).forEach(devices::add);
        // R4b for the retired devices named: an earlier run may have read one as active and assigned it (Reclaims.retired)
        pass.reclaimed += reclaims.retired(named.stream().filter(d -> !d.active()).map(Device::serialNumber).toList());
        inventory.devicesOwnedBy(users).stream().filter(Device::active).forEach(devices::add);
        targets += evaluate(pass, devices, users);
        // what the evaluated targets no longer wait for (and what retired devices and deleted users waited for) goes
        serials.addAll(pass.seenDevices);
        users.addAll(pass.seenUsers);
        tx.executeWithoutResult(s -> {
            data.sweepWaitlist(HolderType.DEVICE, serials, pass.start);
            data.sweepWaitlist(HolderType.USER, users, pass.start);
            data.served(subjects);
        });
        var result = new PassResult(pass.assigned, pass.reclaimed, pass.waiting, pass.blocked, targets);
        data.changesServed(clock.instant(), subjects.size() + " changes: " + result.describe());
        LOG.debug("Licensing pass over {} recorded changes: {}", subjects.size(), result);
        return subjects.size() == SUBJECTS || data.subjectsPending() || data.wanted();
    }

    /**
     * Whether a full pass is wanted, owed (one started and did not finish), or due because the last finished
     * {@code interval} ago (or none ever did).
     */
    boolean fullPassDue(java.time.Duration interval) {
        Instant last = data.lastFullPass();
        return data.fullPassOwed() || last == null || !last.plus(interval).isAfter(clock.instant());
    }

    Instant nextFullPass(java.time.Duration interval) {
        Instant last = data.lastFullPass();
        return last == null ? clock.instant() : last.plus(interval);
    }

    /**
     * The targets waiting for licenses, in the order they started waiting: every one ({@code apps} null), or those
     * waiting for (or blocked on) these apps, with every device of a waiting user.
     */
    private int waiting(Pass pass, Collection<String> apps) {
        var waitingSerials = new LinkedHashSet<String>();
        var waitingUsers = new LinkedHashSet<String>();
        for (String[] w : data.waiting(apps)) {
            (HolderType.valueOf(w[0]) == HolderType.DEVICE ? waitingSerials : waitingUsers).add(w[1]);
        }
        if (waitingSerials.isEmpty() && waitingUsers.isEmpty()) {
            return 0;
        }
        // in the order they started waiting (R7), not in the order the database returns them
        Map<String, Device> found = new HashMap<>();
        inventory.devices(waitingSerials).forEach(d -> found.put(d.serialNumber(), d));
        var devices = new ArrayList<Device>();
        waitingSerials.stream().map(found::get).filter(d -> d != null && d.active()).forEach(devices::add);
        inventory.devicesOwnedBy(waitingUsers).stream().filter(Device::active)
                .filter(d -> !waitingSerials.contains(d.serialNumber())).forEach(devices::add);
        return evaluate(pass, devices, waitingUsers);
    }

    /** Evaluates these devices, then these users, a chunk per transaction. */
    private int evaluate(Pass pass, List<Device> devices, Collection<String> users) {
        int targets = 0;
        for (int i = 0; i < devices.size(); i += CHUNK) {
            targets += devices(pass, devices.subList(i, Math.min(devices.size(), i + CHUNK)));
        }
        List<String> ids = List.copyOf(users);
        for (int i = 0; i < ids.size(); i += CHUNK) {
            targets += users(pass, inventory.users(ids.subList(i, Math.min(ids.size(), i + CHUNK))));
        }
        return targets;
    }

    /** Records the end of a pass; true when changes arrived meanwhile and another pass is due at once. */
    boolean finishPass(PassResult r) {
        return data.passFinished(clock.instant(), r.describe()) || data.subjectsPending();
    }

    void passFailed(RuntimeException e, boolean full) {
        data.passFailed(clock.instant(), "FAILED: " + e, full);
    }

    private int devices(Pass pass, List<Device> chunk) {
        List<Device> fresh = chunk.stream().filter(d -> pass.seenDevices.add(d.serialNumber())).toList();
        if (fresh.isEmpty()) {
            return 0;
        }
        Set<String> owners = new HashSet<>();
        fresh.stream().map(Device::ownerUserId).filter(java.util.Objects::nonNull).forEach(owners::add);
        Map<String, Set<String>> groups = inventory.groupsOf(owners);
        Map<String, Set<String>> desired = new LinkedHashMap<>();
        for (Device d : fresh) {
            Set<String> g = groups.getOrDefault(d.ownerUserId(), Set.of());
            for (Label l : pass.appLabels.coveringDevice(d, g)) {
                desired.computeIfAbsent(d.serialNumber(), k -> new LinkedHashSet<>()).addAll(l.adamIds());
            }
        }
        pass.lookUpAvailability(stores, fresh, desired);
        tx.executeWithoutResult(s -> {
            var held = data.held(fresh.stream().map(Device::serialNumber).toList(), owners);
            Set<String> holders = new HashSet<>(owners);
            fresh.forEach(d -> holders.add(d.serialNumber()));
            Set<String> optOuts = data.optOuts(holders);
            var ops = new ArrayList<OperationQueue.Queued>();
            for (Device d : fresh) {
                Set<String> g = groups.getOrDefault(d.ownerUserId(), Set.of());
                for (String adamId : desired.getOrDefault(d.serialNumber(), Set.of())) {
                    decide(pass, d, d.ownerUserId(), g, List.of(d), adamId, held, optOuts, ops);
                }
                for (LicenseRow h : held) {
                    if (HolderType.of(h) == HolderType.DEVICE && h.holder().equals(d.serialNumber())
                            && ReclaimPolicy.decide("R4a", h) != ReclaimPolicy.Move.NONE && !pass.coversDevice(h.accountId(), d, g)) {
                        pass.reclaimed += reclaims.reclaim(h, "R4a", "no Apple License Label of the account covers the device", ops);
                    }
                }
            }
            flush(pass, ops);
            queue.enqueue(ops);
            statistics.grew(PlannerStatistics.Table.LICENSES, intended(ops));
        });
        return fresh.size();
    }

    private int users(Pass pass, List<DirectoryUser> chunk) {
        List<DirectoryUser> fresh = chunk.stream().filter(u -> pass.seenUsers.add(u.userId())).toList();
        if (fresh.isEmpty()) {
            return 0;
        }
        List<String> ids = fresh.stream().map(DirectoryUser::userId).toList();
        Map<String, Set<String>> groups = inventory.groupsOf(ids);
        Map<String, List<Device>> devices = new HashMap<>();
        inventory.devicesOwnedBy(ids).forEach(d -> devices.computeIfAbsent(d.ownerUserId(), k -> new ArrayList<>()).add(d));
        tx.executeWithoutResult(s -> {
            var held = data.held(List.of(), ids);
            Set<String> optOuts = data.optOuts(ids);
            var ops = new ArrayList<OperationQueue.Queued>();
            for (DirectoryUser u : fresh) {
                Set<String> g = groups.getOrDefault(u.userId(), Set.of());
                List<Device> own = devices.getOrDefault(u.userId(), List.of());
                for (Label l : pass.appLabels.coveringUser(u.userId(), g)) {
                    for (String adamId : l.adamIds()) {
                        // device-based apps reach a user through their devices (device pass); here: user-based only
                        if (AssignmentPolicy.userBasedEverywhere(pass.app(adamId))) {
                            decide(pass, null, u.userId(), g, own, adamId, held, optOuts, ops);
                        }
                    }
                }
                for (LicenseRow h : held) {
                    if (h.holder().equals(u.userId()) && ReclaimPolicy.decide("R4a", h) != ReclaimPolicy.Move.NONE
                            && !pass.coversUser(h.accountId(), u.userId(), g, own)) {
                        pass.reclaimed += reclaims.reclaim(h, "R4a", "no Apple License Label of the account covers the user", ops);
                    }
                }
            }
            flush(pass, ops);
            queue.enqueue(ops);
            statistics.grew(PlannerStatistics.Table.LICENSES, intended(ops));
        });
        return fresh.size();
    }

    private void decide(Pass pass, Device d, String userId, Set<String> groups, List<Device> userDevices, String adamId,
                        List<LicenseRow> held, Set<String> optOuts, List<OperationQueue.Queued> ops) {
        AssignmentPolicy.Case c = pass.caseFor(d, userId, groups, userDevices, adamId, held, optOuts);
        HolderType type = AssignmentPolicy.type(d, c.app());
        String holder = type == HolderType.DEVICE ? d.serialNumber() : userId;
        boolean optedOut = c.optedOut();
        Decision decision = AssignmentPolicy.decide(c);
        Instant now = clock.instant();
        if (decision instanceof AssignmentPolicy.Keep) {
            if (holder != null) {
                pass.unlist(type, holder, adamId);
                // an assignment marked unwanted while in flight is wanted again once its reason is gone: the device
                // is active (this pass walks active devices only) and covered by the account's labels (R4a), and
                // no opt-out holds (R4c, R4d). "Keep" alone says only that the holder has the app.
                if (!optedOut) {
                    held.stream().filter(h -> h.unwanted() && h.adamId().equals(adamId) && holder.equals(h.holder()))
                            .filter(h -> HolderType.of(h) == HolderType.DEVICE ? d != null && pass.coversDevice(h.accountId(), d, groups)
                                    : pass.coversUser(h.accountId(), userId, groups, userDevices))
                            .forEach(h -> ledger.clearUnwanted(h.id()));
                }
            }
        } else if (decision instanceof AssignmentPolicy.Assign a) {
            pass.assign(a, adamId);
            held.add(new LicenseRow(-1, a.accountId(), adamId, a.pricingParam(),
                    a.type() == HolderType.DEVICE ? a.holder() : null, a.type() == HolderType.USER ? a.holder() : null,
                    "ORCHARD", "ASSIGN", null, true));
        } else if (decision instanceof AssignmentPolicy.Wait w) {
            pass.listed(w.type(), w.holder(), adamId);
            data.waitlist(w.type(), w.holder(), adamId, "WAITING", w.reason(), now);
            pass.waiting++;
        } else if (decision instanceof AssignmentPolicy.Skip s) {
            if (s.holder() != null) {
                pass.listed(s.type(), s.holder(), adamId);
                data.waitlist(s.type(), s.holder(), adamId, "BLOCKED", s.reason(), now);
            }
            pass.blocked++;
        }
    }

    /**
     * Writes what a chunk's decisions need: the intended licenses (recorded together), then for each one the ledger
     * took its association (and its user's creation) and audit entry, the waitlist entries no longer wanted, all as
     * batches. A license the ledger already had (Apple confirmed it meanwhile: found at Apple, or a late notification)
     * gives its count back to the pass.
     */
    private void flush(Pass pass, List<OperationQueue.Queued> ops) {
        Instant now = clock.instant();
        var intents = pass.pending().stream().map(p -> new LicenseLedger.Intent(new AccountId(p.assign().accountId()),
                LicenseLedger.Key.of(p.adamId(), p.assign().pricingParam(), p.assign().type() == HolderType.DEVICE ? p.assign().holder() : null,
                        p.assign().type() == HolderType.USER ? p.assign().holder() : null))).toList();
        boolean[] recorded = ledger.intendAll(intents, now);
        var entries = new ArrayList<AuditTrail.LicenseEntry>();
        for (int i = 0; i < recorded.length; i++) {
            Pass.Pending p = pass.pending().get(i);
            AssignmentPolicy.Assign a = p.assign();
            String adamId = p.adamId();
            pass.unlist(a.type(), a.holder(), adamId);
            if (!recorded[i]) {
                pass.notRecorded(p);
                continue;
            }
            AccountId account = intents.get(i).account();
            boolean device = a.type() == HolderType.DEVICE;
            if (!device && data.appleUsers(a.accountId(), List.of(a.holder())).isEmpty()) {
                DirectoryUser u = inventory.users(List.of(a.holder())).stream().findFirst().orElse(null);
                ops.add(new OperationQueue.Queued(account, OperationQueue.Action.CREATE_USER, null, null, null, a.holder(),
                        u == null ? null : u.email(), u == null ? null : u.managedAppleId(), "USER_NEEDED", now));
            }
            ops.add(new OperationQueue.Queued(account, OperationQueue.Action.ASSOCIATE, adamId, a.pricingParam(),
                    device ? a.holder() : null, device ? null : a.holder(), null, null, "LABEL", now));
            entries.add(new AuditTrail.LicenseEntry("rule:label", "LICENSE_ASSIGNED", device, a.holder(), adamId,
                    "app " + adamId + " (" + a.pricingParam() + ") from account " + a.accountId(), "QUEUED"));
            pass.assigned++;
        }
        data.unlistAll(pass.unlisted());
        audit.recordLicenses(entries);
        pass.flushed();
    }

    /** How many licenses the chunk's operations intend (one association each). */
    private static long intended(List<OperationQueue.Queued> ops) {
        return ops.stream().filter(o -> o.action() == OperationQueue.Action.ASSOCIATE).count();
    }
}
