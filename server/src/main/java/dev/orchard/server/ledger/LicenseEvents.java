package dev.orchard.server.ledger;

import java.util.List;

import dev.orchard.server.accounts.AccountId;

/** What Apple reported about licenses, published (inside the transaction that applied it) for the outbox and engine. */
public final class LicenseEvents {

    private LicenseEvents() {
    }

    /**
     * Progress of one of Apple's events (from a notification or a status poll): {@code licenses} succeeded, or
     * failed with {@code errorNumber}. {@code action} is ASSOCIATE, DISASSOCIATE, REVOKE, CREATE, UPDATE or RETIRE.
     */
    public record AppleEventProgress(AccountId account, String eventId, String action, boolean success,
                                     List<LicenseLedger.Key> licenses, List<String> clientUserIds, Integer errorNumber,
                                     String errorMessage) {
    }

    /**
     * Apple confirmed assignments whose holders stopped wanting them while they were in flight (a device retired, a
     * label changed, an administrator's reclaim): each is now being reclaimed under its rule, and its disassociation
     * must be queued in this transaction.
     */
    public record UnwantedConfirmed(AccountId account, List<Unwanted> licenses) {
    }

    /** A license and the rule that reclaims it. */
    public record Unwanted(LicenseLedger.Key key, String rule) {
    }

    /**
     * Licenses became available in an account (a purchase, a released license, or a read of Apple's counts showing
     * more than Orchard counted): waiting targets may be served. {@code released}: the holders whose licenses of the
     * app went (each may want one again, for example a device reactivated while its reclaim was at Apple).
     */
    public record LicensesAvailable(AccountId account, String adamId, List<Holder> released) {
        public LicensesAvailable {
            released = List.copyOf(released);
        }

        public LicensesAvailable(AccountId account, String adamId) {
            this(account, adamId, List.of());
        }

        /** One event per app for these released licenses, with their holders. */
        static List<LicensesAvailable> released(AccountId account, java.util.Collection<LicenseLedger.Key> keys) {
            return keys.stream().collect(java.util.stream.Collectors.groupingBy(LicenseLedger.Key::app, java.util.LinkedHashMap::new,
                            java.util.stream.Collectors.mapping(LicenseLedger.Key::holder, java.util.stream.Collectors.toList())))
                    .entrySet().stream().map(e -> new LicensesAvailable(account, e.getKey(), e.getValue())).toList();
        }
    }

    /**
     * Apple refused an assignment for lack of licenses (9709) while Orchard counted some available in the pool
     * (licenses assigned elsewhere reach Orchard only with the next read): the account's counts must be read again.
     */
    public record CountContradicted(AccountId account, String adamId, String pricingParam) {
    }

    /**
     * Apple users of the account became active (created by Orchard, or seen by a read or a notification, whichever
     * path): associations that waited for them can be sent.
     */
    public record AppleUsersRegistered(AccountId account) {
    }

    /** A read of the account from Apple is complete: the ledger shows what Apple held, for whoever waits on it. */
    public record LedgerRead(AccountId account) {
    }
}
