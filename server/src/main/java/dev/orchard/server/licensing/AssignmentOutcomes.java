package dev.orchard.server.licensing;

import java.time.Clock;

import org.springframework.stereotype.Component;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.licensing.AssignmentPolicy.HolderType;
import dev.orchard.server.ledger.LicenseLedger;

/**
 * What the licensing side does when Apple refuses one of its operations for a target: an assignment Apple could not
 * make leaves the ledger and the target waits (no licenses, 9709: the pool then counts none available until Apple's
 * counts are read again, so the next pass does not send it straight back) or is shown as blocked with Apple's
 * reason; a reclaim Apple refused keeps the license.
 */
@Component
public class AssignmentOutcomes {

    private final LicenseLedger ledger;
    private final LicensingData data;
    private final AuditTrail audit;
    private final Clock clock;

    AssignmentOutcomes(LicenseLedger ledger, LicensingData data, AuditTrail audit, Clock clock) {
        this.ledger = ledger;
        this.data = data;
        this.audit = audit;
        this.clock = clock;
    }

    public void assignmentFailed(AccountId account, LicenseLedger.Key k, boolean noLicensesLeft, String reason) {
        boolean wanted = ledger.dropIntent(account, k);
        if (noLicensesLeft) {
            ledger.noneLeftAtApple(account, k.app(), k.pricingParam());
        }
        HolderType type = k.serialNumber() != null ? HolderType.DEVICE : HolderType.USER;
        if (wanted) {
            data.waitlist(type, k.holder().value(), k.app(), noLicensesLeft ? "WAITING" : "BLOCKED", reason, clock.instant());
        }
        audit.record("apple", "LICENSE_ASSIGN_FAILED", (type == HolderType.DEVICE ? "device " : "user ") + k.holder().value(),
                "app " + k.app() + " in account " + account + ": " + reason, "FAILED");
    }

    /** An administrator sends a failed assignment again: the target is no longer shown as blocked by that failure. */
    public void assignmentRetried(LicenseLedger.Key k) {
        data.unlist(k.serialNumber() != null ? HolderType.DEVICE : HolderType.USER, k.holder().value(), k.app());
    }

    public void reclaimFailed(AccountId account, LicenseLedger.Key k, String reason) {
        ledger.keep(account, k);
        audit.record("apple", "LICENSE_RECLAIM_FAILED", (k.serialNumber() != null ? "device " : "user ") + k.holder().value(),
                "app " + k.app() + " in account " + account + ": " + reason, "FAILED");
    }
}
