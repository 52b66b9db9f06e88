package dev.orchard.server.licensing;

import static dev.orchard.server.licensing.AssignmentPolicyTests.NO_USER;
import static dev.orchard.server.licensing.AssignmentPolicyTests.NEW_DE_PHONE;
import static dev.orchard.server.licensing.AssignmentPolicyTests.OLD_DE_PHONE;
import static dev.orchard.server.licensing.AssignmentPolicyTests.US_PHONE;
import static dev.orchard.server.licensing.AssignmentPolicyTests.app;
import static dev.orchard.server.licensing.AssignmentPolicyTests.book;
import static dev.orchard.server.licensing.AssignmentPolicyTests.macOnly;
import static dev.orchard.server.licensing.AssignmentPolicyTests.on;
import static dev.orchard.server.licensing.AssignmentPolicyTests.pool;
import static dev.orchard.server.licensing.AssignmentPolicyTests.uncovered;
import static dev.orchard.server.licensing.AssignmentPolicyTests.unusable;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.orchard.server.licensing.AssignmentPolicy.Case;
import dev.orchard.server.licensing.AssignmentPolicy.Skip;
import dev.orchard.server.licensing.WhyNot.Fix;

/** Every reason the policy gives for not assigning leads "Why not?" to the place where it is fixed. */
class WhyNotFixTests {

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("user-based on a device without a user", on(NO_USER, book(), List.of(pool(1, 1, "US", 5))), Fix.SET_OWNER),
                Arguments.of("no account holds the app", on(US_PHONE, app(), List.of()), Fix.BUY),
                Arguments.of("no license label covers the device", on(US_PHONE, app(), List.of(uncovered(1))), Fix.LICENSE_LABELS),
                Arguments.of("the only account cannot assign", on(US_PHONE, app(), List.of(unusable(1))), Fix.ACCOUNT),
                Arguments.of("an old device in another country", on(OLD_DE_PHONE, app(), List.of(pool(1, 1, "US", 5))), Fix.STORE),
                Arguments.of("not sold in the device's store", new Case(NEW_DE_PHONE, "ann", app(), List.of(pool(1, 1, "US", 5)),
                        List.of(), Map.of("DE", false), false), Fix.STORE),
                Arguments.of("the platform is not supported", on(US_PHONE, app(), List.of(macOnly(1))), Fix.NONE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void theFixMatchesTheReason(String name, Case c, Fix fix) {
        var decision = AssignmentPolicy.decide(c);
        assertThat(decision).isInstanceOf(Skip.class);
        assertThat(WhyNot.fixFor(((Skip) decision).reason())).as(((Skip) decision).reason()).isEqualTo(fix);
    }

    @ParameterizedTest
    @MethodSource("rules")
    void everyReclaimRuleIsSaidInWords(String code) {
        assertThat(WhyNot.rule(code)).doesNotStartWith("rule ");
    }

    static Stream<String> rules() {
        return Stream.of("R4a", "R4b", "R4c", "R4d");
    }
}
