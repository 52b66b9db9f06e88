package dev.orchard.applesim;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Injected faults: the next {@code count} requests matching a location and/or path fail as told (an HTTP error
 * with Apple's body and optional Retry-After, a 200 with an error body, a slow answer, a dropped connection; or,
 * after acting on the request, an answer that comes late or never), or
 * the next {@code count} events of a location fail asynchronously with an error number (for example 9644).
 */
final class Faults {

    /** One rule; {@code remaining} counts down to zero. */
    static final class Fault {
        final String uId;
        final String path;
        final Integer status;
        final Integer errorNumber;
        final String errorMessage;
        final Integer retryAfterSeconds;
        final long delayMs;
        final boolean drop;
        /** Acts on the request, then answers only after this long (an answer that travels slowly). */
        final long answerDelayMs;
        /** Acts on the request, then drops the connection (an answer lost on its way back). */
        final boolean dropAnswer;
        final Integer asyncErrorNumber;
        final String query;
        int remaining;

        Fault(ObjectNode spec) {
            uId = text(spec, "uId");
            String p = text(spec, "path");
            path = p == null ? null : p.replaceFirst("^/?(mdm/v2/)?", "");
            status = integer(spec, "status");
            errorNumber = integer(spec, "errorNumber");
            errorMessage = text(spec, "errorMessage");
            retryAfterSeconds = integer(spec, "retryAfterSeconds");
            Integer delay = integer(spec, "delayMs");
            delayMs = delay == null ? 0 : delay;
            drop = spec.has("drop") && spec.get("drop").asBoolean();
            Integer answerDelay = integer(spec, "answerDelayMs");
            answerDelayMs = answerDelay == null ? 0 : answerDelay;
            dropAnswer = spec.has("dropAnswer") && spec.get("dropAnswer").asBoolean();
            asyncErrorNumber = integer(spec, "asyncErrorNumber");
            query = text(spec, "query");
            Integer count = integer(spec, "count");
            remaining = count == null ? 1 : count;
            if (status == null && errorNumber == null && delayMs == 0 && !drop && answerDelayMs == 0 && !dropAnswer
                    && asyncErrorNumber == null) {
                throw new IllegalArgumentException("a fault needs status, errorNumber, delayMs, drop, answerDelayMs, dropAnswer "
                        + "or asyncErrorNumber");
            }
            if (remaining < 1) {
                throw new IllegalArgumentException("count must be at least 1");
            }
        }

        boolean matches(String uId, String path, String rawQuery) {
            return (this.uId == null || this.uId.equals(uId)) && (this.path == null || this.path.equals(path))
                    && (query == null || (rawQuery != null && ("&" + rawQuery + "&").contains("&" + query + "&")));
        }

        int httpStatus() {
            if (status != null) {
                return status;
            }
            return errorNumber == null ? 200 : ErrorCatalog.httpStatus(errorNumber);
        }

        ObjectNode describe() {
            ObjectNode n = SimJson.object();
            n.put("uId", uId);
            n.put("path", path);
            n.put("query", query);
            n.put("status", status);
            n.put("errorNumber", errorNumber);
            n.put("retryAfterSeconds", retryAfterSeconds);
            n.put("delayMs", delayMs);
            n.put("drop", drop);
            n.put("answerDelayMs", answerDelayMs);
            n.put("dropAnswer", dropAnswer);
            n.put("asyncErrorNumber", asyncErrorNumber);
            n.put("remaining", remaining);
            return n;
        }

        private static String text(ObjectNode n, String f) {
            return n.hasNonNull(f) ? n.get(f).asString() : null;
        }

        private static Integer integer(ObjectNode n, String f) {
            return n.hasNonNull(f) ? n.get(f).asInt() : null;
        }
    }

    private final List<Fault> rules = new ArrayList<>();

    synchronized void add(Fault fault) {
        rules.add(fault);
    }

    synchronized void clear() {
        rules.clear();
    }

    /** The request fault to apply now, consuming one use of it. */
    synchronized Fault takeRequestFault(String uId, String path, String rawQuery) {
        return take(f -> f.asyncErrorNumber == null && f.matches(uId, path, rawQuery));
    }

    /** The asynchronous error number the next event of this location must fail with, if any. */
    /** An asynchronous failure for the next event of this location submitted through {@code path} (if the fault names one). */
    synchronized Integer takeEventFault(String uId, String path) {
        Fault f = take(x -> x.asyncErrorNumber != null && (x.uId == null || x.uId.equals(uId))
                && (x.path == null || x.path.equals(path)));
        return f == null ? null : f.asyncErrorNumber;
    }

    private Fault take(java.util.function.Predicate<Fault> test) {
        for (Iterator<Fault> it = rules.iterator(); it.hasNext(); ) {
            Fault f = it.next();
            if (test.test(f)) {
                if (--f.remaining == 0) {
                    it.remove();
                }
                return f;
            }
        }
        return null;
    }

    synchronized ArrayNode describe() {
        ArrayNode array = SimJson.MAPPER.createArrayNode();
        rules.forEach(f -> array.add(f.describe()));
        return array;
    }
}
