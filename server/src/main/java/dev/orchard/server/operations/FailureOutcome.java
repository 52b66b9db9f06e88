package dev.orchard.server.operations;

/**
 * What Apple's refusal of one target means, decided from the target's action, Apple's error number and how often it
 * was tried: a pure table (see {@code FailureOutcomeTests}), applied by {@link Outcomes}.
 */
enum FailureOutcome {

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

    static FailureOutcome of(String action, Integer errorNumber, boolean forUser, int attempts) {
        int error = errorNumber == null ? 0 : errorNumber;
        return switch (action) {
            case "ASSOCIATE" -> error == USER_NOT_FOUND && forUser && attempts < MAX_ATTEMPTS ? REGISTER_USER_AGAIN
                    : error == NOT_ENOUGH_LICENSES ? WAIT_FOR_LICENSES : ASSIGNMENT_FAILED;
            case "DISASSOCIATE" -> error == LICENSE_NOT_FOUND ? ALREADY_GONE : RECLAIM_FAILED;
            case "CREATE_USER" -> error == USER_EXISTS ? USER_EXISTED : USER_FAILED;
            default -> throw new IllegalArgumentException("no outbox action " + action);
        };
    }
}
