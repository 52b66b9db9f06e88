package dev.orchard.server.mdm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.orchard.server.mdm.EnrolmentFacts.State;

/**
 * The enrolment rules over NanoMDM's events in every order they can arrive in, and with events lost: the end state
 * depends on what happened at NanoMDM, never on the arrival order; enrolments are never counted twice, and the one a
 * device is in is always counted.
 */
class EnrolmentFactsTests {

    /** An event as NanoMDM created it: kind A (Authenticate), T (TokenUpdate, with its tally), C (CheckOut), R (report). */
    record Event(char kind, int second, int tally) {
        static Event parse(String s) {
            String[] p = s.strip().split(":");
            return new Event(p[0].charAt(0), Integer.parseInt(p[1]), p.length > 2 ? Integer.parseInt(p[2]) : 0);
        }
    }

    /** Applies the events in this order; returns the end facts and the enrolments counted. */
    static Object[] apply(List<Event> events) {
        EnrolmentFacts f = EnrolmentFacts.NONE;
        int counted = 0;
        for (Event e : events) {
            Instant at = Instant.parse("2026-12-01T10:00:00Z").plusSeconds(e.second());
            Instant firstTokenUpdate = null;
            switch (e.kind()) {
                case 'A' -> f = f.authenticated(at);
                case 'T' -> {
                    f = f.tokenUpdated(at, e.tally());
                    firstTokenUpdate = e.tally() == 1 ? at : null;
                }
                case 'C' -> f = f.checkedOut(at);
                case 'R' -> f = f.reported(at);
                default -> throw new IllegalArgumentException();
            }
            if (f.newEnrolment(firstTokenUpdate)) {
                f = f.counted(f.proof());
                counted++;
            }
        }
        return new Object[] {f.state(), counted};
    }

    static List<List<Event>> permutations(List<Event> events) {
        if (events.size() <= 1) {
            return List.of(events);
        }
        List<List<Event>> all = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            List<Event> rest = new ArrayList<>(events);
            Event first = rest.remove(i);
            for (List<Event> p : permutations(rest)) {
                List<Event> one = new ArrayList<>();
                one.add(first);
                one.addAll(p);
                all.add(one);
            }
        }
        return all;
    }

    @ParameterizedTest(name = "{0} → {1}, {2} enrolment(s), in every order")
    @CsvSource(delimiter = '|', textBlock = """
            A:0, T:1:1                          | ENROLLED      | 1
            A:0, T:1:1, R:2                     | ENROLLED      | 1
            A:0, T:1:1, T:50:2                  | ENROLLED      | 1
            A:0, T:1:1, C:9                     | CHECKED_OUT   | 1
            A:0, T:1:1, A:10, T:11:1            | ENROLLED      | 2
            A:0, T:1:1, C:5, A:10, T:11:1, R:12 | ENROLLED      | 2
            A:0                                 | AUTHENTICATED | 0
            A:0, T:1:1, A:10                    | AUTHENTICATED | 1
            """)
    void theSameEndWhateverTheOrder(String script, State state, int enrolments) {
        List<Event> events = List.of(script.split(",")).stream().map(Event::parse).toList();
        for (List<Event> order : permutations(events)) {
            Object[] end = apply(order);
            assertThat(end[0]).as("state after %s", order).isEqualTo(state);
            // never more than happened; never none while it is enrolled (an enrolment whose proof came after
            // a later Authenticate or CheckOut is over already and rightly not counted)
            assertThat((int) end[1]).as("enrolments after %s", order)
                    .isGreaterThanOrEqualTo(state == State.ENROLLED ? 1 : 0).isLessThanOrEqualTo(enrolments);
        }
    }

    @ParameterizedTest(name = "{0} (arriving in order) → {1}, {2} enrolment(s)")
    @CsvSource(delimiter = '|', textBlock = """
            A:0, T:1:1, A:10, T:11:1            | ENROLLED    | 2
            A:0, T:1:1, T:11:1                  | ENROLLED    | 2
            A:0, T:1:1, A:10, R:12              | ENROLLED    | 2
            T:1:1                               | ENROLLED    | 1
            A:0, R:3                            | ENROLLED    | 1
            A:0, T:1:1, C:5, R:4                | CHECKED_OUT | 1
            """)
    void lostEventsAreMadeUpForByTheOthers(String script, State state, int enrolments) {
        Object[] end = apply(List.of(script.split(",")).stream().map(Event::parse).toList());
        assertThat(end[0]).isEqualTo(state);
        assertThat(end[1]).isEqualTo(enrolments);
    }

    @Test
    void aLateAuthenticateDoesNotUndoAnEnrolment() {
        Object[] end = apply(List.of(Event.parse("T:1:1"), Event.parse("A:0")));
        assertThat(end[0]).isEqualTo(State.ENROLLED);
        assertThat(end[1]).isEqualTo(1);
    }
}
