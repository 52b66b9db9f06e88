package dev.orchard.server.licensing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.ledger.LedgerQueries;
import dev.orchard.server.ledger.LicenseLedger;

/**
 * Taking over licenses assigned outside Orchard (in Apple Business Manager, or by another tool with the same token):
 * an adopted license becomes Orchard's, so its labels decide about it from then on. A holder they want the app for
 * keeps it and is counted as served; a holder no Apple License Label covers loses it at the next pass (rule R4a), as
 * with any license Orchard assigned. A dry run says how many, with examples, and changes nothing.
 */
@Service
public class Adoption {

    /** What an adoption takes (or took) over. */
    public record Plan(boolean dryRun, long licenses, List<LedgerQueries.License> sample) {
    }

    private final LedgerQueries queries;
    private final LicenseLedger ledger;
    private final PassRequests passes;
    private final AuditTrail audit;
    private final TransactionTemplate tx;

    Adoption(LedgerQueries queries, LicenseLedger ledger, PassRequests passes, AuditTrail audit, TransactionTemplate tx) {
        this.queries = queries;
        this.ledger = ledger;
        this.passes = passes;
        this.audit = audit;
        this.tx = tx;
    }

    /** Adopts the externally assigned licenses Apple holds, in one account or all, a chunk per transaction. */
    public Plan adopt(Long accountId, boolean dryRun) {
        long total = queries.countLeaks(accountId).get(LedgerQueries.Leak.EXTERNAL);
        var sample = queries.leaks(LedgerQueries.Leak.EXTERNAL, accountId, 0, Reclaims.SAMPLE);
        if (dryRun) {
            return new Plan(true, total, sample);
        }
        long done = 0;
        while (true) {
            // adopted rows leave the EXTERNAL list, so each round reads the first chunk again
            var chunk = queries.leaks(LedgerQueries.Leak.EXTERNAL, accountId, 0, LicensingEngine.CHUNK);
            if (chunk.isEmpty()) {
                break;
            }
            int n = Objects.requireNonNull(tx.execute(s -> {
                int adopted = ledger.adopt(chunk.stream().map(LedgerQueries.License::id).toList());
                var serials = new ArrayList<String>();
                var users = new ArrayList<String>();
                chunk.forEach(l -> (l.serialNumber() != null ? serials : users).add(l.serialNumber() != null ? l.serialNumber()
                        : l.clientUserId()));
                passes.devices(serials); // the labels decide about them now
                passes.users(users);
                return adopted;
            }));
            done += n;
            if (n == 0) {
                break; // changed under us (a sync or a notification): what is left is read again by the next adoption
            }
        }
        audit.record("api", "LICENSES_ADOPTED", accountId == null ? "every account" : "account " + accountId,
                done + " licenses assigned outside Orchard are managed by Orchard's labels now", "OK");
        return new Plan(false, done, sample);
    }
}
