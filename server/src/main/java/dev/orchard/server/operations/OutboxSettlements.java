package dev.orchard.server.operations;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Component;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.ledger.LicenseLedger;
import dev.orchard.server.sync.SettledTargets;

/** Tells the notification processor which licenses of one of the outbox's events it settled already. */
@Component
class OutboxSettlements implements SettledTargets {

    private final OperationStore store;

    OutboxSettlements(OperationStore store) {
        this.store = store;
    }

    @Override
    public Set<LicenseLedger.Key> settled(AccountId account, String eventId, List<LicenseLedger.Key> licenses) {
        Set<LicenseLedger.Key> settled = new HashSet<>(store.settledOfEvent(account, eventId));
        settled.retainAll(new HashSet<>(licenses));
        return settled;
    }
}
