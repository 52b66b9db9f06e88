package dev.orchard.server.licensing;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.InventoryEvents;
import dev.orchard.server.licensing.AssignmentPolicy.HolderType;
import dev.orchard.server.system.NotFoundException;
import dev.orchard.server.ledger.LicenseLedger;
import dev.orchard.server.ledger.LicenseEvents;

/**
 * Taking licenses back (rule R4): each reclaim marks the license and queues its disassociation (after the
 * configured grace period, during which it can be cancelled) in the transaction of the change that caused it, and
 * is audited with its rule. (a) coverage lost — found by the licensing pass; (b) device retired; (c) app removed
 * from the device; (d) an administrator's reclaim of one license, an app or an account, with a dry run.
 */
@Service
public class Reclaims {

    /** What a reclaim did or, in a dry run, would do. */
    public record Plan(boolean dryRun, long licenses, List<Map<String, Object>> sample) {
    }

    static final int SAMPLE = 100;

    private final LicensingData data;
    private final OperationQueue queue;
    private final LicenseLedger ledger;
    private final Inventory inventory;
    private final AuditTrail audit;
    private final LicensingProperties properties;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    Reclaims(LicensingData data, OperationQueue queue, LicenseLedger ledger, Inventory inventory, AuditTrail audit,
             LicensingProperties properties, JdbcClient jdbc, TransactionTemplate tx, Clock clock) {
        this.data = data;
        this.queue = queue;
        this.ledger = ledger;
        this.inventory = inventory;
        this.audit = audit;
        this.properties = properties;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
    }

    /**
     * Takes one license back, whatever its state (see {@link LicenseLedger}): a held license is marked and its
     * disassociation added to {@code ops}; an assignment still queued is cancelled before it reaches Apple; one
     * already sent is marked unwanted, so Apple's confirmation starts its reclaim. Returns 1, or 0 when nothing
     * changed (already being reclaimed).
     */
    int reclaim(LicensingData.HeldRow h, String rule, String why, List<OperationQueue.Queued> ops) {
        if ("ASSIGN".equals(h.intent())) {
            return reclaimInFlight(h, rule, why, ops);
        }
        if (!ledger.markReclaim(h.id(), rule)) {
            return 0;
        }
        Instant now = clock.instant();
        ops.add(new OperationQueue.Queued(new AccountId(h.accountId()), OperationQueue.Action.DISASSOCIATE, h.adamId(),
                h.pricingParam(), h.serialNumber(), h.clientUserId(), null, null, rule, now.plus(properties.reclaimGrace())));
        audit.record("rule:" + rule, "LICENSE_RECLAIMED", (h.serialNumber() != null ? "device " : "user ") + h.holder(),
                "app " + h.adamId() + " from account " + h.accountId() + ": " + why, "QUEUED");
        return 1;
    }

    private int reclaimInFlight(LicensingData.HeldRow h, String rule, String why, List<OperationQueue.Queued> ops) {
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
            var now = jdbc.sql("select * from licenses where id = ?").param(h.id()).query(LicensingData::held).optional();
            return now.isPresent() && !"ASSIGN".equals(now.get().intent()) ? reclaim(now.get(), rule, why, ops) : 0;
        }
        audit.record("rule:" + rule, "LICENSE_RECLAIMED", holder, "app " + h.adamId() + " from account " + h.accountId()
                + ": " + why + "; the assignment is at Apple, its license is taken back as soon as Apple confirms it", "PENDING");
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
            ops.add(new OperationQueue.Queued(e.account(), OperationQueue.Action.DISASSOCIATE, k.adamId(), k.pricingParam(),
                    k.serialNumber(), k.clientUserId(), null, null, u.rule(), now.plus(properties.reclaimGrace())));
            audit.record("rule:" + u.rule(), "LICENSE_RECLAIMED", (k.serialNumber() != null ? "device " : "user ") + k.holder(),
                    "app " + k.adamId() + " from account " + e.account().value() + ": Apple confirmed an assignment that was "
                    + "no longer wanted", "QUEUED");
        }
        queue.enqueue(ops);
    }

    /** R4b: a retired device gives back every device-based license of its serial number. */
    @EventListener
    void deviceRetired(InventoryEvents.DeviceRetired e) {
        var ops = new ArrayList<OperationQueue.Queued>();
        for (LicensingData.HeldRow h : data.heldBy("serial_number", e.serialNumber())) {
            reclaim(h, "R4b", "the device was retired", ops);
        }
        Device d = inventory.findDevice(e.serialNumber()).orElse(null);
        if (properties.reclaimUserLicensesWithoutDevices() && d != null && d.ownerUserId() != null
                && inventory.devicesOwnedBy(List.of(d.ownerUserId())).stream().noneMatch(Device::active)) {
            for (LicensingData.HeldRow h : data.heldBy("client_user_id", d.ownerUserId())) {
                reclaim(h, "R4b", "the user's last active device was retired", ops);
            }
        }
        queue.enqueue(ops);
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
            for (LicensingData.HeldRow h : data.heldBy("serial_number", d.serialNumber())) {
                if (h.adamId().equals(adamId)) {
                    reclaim(h, "R4c", "the app " + bundleId + " was removed from the device", ops);
                    data.optOut(HolderType.DEVICE, d.serialNumber(), adamId, "R4c", now);
                }
            }
            if (d.ownerUserId() != null && !data.installedOnAnyDevice(d.ownerUserId(), bundleId)) {
                for (LicensingData.HeldRow h : data.heldBy("client_user_id", d.ownerUserId())) {
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
        String where = "id = " + licenseId;
        if (count(where) == 0) {
            throw new NotFoundException("no license " + licenseId);
        }
        return reclaimWhere(where, "license " + licenseId, dryRun);
    }

    /** R4d: every license of an app, in one account or in all. */
    public Plan reclaimApp(String adamId, Long accountId, boolean dryRun) {
        dev.orchard.server.inventory.Identifiers.adamId(adamId);
        String where = "adam_id = '" + adamId + "'" + (accountId == null ? "" : " and account_id = " + accountId);
        return reclaimWhere(where, "app " + adamId + (accountId == null ? " in every account" : " in account " + accountId), dryRun);
    }

    /** R4d: every license of an account. */
    public Plan reclaimAccount(AccountId account, boolean dryRun) {
        return reclaimWhere("account_id = " + account.value(), "account " + account.value(), dryRun);
    }

    /**
     * Reclaims the held licenses matching {@code where} (built here from validated numbers only), a chunk per
     * transaction. Reclaimed targets are opted out so the labels do not assign them the app again.
     */
    private Plan reclaimWhere(String where, String subject, boolean dryRun) {
        String held = where + " and (intent is null or (intent = 'ASSIGN' and reclaim_rule is null))";
        long total = count(held);
        List<Map<String, Object>> sample = jdbc.sql("select id, account_id, adam_id, pricing_param, serial_number, client_user_id, "
                + "origin from licenses where " + held + " order by id limit " + SAMPLE).query().listOfRows();
        if (dryRun) {
            audit.record("api", "RECLAIM_PREVIEWED", subject, total + " licenses would be reclaimed", "DRY_RUN");
            return new Plan(true, total, sample);
        }
        long done = 0;
        long after = 0;
        while (true) {
            long from = after;
            List<LicensingData.HeldRow> chunk = jdbc.sql("select * from licenses where " + held + " and id > ? order by id limit "
                    + LicensingEngine.CHUNK).param(from).query(LicensingData::held).list();
            if (chunk.isEmpty()) {
                break;
            }
            done += tx.execute(s -> {
                var ops = new ArrayList<OperationQueue.Queued>();
                int n = 0;
                Instant now = clock.instant();
                for (LicensingData.HeldRow h : chunk) {
                    n += reclaim(h, "R4d", "an administrator reclaimed " + subject, ops);
                    data.optOut(h.type(), h.holder(), h.adamId(), "R4d", now);
                }
                queue.enqueue(ops);
                return n;
            });
            after = chunk.get(chunk.size() - 1).id();
        }
        audit.record("api", "RECLAIM_REQUESTED", subject, done + " licenses queued for reclaim", "QUEUED");
        return new Plan(false, done, sample);
    }

    /**
     * Cancels a reclaim still in its grace period, or one waiting for Apple to confirm the assignment; the license
     * stays.
     */
    public boolean cancel(long licenseId) {
        return Boolean.TRUE.equals(tx.execute(s -> {
            var inFlight = jdbc.sql("select * from licenses where id = ? and intent = 'ASSIGN' and reclaim_rule is not null")
                    .param(licenseId).query(LicensingData::held).list();
            if (!inFlight.isEmpty() && ledger.clearUnwanted(licenseId)) {
                LicensingData.HeldRow h = inFlight.get(0);
                data.clearOptOuts(h.type(), h.holder(), h.adamId());
                audit.record("api", "RECLAIM_CANCELLED", (h.serialNumber() != null ? "device " : "user ") + h.holder(),
                        "app " + h.adamId() + " in account " + h.accountId() + " (the assignment was still at Apple)", "OK");
                return true;
            }
            var rows = jdbc.sql("select * from licenses where id = ? and intent = 'RECLAIM'").param(licenseId)
                    .query(LicensingData::held).list();
            if (rows.isEmpty()) {
                return false;
            }
            LicensingData.HeldRow h = rows.get(0);
            if (queue.cancelQueuedReclaims(new AccountId(h.accountId()), List.of(h.key())) == 0) {
                return false; // already sent to Apple
            }
            ledger.keep(new AccountId(h.accountId()), h.key());
            data.clearOptOuts(h.type(), h.holder(), h.adamId());
            audit.record("api", "RECLAIM_CANCELLED", (h.serialNumber() != null ? "device " : "user ") + h.holder(),
                    "app " + h.adamId() + " in account " + h.accountId(), "OK");
            return true;
        }));
    }

    /** Lets the labels assign the app to the target again (after a purposeful reclaim). */
    public int allowAgain(HolderType type, String holder, String adamId) {
        Integer n = tx.execute(s -> data.clearOptOuts(type, holder, adamId));
        return n == null ? 0 : n;
    }

    private long count(String where) {
        return jdbc.sql("select count(*) from licenses where " + where).query(Long.class).single();
    }
}
