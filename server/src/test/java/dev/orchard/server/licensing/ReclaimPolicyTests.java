package dev.orchard.server.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.orchard.server.ledger.LicenseRow;

/** Rule R4 against the ledger's state table: every trigger × every state of a license, row by row. */
class ReclaimPolicyTests {

    @ParameterizedTest(name = "{0} on {1} license, intent {2}, rule {3} -> {4}")
    @CsvSource(nullValues = "none", textBlock = """
            R4a, ORCHARD,  none,    none, TAKE_BACK
            R4b, ORCHARD,  none,    none, TAKE_BACK
            R4c, ORCHARD,  none,    none, TAKE_BACK
            R4d, ORCHARD,  none,    none, TAKE_BACK
            R4a, EXTERNAL, none,    none, NONE
            R4b, EXTERNAL, none,    none, TAKE_BACK
            R4c, EXTERNAL, none,    none, TAKE_BACK
            R4d, EXTERNAL, none,    none, TAKE_BACK
            R4a, ORCHARD,  ASSIGN,  none, STOP_IN_FLIGHT
            R4b, ORCHARD,  ASSIGN,  none, STOP_IN_FLIGHT
            R4c, ORCHARD,  ASSIGN,  none, STOP_IN_FLIGHT
            R4d, ORCHARD,  ASSIGN,  none, STOP_IN_FLIGHT
            R4a, ORCHARD,  ASSIGN,  R4b,  NONE
            R4b, ORCHARD,  ASSIGN,  R4a,  NONE
            R4d, ORCHARD,  ASSIGN,  R4d,  NONE
            R4a, ORCHARD,  RECLAIM, R4c,  NONE
            R4b, ORCHARD,  RECLAIM, R4a,  NONE
            R4d, EXTERNAL, RECLAIM, R4b,  NONE
            """)
    void eachTriggerOnEachState(String rule, String origin, String intent, String reclaimRule, ReclaimPolicy.Move expected) {
        var license = new LicenseRow(7, 1, "361309726", "STDQ", "C02ABC", null, origin, intent, reclaimRule, true);
        assertThat(ReclaimPolicy.decide(rule, license)).isEqualTo(expected);
    }

    /**
     * A license of an asset Apple does not take back (a book: error 9706) stays with its holder whatever the trigger;
     * one still in flight can be stopped before Apple confirms it, like any other.
     */
    @ParameterizedTest(name = "{0} on a not revocable {1} license, intent {2} -> {3}")
    @CsvSource(nullValues = "none", textBlock = """
            R4a, ORCHARD,  none,   NONE
            R4b, ORCHARD,  none,   NONE
            R4c, EXTERNAL, none,   NONE
            R4d, ORCHARD,  none,   NONE
            R4d, EXTERNAL, none,   NONE
            R4a, ORCHARD,  ASSIGN, STOP_IN_FLIGHT
            R4d, ORCHARD,  ASSIGN, STOP_IN_FLIGHT
            """)
    void aLicenseAppleDoesNotTakeBackStays(String rule, String origin, String intent, ReclaimPolicy.Move expected) {
        var book = new LicenseRow(7, 1, "1187654321", "STDQ", null, "carol", origin, intent, null, false);
        assertThat(ReclaimPolicy.decide(rule, book)).isEqualTo(expected);
        assertThat(book.reclaimable()).isEqualTo(intent != null);
    }

    @ParameterizedTest
    @CsvSource({"R4a", "R4b", "R4c", "R4d"})
    void anAssignmentTheRunningPassHasNotWrittenYetIsLeftAlone(String rule) {
        var decided = new LicenseRow(-1, 1, "361309726", "STDQ", "C02ABC", null, "ORCHARD", "ASSIGN", null, true);
        assertThat(ReclaimPolicy.decide(rule, decided)).isEqualTo(ReclaimPolicy.Move.NONE);
    }
}
