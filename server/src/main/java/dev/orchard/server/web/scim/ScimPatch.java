package dev.orchard.server.web.scim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

/**
 * The parts of a SCIM PATCH request (RFC 7644 §3.5.2) that identity providers send, read leniently the way they write
 * them: Entra ID capitalises the operation ("Replace") and sends booleans as strings ("False"); Okta replaces with a
 * value object and no path; group members are added as a list, removed by a filtered path
 * ({@code members[value eq "id"]}) or as a list, or replaced whole.
 */
final class ScimPatch {

    /** One operation: {@code op} lower-cased, {@code path} null when the value is an object of attributes. */
    record Operation(String op, String path, JsonNode value) {
    }

    private static final Pattern MEMBER_FILTER = Pattern.compile("members\\[\\s*value\\s+eq\\s+\"([^\"]*)\"\\s*]", Pattern.CASE_INSENSITIVE);

    private ScimPatch() {
    }

    static List<Operation> operations(JsonNode body) {
        JsonNode ops = body == null ? null : body.get("Operations");
        if (ops == null || !ops.isArray() || ops.isEmpty()) {
            throw new IllegalArgumentException("a PATCH needs Operations: [{op, path?, value?}]");
        }
        var out = new ArrayList<Operation>();
        for (JsonNode o : ops) {
            String op = o.hasNonNull("op") ? o.get("op").asString().strip().toLowerCase(Locale.ROOT) : "";
            if (!List.of("add", "replace", "remove").contains(op)) {
                throw new IllegalArgumentException("op must be add, replace or remove, not '" + op + "'");
            }
            out.add(new Operation(op, o.hasNonNull("path") ? o.get("path").asString().strip() : null, o.get("value")));
        }
        return out;
    }

    /** A boolean as providers send it: true/false, or "True"/"False". */
    static boolean bool(JsonNode v) {
        if (v != null && v.isBoolean()) {
            return v.asBoolean();
        }
        String s = v == null ? "" : v.asString().strip().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return s.equals("true");
        }
        throw new IllegalArgumentException("active must be true or false");
    }

    /** The member ids of a value: a list of {value} objects, or one. */
    static List<String> memberIds(JsonNode value) {
        var out = new ArrayList<String>();
        if (value == null || value.isNull()) {
            return out;
        }
        for (JsonNode m : value.isArray() ? value : List.of(value)) {
            if (!m.hasNonNull("value")) {
                throw new IllegalArgumentException("each member needs a value (the user's id)");
            }
            out.add(m.get("value").asString());
        }
        return out;
    }

    /** The user id named by a {@code members[value eq "id"]} path, or null for another path. */
    static String memberInPath(String path) {
        Matcher m = path == null ? null : MEMBER_FILTER.matcher(path);
        return m != null && m.matches() ? m.group(1) : null;
    }
}
