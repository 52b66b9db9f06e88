package dev.orchard.server.licensing;

import java.time.Instant;
import java.util.List;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.ledger.LicenseLedger;

/**
 * Where the licensing engine records the Apple operations its decisions need, in the caller's transaction; the
 * operations module sends them later (batched, throttled, tracked).
 */
public interface OperationQueue {

    /** What Apple must do. */
    enum Action { ASSOCIATE, DISASSOCIATE, CREATE_USER }

    /** One asset × target (or one user to create). {@code rule} says why, for the audit trail and the API. */
    record Queued(AccountId account, Action action, String adamId, String pricingParam, String serialNumber,
                  String clientUserId, String email, String managedAppleId, String rule, Instant notBefore) {
    }

    void enqueue(List<Queued> operations);

    /** Cancels queued (unsent) disassociations of these licenses; returns how many were cancelled. */
    int cancelQueuedReclaims(AccountId account, List<LicenseLedger.Key> licenses);

    /** Cancels queued (unsent) associations of these licenses; returns how many were cancelled (0: already claimed). */
    int cancelQueuedAssignments(AccountId account, List<LicenseLedger.Key> licenses);
}
