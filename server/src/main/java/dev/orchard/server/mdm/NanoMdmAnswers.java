package dev.orchard.server.mdm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.orchard.server.mdm.CommandDelivery.Outcome;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Reads NanoMDM's answer to {@code PUT /v1/enqueue/…} (and {@code GET /v1/push/…}) into one outcome per channel, as
 * the real server answers (see the README's table "NanoMDM answer → command state"). Facts it relies on, observed on
 * NanoMDM v0.9 with file and PostgreSQL storage:
 * <ul>
 * <li>Enqueueing is all or nothing per request: the command and its queue entries are written in one transaction.</li>
 * <li>A UUID is stored once per server: a second enqueue of it is refused with a top-level {@code command_error}
 *     ({@code command already exists: …} on the key-value stores, {@code duplicate key …} on PostgreSQL,
 *     {@code Duplicate entry …} on MySQL). So for a resend of a request whose outcome was unknown it means the first
 *     one got through, for every channel it named; for a new UUID it means someone else used it.</li>
 * <li>A failed push is not a failed enqueue: 500 with a top-level {@code push_error} and no {@code command_error}
 *     (no push certificate), or a per-id {@code push_error} (no push token yet), both with the command queued.</li>
 * <li>On SQL storage one channel NanoMDM has no enrollment for fails the whole request (foreign key): the request
 *     must be split to find it.</li>
 * </ul>
 */
final class NanoMdmAnswers {

    private static final int MAX_LOGGED = 1024;

    private NanoMdmAnswers() {
    }

    static Map<String, Outcome> enqueued(int status, String body, List<String> ids, boolean resend, ObjectMapper json) {
        if (status == 401 || status == 403) {
            return all(ids, Outcome.refused("NanoMDM refused the API key (" + status + "); check the server's apiKey"));
        }
        JsonNode answer = parse(body, json);
        if (answer == null || !(status == 200 || status == 207 || status == 500)) {
            String what = "NanoMDM answered " + status + (body == null || body.isBlank() ? "" : ": " + capped(body));
            // a 5xx without NanoMDM's JSON may come from a proxy after NanoMDM did the work: ask again the same way
            return all(ids, status >= 500 ? Outcome.unknown(what) : Outcome.refused(what));
        }
        String commandError = text(answer, "command_error");
        if (commandError != null) {
            return commandRefused(commandError, ids, resend);
        }
        String pushError = text(answer, "push_error");
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        for (String id : ids) {
            JsonNode one = answer.path("status").path(id);
            String error = text(one, "command_error");
            String push = text(one, "push_error");
            if (error != null) {
                outcomes.put(id, Outcome.refused("NanoMDM: " + error));
            } else {
                outcomes.put(id, Outcome.taken(push != null ? push : pushError));
            }
        }
        return outcomes;
    }

    private static Map<String, Outcome> commandRefused(String error, List<String> ids, boolean resend) {
        if (alreadyExists(error)) {
            return all(ids, resend ? Outcome.taken(null)
                    : Outcome.refused("NanoMDM already holds this command UUID (" + error + "); a new request gets a new UUID"));
        }
        String why = foreignKey(error) ? "NanoMDM has no enrollment for this id (never enrolled, or removed): " + error
                : "NanoMDM: " + error;
        return all(ids, ids.size() > 1 ? Outcome.split(why) : Outcome.refused(why));
    }

    /** {@code GET /v1/push/…}: per channel, null when the push went out, else the reason. */
    static Map<String, String> pushed(int status, String body, List<String> ids, ObjectMapper json) {
        JsonNode answer = parse(body, json);
        Map<String, String> result = new LinkedHashMap<>();
        String top = answer == null ? "NanoMDM answered " + status + ": " + capped(body) : text(answer, "push_error");
        for (String id : ids) {
            String one = answer == null ? null : text(answer.path("status").path(id), "push_error");
            result.put(id, one != null ? one : top != null ? top : status == 200 || status == 207 ? null : "NanoMDM answered " + status);
        }
        return result;
    }

    static boolean alreadyExists(String error) {
        String e = error.toLowerCase(Locale.ROOT);
        return e.contains("already exists") || e.contains("duplicate key") || e.contains("duplicate entry");
    }

    static boolean foreignKey(String error) {
        return error.toLowerCase(Locale.ROOT).contains("foreign key");
    }

    static Map<String, Outcome> all(List<String> ids, Outcome outcome) {
        Map<String, Outcome> map = new LinkedHashMap<>();
        ids.forEach(id -> map.put(id, outcome));
        return map;
    }

    static String capped(String body) {
        return body == null ? "" : body.length() <= MAX_LOGGED ? body : body.substring(0, MAX_LOGGED) + "…";
    }

    private static JsonNode parse(String body, ObjectMapper json) {
        try {
            JsonNode node = body == null || body.isBlank() ? null : json.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isString() && !v.asString().isBlank() ? v.asString() : null;
    }
}
