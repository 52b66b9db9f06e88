package dev.orchard.server.system;

/**
 * Checks of free-text fields at the edge, before anything is written: a length the database column takes and no
 * control characters (line breaks included: names end up in logs, CSV exports and one-line UI cells). A failure is an
 * {@link InvalidFieldException} naming the field, answered as a 400 problem.
 */
public final class Fields {

    /** A field that fails its check; the API answers 400 with {@code errors: [{field, message}]}. */
    public static final class InvalidFieldException extends IllegalArgumentException {
        private final String field;

        public InvalidFieldException(String field, String message) {
            super(field + ": " + message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    private Fields() {
    }

    /** An optional one-line text of at most {@code max} characters: stripped, blank means absent. */
    public static String optional(String field, String value, int max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        if (v.length() > max) {
            throw new InvalidFieldException(field, "at most " + max + " characters (got " + v.length() + ")");
        }
        if (v.chars().anyMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\uFEFF')) {
            throw new InvalidFieldException(field, "control characters and line breaks are not allowed");
        }
        return v;
    }

    /** A required one-line text of at most {@code max} characters. */
    public static String required(String field, String value, int max) {
        String v = optional(field, value, max);
        if (v == null) {
            throw new InvalidFieldException(field, "is required");
        }
        return v;
    }

    /** An optional value that must match {@code regex} entirely; {@code form} says what it should look like. */
    /** The patterns {@link #matching} was given, compiled once each (they are constants of the callers). */
    private static final java.util.Map<String, java.util.regex.Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    public static String matching(String field, String value, int max, String regex, String form) {
        String v = optional(field, value, max);
        if (v != null && !PATTERNS.computeIfAbsent(regex, java.util.regex.Pattern::compile).matcher(v).matches()) {
            throw new InvalidFieldException(field, "must be " + form);
        }
        return v;
    }

    /** A required URL of one of {@code schemes} with a host; {@code form} says what it should look like. */
    public static String url(String field, String value, int max, java.util.Set<String> schemes, String form) {
        String url = required(field, value, max);
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException(field, field + " is not a valid URL");
        }
        if (!schemes.contains(uri.getScheme()) || uri.getHost() == null) {
            throw new InvalidFieldException(field, field + " must be " + form);
        }
        return url;
    }

    /** A secret (API key, shared secret): at most {@code max} characters, no control characters; not stripped. */
    public static String secret(String field, String value, int max) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.length() > max) {
            throw new InvalidFieldException(field, "at most " + max + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidFieldException(field, "control characters are not allowed");
        }
        return value;
    }
}
