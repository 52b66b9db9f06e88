package dev.orchard.server.mdm;

import java.time.Instant;

/**
 * What an MDM's events said about one device channel, each fact the latest of its kind by the time the MDM created
 * the event: when it authenticated, when its push token was last updated (and NanoMDM's tally of token updates
 * since that Authenticate), when it checked out, when it last reported. NanoMDM posts its events concurrently and
 * never retries them, so they arrive in any order or not at all; the enrolment state is derived from these facts,
 * never from the order they came in. {@code enrolledAt} is the proof the current enrolment was counted on.
 *
 * <p>The rules, pure and table-tested:
 * <ul>
 * <li>A token update or a report at or after the last Authenticate proves the channel enrolled; a check-out after
 *     every other fact ends it.</li>
 * <li>A proof counts as a new enrolment when none was counted yet, when an Authenticate or a check-out came after
 *     the counted one, or when it is a token update whose tally is 1 (the first since an Authenticate that may have
 *     been lost) created after the counted one.</li>
 * <li>An Authenticate that arrives after the token update it preceded changes nothing: it is older.</li>
 * </ul>
 */
record EnrolmentFacts(Instant authenticatedAt, Instant tokenUpdatedAt, int tally, Instant checkedOutAt, Instant reportedAt,
                      Instant enrolledAt) {

    /** The channel's state as the facts tell it. */
    enum State { UNKNOWN, AUTHENTICATED, ENROLLED, CHECKED_OUT }

    static final EnrolmentFacts NONE = new EnrolmentFacts(null, null, 0, null, null, null);

    EnrolmentFacts authenticated(Instant at) {
        return new EnrolmentFacts(latest(authenticatedAt, at), tokenUpdatedAt, tally, checkedOutAt, reportedAt, enrolledAt);
    }

    EnrolmentFacts tokenUpdated(Instant at, int newTally) {
        boolean newer = tokenUpdatedAt == null || at.isAfter(tokenUpdatedAt);
        return newer ? new EnrolmentFacts(authenticatedAt, at, newTally, checkedOutAt, reportedAt, enrolledAt) : this;
    }

    EnrolmentFacts checkedOut(Instant at) {
        return new EnrolmentFacts(authenticatedAt, tokenUpdatedAt, tally, latest(checkedOutAt, at), reportedAt, enrolledAt);
    }

    EnrolmentFacts reported(Instant at) {
        return new EnrolmentFacts(authenticatedAt, tokenUpdatedAt, tally, checkedOutAt, latest(reportedAt, at), enrolledAt);
    }

    EnrolmentFacts counted(Instant proof) {
        return new EnrolmentFacts(authenticatedAt, tokenUpdatedAt, tally, checkedOutAt, reportedAt, proof);
    }

    /** The latest token update or report. */
    Instant proof() {
        return latest(tokenUpdatedAt, reportedAt);
    }

    State state() {
        Instant proof = proof();
        Instant last = latest(authenticatedAt, proof);
        if (checkedOutAt != null && (last == null || !checkedOutAt.isBefore(last))) {
            return State.CHECKED_OUT;
        }
        if (proof != null && (authenticatedAt == null || !proof.isBefore(authenticatedAt))) {
            return State.ENROLLED;
        }
        return authenticatedAt != null ? State.AUTHENTICATED : State.UNKNOWN;
    }

    /**
     * Whether these facts prove an enrolment not counted yet. {@code firstTokenUpdateAt} is the time of the event
     * just applied when it was a token update with tally 1, else null.
     */
    boolean newEnrolment(Instant firstTokenUpdateAt) {
        if (state() != State.ENROLLED) {
            return false;
        }
        return enrolledAt == null || after(authenticatedAt, enrolledAt) || after(checkedOutAt, enrolledAt)
                || after(firstTokenUpdateAt, enrolledAt);
    }

    private static boolean after(Instant a, Instant b) {
        return a != null && a.isAfter(b);
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }
}
