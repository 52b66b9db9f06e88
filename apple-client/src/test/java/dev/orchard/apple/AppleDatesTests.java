package dev.orchard.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AppleDatesTests {

    @ParameterizedTest
    @CsvSource({
            "2030-11-08T22:33:22+0000, 2030-11-08T22:33:22Z",
            "2014-08-15T18:13:52-0700, 2014-08-16T01:13:52Z",
            "2030-11-08T22:33:22+01:00, 2030-11-08T21:33:22Z",
            "2030-11-08T22:33:22Z, 2030-11-08T22:33:22Z"})
    void parsesApplesFormsAndCommonVariants(String text, String expected) {
        assertThat(AppleDates.parse(text)).isEqualTo(Instant.parse(expected));
    }

    @Test
    void formatsLikeApple() {
        assertThat(AppleDates.format(Instant.parse("2030-11-08T22:33:22Z"))).isEqualTo("2030-11-08T22:33:22+0000");
    }

    @Test
    void optionalParsingToleratesAbsenceAndGarbage() {
        assertThat(AppleDates.parseOptional(null)).isEmpty();
        assertThat(AppleDates.parseOptional("soon")).isEmpty();
        assertThatThrownBy(() -> AppleDates.parse("soon")).hasMessageContaining("not an Apple date");
    }
}
