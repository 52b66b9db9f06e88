package dev.orchard.server.sync;

import java.util.List;
import java.util.Set;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.ledger.LicenseLedger;

/**
 * What the outbox already settled of one of its Apple events (a port of the notification processor, implemented by
 * the outbox). A notification can come late: Apple retries a delivery that failed, so the report of an association
 * can arrive after a status poll or a sync completed it and a later disassociation removed the license. Applying it
 * then would put back a license Apple no longer holds; the notification applies only what is still open.
 */
public interface SettledTargets {

    /** Of {@code licenses}, those whose targets in the event's operation are no longer in flight. */
    Set<LicenseLedger.Key> settled(AccountId account, String eventId, List<LicenseLedger.Key> licenses);
}
