package dev.orchard.server.mdm.nano;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.dd.plist.NSDictionary;

/**
 * The double's webhook ({@code -webhook-url}, {@code -webhook-hmac-key}): one JSON POST per handled message, each from
 * its own thread, so events of one device arrive in any order; a failed post (refused, non-200) is logged and never
 * retried. The body has NanoMDM's shape: {@code topic}, {@code event_id}, {@code created_at} (nanoseconds),
 * {@code checkin_event} or {@code acknowledge_event} with {@code udid} / {@code enrollment_id} (only when the message
 * has them), {@code ids} ({@code id}, {@code type}, {@code parent_id} on user channels), {@code raw_payload},
 * {@code url_params}, {@code token_update_tally} (TokenUpdate only), {@code status} and {@code command_uuid} (reports;
 * none on Idle). Signed with {@code X-Hmac-Signature: base64(HMAC-SHA256(key, body))}.
 */
final class NanoMdmWebhook implements AutoCloseable {

    private final URI url;
    private final String key;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ExecutorService senders = Executors.newCachedThreadPool();
    private final AtomicInteger posted = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();

    NanoMdmWebhook(URI url, String key) {
        this.url = url;
        this.key = key;
    }

    void checkIn(String topic, NanoMdmEndpoint.Ids ids, NSDictionary m, byte[] raw, Map<String, String> params, Integer tally,
                 Instant at) {
        Map<String, Object> event = common(ids, m, raw, params);
        if (tally != null) {
            event.put("token_update_tally", tally);
        }
        send(topic, "checkin_event", event, at);
    }

    void report(NanoMdmEndpoint.Ids ids, NSDictionary m, byte[] raw, Map<String, String> params, String status, String uuid,
                Instant at) {
        Map<String, Object> event = common(ids, m, raw, params);
        event.put("status", status);
        if (uuid != null && !"Idle".equals(status)) {
            event.put("command_uuid", uuid);
        }
        send("mdm.Connect", "acknowledge_event", event, at);
    }

    int posted() {
        return posted.get();
    }

    /** Waits for every post started so far. */
    void await() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static Map<String, Object> common(NanoMdmEndpoint.Ids ids, NSDictionary m, byte[] raw, Map<String, String> params) {
        Map<String, Object> event = new LinkedHashMap<>();
        String udid = NanoMdmEndpoint.string(m, "UDID");
        String enrollmentId = NanoMdmEndpoint.string(m, "EnrollmentID");
        if (enrollmentId != null) {
            event.put("enrollment_id", enrollmentId);
        }
        if (udid != null) {
            event.put("udid", udid);
        }
        Map<String, Object> idMap = new LinkedHashMap<>();
        idMap.put("id", ids.id());
        if (ids.parentId() != null) {
            idMap.put("parent_id", ids.parentId());
        }
        idMap.put("type", ids.type());
        event.put("ids", idMap);
        event.put("raw_payload", Base64.getEncoder().encodeToString(raw));
        if (!params.isEmpty()) {
            event.put("url_params", params);
        }
        return event;
    }

    private void send(String topic, String field, Map<String, Object> event, Instant at) {
        if (url == null) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topic", topic);
        byte[] id = new byte[8];
        ThreadLocalRandom.current().nextBytes(id);
        body.put("event_id", HexFormat.of().formatHex(id));
        body.put("created_at", at.toString());
        body.put(field, event);
        byte[] bytes = NanoMdmDouble.JSON.writeValueAsBytes(body);
        inFlight.incrementAndGet();
        senders.execute(() -> {
            try {
                var request = HttpRequest.newBuilder(url).header("Content-Type", "application/json; charset=utf-8")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
                if (key != null) {
                    request.header("X-Hmac-Signature", Base64.getEncoder().encodeToString(hmac(key, bytes)));
                }
                http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            } catch (Exception e) {
                // NanoMDM only logs a failed post; it never tries again
            } finally {
                posted.incrementAndGet();
                inFlight.decrementAndGet();
            }
        });
    }

    static byte[] hmac(String key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        senders.shutdownNow();
    }
}
