package dev.orchard.apple;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AppleApiExceptionTests {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);

    private static AppleApiException error(int status, String body, String retryAfter) {
        return ResponseBodies.error("assets", status, body.getBytes(StandardCharsets.UTF_8),
                Optional.ofNullable(retryAfter), CLOCK).orElseThrow();
    }

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource({
            "429, 9646, rateLimited",
            "503, 9729, rateLimited",
            "401, 9621, tokenExpired",
            "401, 9625, tokenRevoked",
            "401, 9622, invalidToken",
            "401, 9722, invalidToken",
            "400, 9709, notEnoughLicenses",
            "400, 9721, unknownVersion",
            "400, 9609, unknownUser",
            "400, 9707, notDeviceAssignable",
            "400, 9706, notRevocable",
            "400, 9644, maintenance",
            "400, 9650, badPageIndex",
            "500, 9603, serverError"})
    void namedPredicatesMatchTheirErrors(int status, int number, String predicate) {
        AppleApiException e = error(status, "{\"errorNumber\":" + number + ",\"errorMessage\":\"m\"}", null);

        assertThat(predicate(predicate).test(e)).isTrue();
        String[] all = {"rateLimited", "tokenExpired", "tokenRevoked", "invalidToken", "notEnoughLicenses",
                "unknownVersion", "unknownUser", "notDeviceAssignable", "notRevocable", "maintenance", "badPageIndex"};
        for (String other : all) {
            if (!other.equals(predicate) && !(predicate.equals("serverError"))) {
                assertThat(predicate(other).test(e)).as(other).isFalse();
            }
        }
        assertThat(e.errorNumber()).contains(number);
        assertThat(e.httpStatus()).isEqualTo(status);
    }

    private static Predicate<AppleApiException> predicate(String name) {
        return switch (name) {
            case "rateLimited" -> AppleApiException::isRateLimited;
            case "tokenExpired" -> AppleApiException::isTokenExpired;
            case "tokenRevoked" -> AppleApiException::isTokenRevoked;
            case "invalidToken" -> AppleApiException::isInvalidToken;
            case "notEnoughLicenses" -> AppleApiException::isNotEnoughLicenses;
            case "unknownVersion" -> AppleApiException::isUnknownVersion;
            case "unknownUser" -> AppleApiException::isUnknownUser;
            case "notDeviceAssignable" -> AppleApiException::isNotDeviceAssignable;
            case "notRevocable" -> AppleApiException::isNotRevocable;
            case "maintenance" -> AppleApiException::isMaintenance;
            case "badPageIndex" -> AppleApiException::isBadPageIndex;
            case "serverError" -> AppleApiException::isServerError;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Test
    void retryAfterInDeltaSecondsIsCountedFromTheClock() {
        AppleApiException e = error(503, "{\"errorNumber\":9729}", "120");

        assertThat(e.retryAt()).contains(Instant.parse("2026-11-28T10:02:00Z"));
        assertThat(e.isRateLimited()).isTrue();
    }

    @Test
    void retryAfterAsHttpDateIsTakenAsIs() {
        AppleApiException e = error(503, "{\"errorNumber\":9729}", "Sat, 28 Nov 2026 10:05:30 GMT");

        assertThat(e.retryAt()).contains(Instant.parse("2026-11-28T10:05:30Z"));
    }

    @Test
    void anUnreadableRetryAfterIsIgnored() {
        assertThat(error(503, "{}", "later, please").retryAt()).isEmpty();
    }

    @Test
    void aSuccessStatusWithAnErrorBodyIsAnError() {
        Optional<AppleApiException> e = ResponseBodies.error("assets", 200,
                "{\"errorNumber\":9622,\"errorMessage\":\"Invalid authentication token\"}".getBytes(StandardCharsets.UTF_8),
                Optional.empty(), CLOCK);

        assertThat(e).get().satisfies(x -> {
            assertThat(x.isInvalidToken()).isTrue();
            assertThat(x.httpStatus()).isEqualTo(200);
        });
    }

    @Test
    void aSuccessWithoutErrorNumberIsNoError() {
        assertThat(ResponseBodies.error("assets", 200, "{\"assets\":[]}".getBytes(StandardCharsets.UTF_8),
                Optional.empty(), CLOCK)).isEmpty();
    }

    @Test
    void unknownErrorNumbersAndErrorInfoAreKept() {
        AppleApiException e = error(400,
                "{\"errorNumber\":9999,\"errorMessage\":\"new\",\"errorInfo\":{\"clientUserIds\":[\"u1\"],\"serialNumbers\":[\"S1\"]}}",
                null);

        assertThat(e.errorNumber()).contains(9999);
        assertThat(e.errorInfo()).get().satisfies(i -> {
            assertThat(i.clientUserIds()).containsExactly("u1");
            assertThat(i.serialNumbers()).containsExactly("S1");
        });
        assertThat(e.isServerError()).isFalse();
    }

    @Test
    void aNonJsonBodyIsQuotedAtMostOneKibibyte() {
        String html = "<html>" + "x".repeat(5000) + "</html>";

        AppleApiException e = error(502, html, null);

        assertThat(e.errorNumber()).isEmpty();
        assertThat(e.getMessage()).contains("HTTP 502").hasSizeLessThan(1024 + 100);
    }

    @Test
    void theMessageNamesEndpointStatusAndNumber() {
        assertThat(error(429, "{\"errorNumber\":9646,\"errorMessage\":\"Too many\"}", "3").getMessage())
                .isEqualTo("assets: HTTP 429, Apple error 9646 (Too many), retry after 2026-11-28T10:00:03Z");
    }
}
