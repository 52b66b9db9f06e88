package dev.orchard.applesim;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Delivers notifications as Apple does: POST JSON to the location's URL with
 * {@code Authorization: Bearer <notificationAuthToken>}, any 2xx counts, up to 3 attempts with the same
 * {@code notificationId}, best effort. Every attempt is kept in a bounded log for {@code GET /_sim/notifications}.
 */
final class Notifier {

    static final int MAX_ATTEMPTS = 3;
    private static final int LOG_CAPACITY = 20_000;

    private final Settings settings;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ArrayDeque<ObjectNode> log = new ArrayDeque<>();

    Notifier(Settings settings, ScheduledExecutorService executor, Clock clock) {
        this.settings = settings;
        this.executor = executor;
        this.clock = clock;
    }

    /** Sends a notification of this type if the location subscribed to it. */
    void send(Location loc, String type, ObjectNode payload) {
        String url = loc.notificationUrl;
        String token = loc.notificationAuthToken;
        if (url == null || token == null || !loc.notificationTypes.contains(type)) {
            return;
        }
        ObjectNode body = envelope(loc, type, payload);
        executor.execute(() -> attempt(url, token, body, 1));
        if (settings.duplicateNotifications) {
            executor.execute(() -> attempt(url, token, body, 1));
        }
    }

    /** The TEST_NOTIFICATION of a client-config update: one synchronous delivery; false when it failed. */
    boolean sendTest(Location loc, String url, String token) {
        return deliver(url, token, envelope(loc, "TEST_NOTIFICATION", SimJson.object()), 1);
    }

    private ObjectNode envelope(Location loc, String type, ObjectNode payload) {
        ObjectNode body = SimJson.object();
        body.set("notification", payload);
        body.put("notificationId", UUID.randomUUID().toString());
        body.put("notificationType", type);
        body.put("uId", loc.uId);
        return body;
    }

    private void attempt(String url, String token, ObjectNode body, int attempt) {
        if (!deliver(url, token, body, attempt) && attempt < MAX_ATTEMPTS) {
            long delay = settings.notificationRetryDelayMs * attempt;
            executor.schedule(() -> attempt(url, token, body, attempt + 1), delay, TimeUnit.MILLISECONDS);
        }
    }

    private boolean deliver(String url, String token, ObjectNode body, int attempt) {
        int status;
        String error = null;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build();
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | IllegalArgumentException e) {
            status = 0;
            error = e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 0;
            error = "interrupted";
        }
        boolean delivered = status >= 200 && status < 300;
        ObjectNode entry = SimJson.object();
        entry.put("time", clock.instant().toString());
        entry.put("url", url);
        entry.put("attempt", attempt);
        entry.put("status", status);
        entry.put("delivered", delivered);
        entry.put("error", error);
        entry.set("body", body);
        synchronized (log) {
            if (log.size() == LOG_CAPACITY) {
                log.pollFirst();
            }
            log.addLast(entry);
        }
        return delivered;
    }

    ArrayNode describe(String uId, String type) {
        ArrayNode array = SimJson.MAPPER.createArrayNode();
        synchronized (log) {
            for (ObjectNode e : log) {
                ObjectNode body = (ObjectNode) e.get("body");
                if ((uId == null || uId.equals(body.get("uId").asString()))
                        && (type == null || type.equals(body.get("notificationType").asString()))) {
                    array.add(e);
                }
            }
        }
        return array;
    }

    void clear() {
        synchronized (log) {
            log.clear();
        }
    }
}
