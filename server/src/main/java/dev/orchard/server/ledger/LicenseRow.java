package dev.orchard.server.ledger;

/**
 * One row of the license ledger as the modules that act on it read it: its key, where it came from, its state
 * ({@code intent} and {@code reclaimRule}; the states and transitions are {@link LicenseLedger}'s table), and
 * whether Apple takes licenses of its asset back ({@code revocable}: false for books, which Apple refuses to
 * disassociate with error 9706).
 */
public record LicenseRow(long id, long accountId, String adamId, String pricingParam, String serialNumber,
                         String clientUserId, String origin, String intent, String reclaimRule, boolean revocable) {

    /**
     * Held and revocable, or in flight and still wanted: what a reclaim trigger applies to (an assignment not yet
     * confirmed can still be stopped, whatever the asset).
     */
    public boolean reclaimable() {
        return id >= 0 && (intent == null && revocable || "ASSIGN".equals(intent) && reclaimRule == null);
    }

    /** In flight, but its holder no longer wants it: reclaimed once Apple confirms it. */
    public boolean unwanted() {
        return "ASSIGN".equals(intent) && reclaimRule != null;
    }

    /** Intended and not yet confirmed by Apple (queued, sent or pending there). */
    public boolean inFlight() {
        return "ASSIGN".equals(intent);
    }

    /** Being reclaimed (its disassociation is queued or sent). */
    public boolean reclaiming() {
        return "RECLAIM".equals(intent);
    }

    public boolean device() {
        return serialNumber != null;
    }

    /** The serial number or the clientUserId, whichever the license is for. */
    public String holder() {
        return serialNumber != null ? serialNumber : clientUserId;
    }

    public boolean byOrchard() {
        return "ORCHARD".equals(origin);
    }

    public LicenseLedger.Key key() {
        return LicenseLedger.Key.of(adamId, pricingParam, serialNumber, clientUserId);
    }
}
