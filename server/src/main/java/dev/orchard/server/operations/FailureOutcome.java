package dev.orchard.server.operations;

/**
 * What Apple's refusal of one target means, decided from the target's action, Apple's error number and how often it
 * was tried: a pure table (see {@code FailureOutcomeTests}), applied by {@link Outcomes}.
 */
enum FailureOutcome {

    /**
     * Apple's own trouble, reported after the request was accepted (9603 internal error, 9640 transient, 9644
     * maintenance): the target is sent again later, with a growing pause, up to {@link #MAX_TRANSIENT_ATTEMPTS} times in
     * all; after that the action's failure outcome applies.
     */
    RETRY_LATER,

    /** 9609 for a user's association: Apple lost or retired the user; register it again, then retry. */
    REGISTER_USER_AGAIN,
    /** 9709: Apple has no license of the pool left; the target waits for licenses. */
    WAIT_FOR_LICENSES,
    /** Any other refusal of an association: the intent is dropped, the target blocked with Apple's reason. */
    ASSIGNMENT_FAILED,
    /** 9610 for a disassociation: Apple did not hold it any more, which is what was wanted. */
    ALREADY_GONE,
    /** Any other refusal of a disassociation: the license is kept as it was. */
    RECLAIM_FAILED,
    /** 9716 for a user's creation: the user existed already, which is what was wanted. */
    USER_EXISTED,
    /** Any other refusal of a user's creation: the associations waiting for that user fail with it. */
    USER_FAILED;

    static final int USER_NOT_FOUND = 9609;
    static final int LICENSE_NOT_FOUND = 9610;
    static final int NOT_ENOUGH_LICENSES = 9709;
    static final int USER_EXISTS = 9716;
    /** How often a user's association is tried in all when Apple keeps losing the user. */
    static final int MAX_ATTEMPTS = 3;
    static final java.util.Set<Integer> TRANSIENT = java.util.Set.of(9603, 9640, 9644);
    /** How often a target is tried in all while Apple reports trouble of its own. */
    static final int MAX_TRANSIENT_ATTEMPTS = 5;

    /** The pause before the next try after a transient failure: 1 min, 4 min, 16 min, then 1 h. */
    static java.time.Duration pauseAfter(int attempts) {
        long minutes = (long) Math.pow(4, Math.max(0, Math.min(attempts, 4) - 1));
        return java.time.Duration.ofMinutes(Math.min(60, minutes));
    }

    static FailureOutcome of(String action, Integer errorNumber, boolean forUser, int attempts) {
        int error = errorNumber == null ? 0 : errorNumber;
        if (TRANSIENT.contains(error) && attempts < MAX_TRANSIENT_ATTEMPTS) {
            return RETRY_LATER;
        }
        return switch (action) {
            case "ASSOCIATE" -> error == USER_NOT_FOUND && forUser && attempts < MAX_ATTEMPTS ? REGISTER_USER_AGAIN
                    : error == NOT_ENOUGH_LICENSES ? WAIT_FOR_LICENSES : ASSIGNMENT_FAILED;
            case "DISASSOCIATE" -> error == LICENSE_NOT_FOUND ? ALREADY_GONE : RECLAIM_FAILED;
            case "CREATE_USER" -> error == USER_EXISTS ? USER_EXISTED : USER_FAILED;
            default -> throw new IllegalArgumentException("no outbox action " + action);
        };
    }
}
