package dev.orchard.server.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What Apple's refusal of a target means: the whole table, row by row. */
class FailureOutcomeTests {

    @ParameterizedTest(name = "{0} refused with {1} (user {2}, tried {3} times) -> {4}")
    @CsvSource(nullValues = "none", textBlock = """
            ASSOCIATE,    9609, true,  0, REGISTER_USER_AGAIN
            ASSOCIATE,    9609, true,  2, REGISTER_USER_AGAIN
            ASSOCIATE,    9609, true,  3, ASSIGNMENT_FAILED
            ASSOCIATE,    9609, false, 0, ASSIGNMENT_FAILED
            ASSOCIATE,    9709, false, 0, WAIT_FOR_LICENSES
            ASSOCIATE,    9709, true,  5, WAIT_FOR_LICENSES
            ASSOCIATE,    9610, false, 0, ASSIGNMENT_FAILED
            ASSOCIATE,    9644, false, 1, RETRY_LATER
            ASSOCIATE,    9644, false, 4, RETRY_LATER
            ASSOCIATE,    9644, false, 5, ASSIGNMENT_FAILED
            ASSOCIATE,    9603, true,  1, RETRY_LATER
            DISASSOCIATE, 9644, false, 1, RETRY_LATER
            DISASSOCIATE, 9640, false, 5, RECLAIM_FAILED
            CREATE_USER,  9603, true,  2, RETRY_LATER
            ASSOCIATE,    none, false, 0, ASSIGNMENT_FAILED
            DISASSOCIATE, 9610, false, 0, ALREADY_GONE
            DISASSOCIATE, 9610, true,  0, ALREADY_GONE
            DISASSOCIATE, 9709, false, 0, RECLAIM_FAILED
            DISASSOCIATE, 9706, false, 0, RECLAIM_FAILED
            DISASSOCIATE, none, true,  0, RECLAIM_FAILED
            CREATE_USER,  9716, true,  0, USER_EXISTED
            CREATE_USER,  9609, true,  0, USER_FAILED
            CREATE_USER,  none, true,  0, USER_FAILED
            """)
    void eachRefusalHasOneMeaning(String action, Integer errorNumber, boolean forUser, int attempts, FailureOutcome expected) {
        assertThat(FailureOutcome.of(action, errorNumber, forUser, attempts)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "after {0} tries the pause is {1}")
    @CsvSource({"0, PT1M", "1, PT1M", "2, PT4M", "3, PT16M", "4, PT1H", "9, PT1H"})
    void transientFailuresPauseLongerEachTime(int attempts, java.time.Duration pause) {
        assertThat(FailureOutcome.pauseAfter(attempts)).isEqualTo(pause);
    }

    @ParameterizedTest
    @CsvSource({"REVOKE", "associate"})
    void anUnknownActionIsAnError(String action) {
        assertThatThrownBy(() -> FailureOutcome.of(action, 9709, false, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
