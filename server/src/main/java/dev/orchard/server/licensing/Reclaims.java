package dev.orchard.server.licensing;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.InventoryEvents;
import dev.orchard.server.licensing.AssignmentPolicy.HolderType;
import dev.orchard.server.system.ConflictException;
import dev.orchard.server.system.NotFoundException;
import dev.orchard.server.ledger.LedgerQueries;
import dev.orchard.server.ledger.LicenseLedger;
import dev.orchard.server.ledger.LicenseRow;
import dev.orchard.server.ledger.LicenseEvents;

/**
 * Taking licenses back (rule R4): each reclaim marks the license and queues its disassociation (after the
 * configured grace period, during which it can be cancelled) in the transaction of the change that caused it, and
 * is audited with its rule. (a) coverage lost — found by the licensing pass; (b) device retired; (c) app removed
 * from the device; (d) an administrator's reclaim of one license, an app or an account, with a dry run.
 */
@Service
public class Reclaims {

    /**
     * What a reclaim did or, in a dry run, would do: {@code licenses} taken back (or stopped in flight),
     * {@code notRevocable} left with their holders because Apple does not take licenses of their asset back (books),
     * the reclaimable ones {@code byOrigin} (ORCHARD: assigned by Orchard; EXTERNAL: assigned outside it), how many
     * waiting targets were {@code paused} first (see {@link #pauseWaiting}) and a sample.
     */
    public record Plan(boolean dryRun, long licenses, long notRevocable, Map<String, Long> byOrigin, int paused,
                       List<Sample> sample) {
    }

    static final int SAMPLE = 100;

    private final LicensingData data;
    private final OperationQueue queue;
    private final LicenseLedger ledger;
    private final Inventory inventory;
    private final AuditTrail audit;
    private final LicensingProperties properties;
    private final LedgerQueries queries;
    private final TransactionTemplate tx;
    private final PassRequests passes;
    private final Clock clock;

    Reclaims(LicensingData data, OperationQueue queue, LicenseLedger ledger, Inventory inventory, AuditTrail audit,
             LicensingProperties properties, LedgerQueries queries, TransactionTemplate tx, PassRequests passes, Clock clock) {
        this.data = data;
        this.queue = queue;
        this.ledger = ledger;
        this.inventory = inventory;
        this.audit = audit;
        this.properties = properties;
        this.queries = queries;
        this.tx = tx;
        this.passes = passes;
        this.clock = clock;
    }

    /**
     * Takes one license back, whatever its state ({@link ReclaimPolicy}): a held license is marked and its
     * disassociation added to {@code ops}; an assignment still queued is cancelled before it reaches Apple; one
     * already sent is marked unwanted, so Apple's confirmation starts its reclaim. Returns 1, or 0 when nothing
     * changed (already being reclaimed, or not the rule's business).
     */
    int reclaim(LicenseRow h, String rule, String why, List<OperationQueue.Queued> ops) {
        if (h.unwanted() && ("R4c".equals(rule) || "R4d".equals(rule)) && ledger.markUnwantedForGood(h.id(), rule)) {
            // unwanted already for a reason that can pass: the opt-out's rule keeps it unwanted when that reason goes
            audit.recordLicense("rule:" + rule, "LICENSE_RECLAIMED", h.serialNumber() != null, h.holder(), h.adamId(), "app "
                    + h.adamId() + " from account " + h.accountId() + ": " + why + "; the assignment is at Apple, its license is "
                    + "taken back as soon as Apple confirms it", "PENDING");
            return 1;
        }
        switch (ReclaimPolicy.decide(rule, h)) {
            case NONE -> {
                return 0;
            }
            case STOP_IN_FLIGHT -> {
                return reclaimInFlight(h, rule, why, ops);
            }
            case TAKE_BACK -> {
                return takeBack(h, rule, why, ops);
            }
            default -> throw new IllegalStateException();
        }
    }

    private int takeBack(LicenseRow h, String rule, String why, List<OperationQueue.Queued> ops) {
        if (!ledger.markReclaim(h.id(), rule)) {
            return 0;
        }
        Instant now = clock.instant();
        ops.add(new OperationQueue.Queued(new AccountId(h.accountId()), OperationQueue.Action.DISASSOCIATE, h.adamId(),
                h.pricingParam(), h.serialNumber(), h.clientUserId(), null, null, rule, now.plus(properties.reclaimGrace())));
        audit.recordLicense("rule:" + rule, "LICENSE_RECLAIMED", h.serialNumber() != null, h.holder(), h.adamId(),
                "app " + h.adamId() + " from account " + h.accountId() + ": " + why, "QUEUED");
        return 1;
    }

    private int reclaimInFlight(LicenseRow h, String rule, String why, List<OperationQueue.Queued> ops) {
        AccountId account = new AccountId(h.accountId());
        String holder = (h.serialNumber() != null ? "device " : "user ") + h.holder();
        if (h.reclaimRule() == null && queue.cancelQueuedAssignments(account, List.of(h.key())) > 0) {
            ledger.dropIntent(account, h.key());
            audit.record("rule:" + rule, "LICENSE_ASSIGNMENT_CANCELLED", holder, "app " + h.adamId() + " from account "
                    + h.accountId() + ": " + why + "; the assignment had not been sent to Apple", "OK");
            return 1;
        }
        if (!ledger.markUnwanted(h.id(), rule)) {
            // Apple's confirmation (or a failure) won the race: reclaim the license in the state it is in now
            var now = queries.row(h.id());
            return now.isPresent() && !now.get().inFlight() ? reclaim(now.get(), rule, why, ops) : 0;
        }
        audit.recordLicense("rule:" + rule, "LICENSE_RECLAIMED", h.serialNumber() != null, h.holder(), h.adamId(), "app "
                + h.adamId() + " from account " + h.accountId() + ": " + why + "; the assignment is at Apple, its license is "
                + "taken back as soon as Apple confirms it", "PENDING");
        return 1;
    }

    /**
     * Apple confirmed assignments nobody wants any more (marked while they were in flight): their disassociations
     * are queued now, in the transaction that applied the confirmation, whichever path it came by.
     */
    @EventListener
    void unwantedConfirmed(LicenseEvents.UnwantedConfirmed e) {
        Instant now = clock.instant();
        var ops = new ArrayList<OperationQueue.Queued>();
        for (LicenseEvents.Unwanted u : e.licenses()) {
            LicenseLedger.Key k = u.key();
            ops.add(new OperationQueue.Queued(e.account(), OperationQueue.Action.DISASSOCIATE, k.app(), k.pricingParam(),
                    k.serialNumber(), k.clientUserId(), null, null, u.rule(), now.plus(properties.reclaimGrace())));
            audit.recordLicense("rule:" + u.rule(), "LICENSE_RECLAIMED", k.serialNumber() != null, k.holder().value(), k.app(),
                    "app " + k.app() + " from account " + e.account().value() + ": Apple confirmed an assignment that was "
                    + "no longer wanted", "QUEUED");
        }
        queue.enqueue(ops);
    }

    /** R4b: a retired device gives back every device-based license of its serial number. */
    @EventListener
    void deviceRetired(InventoryEvents.DeviceRetired e) {
        var ops = new ArrayList<OperationQueue.Queued>();
        for (LicenseRow h : queries.rowsOfDevice(e.serialNumber())) {
            reclaim(h, "R4b", "the device was retired", ops);
        }
        Device d = inventory.findDevice(e.serialNumber()).orElse(null);
        if (properties.reclaimUserLicensesWithoutDevices() && d != null && d.ownerUserId() != null
                && inventory.devicesOwnedBy(List.of(d.ownerUserId())).stream().noneMatch(Device::active)) {
            for (LicenseRow h : queries.rowsOfUser(d.ownerUserId())) {
                reclaim(h, "R4b", "the user's last active device was retired", ops);
            }
        }
        queue.enqueue(ops);
    }

    /**
     * R4b's safety net: licenses of retired devices that nothing reclaims yet, whatever state they were in when the
     * device was retired (the retirement's own reclaim covers the usual case at once), {@code chunk} devices per
     * transaction. The full pass ends with it.
     */
    int sweepRetired(int chunk) {
        int reclaimed = 0;
        String after = "";
        while (true) {
            List<String> serials = data.retiredSerials(after, chunk);
            if (serials.isEmpty()) {
                return reclaimed;
            }
            reclaimed += retired(serials);
            after = serials.get(serials.size() - 1);
        }
    }

    /**
     * R4b for these retired devices' licenses, whatever state they are in: the sweep, and an incremental run for the
     * retired devices it is told about (one that read a device as active before its retirement committed may have
     * assigned it a license the retirement's own reclaim could not see).
     */
    int retired(List<String> serials) {
        if (serials.isEmpty()) {
            return 0;
        }
        return tx.execute(s -> {
            var ops = new ArrayList<OperationQueue.Queued>();
            int n = 0;
            for (LicenseRow h : data.held(serials, List.of())) {
                if (h.reclaimable()) {
                    n += reclaim(h, "R4b", "the device is retired", ops);
                }
            }
            queue.enqueue(ops);
            return n;
        });
    }

    /**
     * R4c: apps the user removed. The device's license of the app goes; a user-based license goes when none of the
     * user's devices still has the app. The target is not given the app again until an installation is requested.
     */
    @EventListener
    void appsRemoved(InventoryEvents.AppsRemoved e) {
        Device d = inventory.findDevice(e.serialNumber()).orElse(null);
        if (d == null) {
            return;
        }
        Map<String, String> adamIds = data.adamIdsByBundle(e.bundleIds());
        var ops = new ArrayList<OperationQueue.Queued>();
        Instant now = clock.instant();
        adamIds.forEach((bundleId, adamId) -> {
            for (LicenseRow h : queries.rowsOfDevice(d.serialNumber())) {
                if (h.adamId().equals(adamId)) {
                    reclaim(h, "R4c", "the app " + bundleId + " was removed from the device", ops);
                    data.optOut(HolderType.DEVICE, d.serialNumber(), adamId, "R4c", now);
                }
            }
            if (d.ownerUserId() != null && !data.installedOnAnyDevice(d.ownerUserId(), bundleId)) {
                for (LicenseRow h : queries.rowsOfUser(d.ownerUserId())) {
                    if (h.adamId().equals(adamId)) {
                        reclaim(h, "R4c", "the app " + bundleId + " is on none of the user's devices any more", ops);
                        data.optOut(HolderType.USER, d.ownerUserId(), adamId, "R4c", now);
                    }
                }
            }
        });
        queue.enqueue(ops);
    }

    /** R4d: one license. */
    public Plan reclaimLicense(long licenseId, boolean dryRun) {
        LedgerQueries.Scope scope = LedgerQueries.Scope.license(licenseId);
        if (queries.count(scope) == 0) {
            throw new NotFoundException("no license " + licenseId);
        }
        if (queries.countNotRevocable(scope) > 0) {
            throw new ConflictException("Apple does not take back licenses of this asset (it is not revocable, as books "
                    + "are not): license " + licenseId + " stays with its holder");
        }
        return reclaimIn(scope, "license " + licenseId, dryRun, true);
    }

    /** R4d: every license of an app, in one account or in all. */
    public Plan reclaimApp(String adamId, Long accountId, boolean dryRun) {
        dev.orchard.server.inventory.Identifiers.adamId(adamId);
        return reclaimIn(LedgerQueries.Scope.app(adamId, accountId), "app " + adamId + (accountId == null ? " in every account"
                : " in account " + accountId), dryRun, true);
    }

    /**
     * R4d: every license of an app, in one account or all, after pausing the targets waiting for it (when {@code
     * pauseWaiting}; never in a dry run), so the freed licenses stay free.
     */
    public Plan reclaimApp(String adamId, Long accountId, boolean dryRun, boolean pauseWaiting) {
        // the waiting targets first: otherwise the first freed licenses could go to them before they are paused
        int paused = pauseWaiting && !dryRun ? pauseWaiting(adamId) : 0;
        Plan p = reclaimApp(adamId, accountId, dryRun);
        return new Plan(p.dryRun(), p.licenses(), p.notRevocable(), p.byOrigin(), paused, p.sample());
    }

    /** R4d: every license of an account. */
    public Plan reclaimAccount(AccountId account, boolean dryRun) {
        return reclaimIn(LedgerQueries.Scope.account(account.value()), "account " + account.value(), dryRun, true);
    }

    /**
     * R4d: the leaked licenses of one kind, in one account or all. Their holders are not opted out: a retired or
     * unknown holder, or an app no label names, gets nothing from the labels anyway, and a holder a label does want an
     * externally assigned app for gets Orchard's own assignment of it instead.
     */
    public Plan reclaimLeaks(LedgerQueries.Leak leak, Long accountId, boolean dryRun) {
        return reclaimIn(LedgerQueries.Scope.leaks(leak, accountId), "leaked licenses (" + leak + ")"
                + (accountId == null ? " in every account" : " in account " + accountId), dryRun, false);
    }

    /**
     * Reclaims the scope's reclaimable licenses (held, or in flight and still wanted), a chunk per transaction.
     * Reclaimed targets are opted out ({@code optOut}) so the labels do not assign them the app again.
     */
    private Plan reclaimIn(LedgerQueries.Scope scope, String subject, boolean dryRun, boolean optOut) {
        long total = queries.countReclaimable(scope);
        long kept = queries.countNotRevocable(scope);
        List<Sample> sample = queries.reclaimable(scope, 0, SAMPLE).stream().map(Sample::of).toList();
        Map<String, Long> byOrigin = queries.countReclaimableByOrigin(scope);
        if (dryRun) {
            // changes nothing, records nothing: the preview pages ask on every view
            return new Plan(true, total, kept, byOrigin, 0, sample);
        }
        long done = 0;
        long after = 0;
        while (true) {
            long from = after;
            List<LicenseRow> chunk = queries.reclaimable(scope, from, LicensingEngine.CHUNK);
            if (chunk.isEmpty()) {
                break;
            }
            done += tx.execute(s -> {
                var ops = new ArrayList<OperationQueue.Queued>();
                int n = 0;
                Instant now = clock.instant();
                for (LicenseRow h : chunk) {
                    n += reclaim(h, "R4d", "an administrator reclaimed " + subject, ops);
                    if (optOut) {
                        data.optOut(HolderType.of(h), h.holder(), h.adamId(), "R4d", now);
                    }
                }
                queue.enqueue(ops);
                return n;
            });
            after = chunk.get(chunk.size() - 1).id();
        }
        audit.record("api", "RECLAIM_REQUESTED", subject, done + " licenses queued for reclaim"
                + (kept > 0 ? "; " + kept + " not revocable stay with their holders" : ""), "QUEUED");
        return new Plan(false, done, kept, byOrigin, 0, sample);
    }

    /**
     * Cancels a reclaim still in its grace period, or one waiting for Apple to confirm the assignment; the license
     * stays.
     */
    public boolean cancel(long licenseId) {
        return Boolean.TRUE.equals(tx.execute(s -> {
            LicenseRow h = queries.row(licenseId).orElse(null);
            if (h != null && h.unwanted()) {
                if (ledger.clearUnwanted(licenseId)) {
                    data.clearOptOuts(HolderType.of(h), h.holder(), h.adamId());
                    audit.record("api", "RECLAIM_CANCELLED", (h.serialNumber() != null ? "device " : "user ") + h.holder(),
                            "app " + h.adamId() + " in account " + h.accountId() + " (the assignment was still at Apple)", "OK");
                    return true;
                }
                h = queries.row(licenseId).orElse(null); // Apple confirmed it meanwhile: its reclaim is queued now
            }
            if (h == null || !h.reclaiming()) {
                return false;
            }
            if (queue.cancelQueuedReclaims(new AccountId(h.accountId()), List.of(h.key())) == 0) {
                return false; // already sent to Apple
            }
            ledger.keep(new AccountId(h.accountId()), h.key());
            data.clearOptOuts(HolderType.of(h), h.holder(), h.adamId());
            audit.record("api", "RECLAIM_CANCELLED", (h.serialNumber() != null ? "device " : "user ") + h.holder(),
                    "app " + h.adamId() + " in account " + h.accountId(), "OK");
            return true;
        }));
    }

    /** Lets the labels assign the app to the target again (after a purposeful reclaim); the pass looks at it at once. */
    public int allowAgain(HolderType type, String holder, String adamId) {
        Integer n = tx.execute(s -> {
            int cleared = data.clearOptOuts(type, holder, adamId);
            if (cleared > 0) {
                passes.holder(type, holder);
                audit.record("api", "REASSIGN_ALLOWED", (type == HolderType.DEVICE ? "device " : "user ") + holder,
                        adamId == null ? "every app" : "app " + adamId, "OK");
            }
            return cleared;
        });
        return n == null ? 0 : n;
    }

    /**
     * Pauses the targets waiting for the app (R7 would hand them the licenses a reclaim frees): each is opted out of the
     * app (R4d) and leaves the waitlist, so the freed licenses stay free; "Allow again" on its page puts it back.
     * Returns how many were paused.
     */
    int pauseWaiting(String adamId) {
        String app = dev.orchard.server.inventory.Identifiers.adamId(adamId);
        Integer n = tx.execute(s -> {
            Instant now = clock.instant();
            var waiting = data.waitingFor(app);
            for (String[] w : waiting) {
                HolderType type = HolderType.valueOf(w[0]);
                data.optOut(type, w[1], app, "R4d", now);
                data.unlist(type, w[1], app);
            }
            if (!waiting.isEmpty()) {
                audit.record("api", "WAITING_PAUSED", "app " + app, waiting.size() + " waiting target(s) opted out, so "
                        + "licenses freed now stay free; Allow again on a target's page gives the app back", "OK");
            }
            return waiting.size();
        });
        return n == null ? 0 : n;
    }

    /** One license a reclaim takes (or would take) back, as a preview shows it. */
    public record Sample(long id, long accountId, String adamId, String pricingParam, String serialNumber, String clientUserId,
                         String origin) {
        static Sample of(LicenseRow r) {
            return new Sample(r.id(), r.accountId(), r.adamId(), r.pricingParam(), r.serialNumber(), r.clientUserId(), r.origin());
        }
    }
}
