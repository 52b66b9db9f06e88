package dev.orchard.apple;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * An Apple content token ("sToken", the text of a {@code .vpptoken} file): Base64 of a JSON object with
 * {@code token}, {@code expDate} and {@code orgName}. The whole Base64 text, not the inner {@code token}, is
 * the HTTP credential ({@code Authorization: Bearer <sToken>}).
 *
 * <p>{@link #toString()} is masked so a token cannot leak into a log line or an exception message by accident.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/getting-started-with-the-management-api">Apple: Getting started</a>
 */
public final class SToken {

    private final String raw;
    private final Instant expiresAt;
    private final String orgName;

    private SToken(String raw, Instant expiresAt, String orgName) {
        this.raw = raw;
        this.expiresAt = expiresAt;
        this.orgName = orgName;
    }

    /**
     * Parses a token as downloaded from Apple School Manager or Apple Business. Surrounding whitespace and line
     * breaks (common when a file is pasted) are removed.
     *
     * @throws MalformedTokenException when the text is not Base64 of a JSON object with {@code token} and
     *                                 a readable {@code expDate}
     */
    public static SToken parse(String text) {
        if (text == null || text.isBlank()) {
            throw new MalformedTokenException("it is empty");
        }
        String raw = text.strip().replaceAll("\\s+", "");
        byte[] json;
        try {
            json = Base64.getDecoder().decode(raw);
        } catch (IllegalArgumentException e) {
            throw new MalformedTokenException("it is not Base64 text");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new MalformedTokenException("its decoded content is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new MalformedTokenException("its decoded content is not a JSON object");
        }
        String inner = text(node, "token");
        if (inner == null || inner.isBlank()) {
            throw new MalformedTokenException("it has no 'token' field");
        }
        String exp = text(node, "expDate");
        if (exp == null) {
            throw new MalformedTokenException("it has no 'expDate' field");
        }
        Instant expiresAt;
        try {
            expiresAt = AppleDates.parse(exp);
        } catch (IllegalArgumentException e) {
            throw new MalformedTokenException("its 'expDate' is not a date");
        }
        return new SToken(raw, expiresAt, Objects.requireNonNullElse(text(node, "orgName"), ""));
    }

    /** Builds a token in Apple's format; used by tests and simulators, never for real Apple credentials. */
    public static String encode(String innerToken, Instant expiresAt, String orgName) {
        var node = Json.MAPPER.createObjectNode()
                .put("token", innerToken)
                .put("expDate", AppleDates.format(expiresAt))
                .put("orgName", orgName);
        return Base64.getEncoder().encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    /** The whole token text, for the {@code Authorization} header and for encrypted storage only. */
    public String secret() {
        return raw;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    public String orgName() {
        return orgName;
    }

    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** A form safe to show: the last four characters only. */
    public String masked() {
        return "…" + raw.substring(Math.max(0, raw.length() - 4));
    }

    /** A short, stable fingerprint (first 8 hex digits of SHA-256) to tell tokens apart without revealing them. */
    public String fingerprint() {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SToken other && raw.equals(other.raw);
    }

    @Override
    public int hashCode() {
        return raw.hashCode();
    }

    @Override
    public String toString() {
        return "SToken[org=" + orgName + ", expires=" + AppleDates.format(expiresAt) + ", " + masked() + "]";
    }
}
