package dev.orchard.apple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class STokenTests {

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesApplesDocumentedTokenShape() {
        String raw = b64("{\"token\":\"VFdwQmVV==\",\"expDate\":\"2030-11-08T22:33:22+0000\",\"orgName\":\"ORG12345\"}");

        SToken token = SToken.parse(raw);

        assertThat(token.expiresAt()).isEqualTo(Instant.parse("2030-11-08T22:33:22Z"));
        assertThat(token.orgName()).isEqualTo("ORG12345");
        assertThat(token.secret()).isEqualTo(raw);
    }

    @Test
    void acceptsTheLegacyOffsetFormAndPastedWhitespace() {
        String raw = b64("{\"token\":\"abc\",\"expDate\":\"2014-08-15T18:13:52-0700\",\"orgName\":\"ORG.2009071600\"}");

        SToken token = SToken.parse("  " + raw.substring(0, 10) + "\n" + raw.substring(10) + "\n");

        assertThat(token.expiresAt()).isEqualTo(Instant.parse("2014-08-16T01:13:52Z"));
        assertThat(token.secret()).isEqualTo(raw);
        assertThat(token.isExpiredAt(Instant.parse("2026-01-01T00:00:00Z"))).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|it is empty",
            "not base64 at all!|it is not Base64 text",
            "aGVsbG8gd29ybGQ=|its decoded content is not JSON",
            "WzEsMl0=|not a JSON object",
            "eyJleHBEYXRlIjoiMjAzMC0xMS0wOFQyMjozMzoyMiswMDAwIn0=|has no 'token' field",
            "eyJ0b2tlbiI6ImFiYyJ9|has no 'expDate' field",
            "eyJ0b2tlbiI6ImFiYyIsImV4cERhdGUiOiJ0b21vcnJvdyJ9|its 'expDate' is not a date"})
    void reportsWhatIsWrongWithAMalformedToken(String text, String reason) {
        assertThatThrownBy(() -> SToken.parse(text))
                .isInstanceOf(MalformedTokenException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void neverShowsTheSecretInItsTextForm() {
        SToken token = Fixtures.token();

        assertThat(token.toString()).doesNotContain(token.secret()).contains("ORG12345").contains(token.masked());
        assertThat(token.masked()).hasSize(5);
    }

    @Test
    void encodeProducesWhatParseReads() {
        String raw = SToken.encode("inner", Instant.parse("2031-01-02T03:04:05Z"), "Org");

        assertThat(SToken.parse(raw).expiresAt()).isEqualTo(Instant.parse("2031-01-02T03:04:05Z"));
        assertThat(new String(Base64.getDecoder().decode(raw), StandardCharsets.UTF_8))
                .contains("\"expDate\":\"2031-01-02T03:04:05+0000\"");
    }
}
