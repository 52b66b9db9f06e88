package dev.orchard.applesim;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayDeque;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The last requests the simulator served (bounded), for tests and for anyone watching a client's behaviour. */
final class RequestLog {

    /** {@code subjects}: the serial numbers and clientUserIds an asset request named (empty for other requests). */
    record Entry(Instant time, String method, String path, String query, int status, String uId, long millis,
                 java.util.List<String> subjects) {
    }

    private static final int CAPACITY = 200_000;

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final Settings settings;
    private final PrintStream out;

    RequestLog(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    void record(Entry e) {
        synchronized (this) {
            if (entries.size() == CAPACITY) {
                entries.pollFirst();
            }
            entries.addLast(e);
        }
        if (settings.logRequests && out != null) {
            out.println(e.time() + " " + e.method() + " " + e.path() + (e.query() == null ? "" : "?" + e.query())
                    + " " + e.status() + (e.uId() == null ? "" : " uId=" + e.uId()) + " " + e.millis() + "ms");
        }
    }

    synchronized void clear() {
        entries.clear();
    }

    synchronized ArrayNode describe(String uId, String path) {
        ArrayNode array = SimJson.MAPPER.createArrayNode();
        for (Entry e : entries) {
            if ((uId == null || uId.equals(e.uId())) && (path == null || e.path().contains(path))) {
                ObjectNode n = array.addObject();
                n.put("time", e.time().toString());
                n.put("method", e.method());
                n.put("path", e.path());
                n.put("query", e.query());
                n.put("status", e.status());
                n.put("uId", e.uId());
                if (!e.subjects().isEmpty()) {
                    e.subjects().forEach(n.putArray("subjects")::add);
                }
            }
        }
        return array;
    }
}
