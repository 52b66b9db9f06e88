package dev.orchard.server.licensing;

import dev.orchard.server.ledger.LicenseRow;

/**
 * Rule R4 as a pure decision: what a reclaim trigger (R4a coverage lost, R4b device retired, R4c app removed, R4d an
 * administrator) does to one license in the state it is in (the ledger's state table, {@code LicenseLedger}).
 * {@link Reclaims} carries the move out with conditional updates, so a race with Apple's confirmation or the
 * dispatcher ends in the state the table gives for the license as it is then. Tested row by row
 * ({@code ReclaimPolicyTests}).
 */
final class ReclaimPolicy {

    /** What a reclaim trigger does to a license. */
    enum Move {
        /** Held: it is marked as being reclaimed and its disassociation queued (after the grace period). */
        TAKE_BACK,
        /** Intended: a target still queued is cancelled before it reaches Apple, one sent is marked unwanted. */
        STOP_IN_FLIGHT,
        /** Nothing: already being reclaimed, already unwanted, not written yet, or not the rule's business. */
        NONE
    }

    private ReclaimPolicy() {
    }

    static Move decide(String rule, LicenseRow license) {
        if (license.id() < 0 || license.reclaiming() || license.unwanted()) {
            // (an id below 0: an assignment the running pass decided and has not written yet)
            return Move.NONE;
        }
        if ("R4a".equals(rule) && !license.byOrchard()) {
            return Move.NONE; // R4a is about Orchard's own labels: a license found at Apple stays theirs to take back
        }
        if (!license.inFlight() && !license.revocable()) {
            return Move.NONE; // Apple refuses to take back licenses of this asset (books; error 9706): asking only fails
        }
        return license.inFlight() ? Move.STOP_IN_FLIGHT : Move.TAKE_BACK;
    }
}
