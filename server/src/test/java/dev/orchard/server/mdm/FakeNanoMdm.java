package dev.orchard.server.mdm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.dd.plist.NSDictionary;
import com.dd.plist.NSObject;
import com.dd.plist.PropertyListParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.json.JsonMapper;

/**
 * A loopback stand-in for NanoMDM that follows its documented API: {@code PUT /v1/enqueue/{id,id,…}} with HTTP Basic
 * {@code nanomdm:<key>} (401 otherwise) and an XML command plist; answers 200, 207 or 500 with the per-id
 * {@code status} map ({@code command_error} for an id it has no enrolment for). It can be taken down (connection
 * refused) and brought back. It also plays the devices' side: check-ins and command reports are posted to Orchard's
 * webhook as NanoMDM does, with {@code raw_payload} base64 plists and an {@code X-Hmac-Signature}.
 */
public final class FakeNanoMdm implements AutoCloseable {

    /** A command as a device would fetch it. */
    public record Queued(String enrollmentId, String uuid, String requestType, NSDictionary command) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String apiKey;
    private final Set<String> enrollments = ConcurrentHashMap.newKeySet();
    private final List<Queued> queued = new CopyOnWriteArrayList<>();
    private final Map<String, Set<String>> seen = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private volatile HttpServer server;
    private volatile int port;
    private volatile int requests;

    public FakeNanoMdm(String apiKey) {
        this.apiKey = apiKey;
        up();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public void enroll(String enrollmentId) {
        enrollments.add(enrollmentId);
    }

    public List<Queued> queued(String enrollmentId) {
        return queued.stream().filter(q -> q.enrollmentId().equals(enrollmentId)).toList();
    }

    public List<Queued> queued(String enrollmentId, String requestType) {
        return queued(enrollmentId).stream().filter(q -> q.requestType().equals(requestType)).toList();
    }

    public int requests() {
        return requests;
    }

    /** Connection refused from now on (same port when it comes back). */
    public void down() {
        server.stop(0);
    }

    public void up() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/v1/enqueue/", this::enqueue);
        server.start();
        port = server.getAddress().getPort();
    }

    private void enqueue(HttpExchange ex) throws IOException {
        requests++;
        String expected = "Basic " + Base64.getEncoder().encodeToString(("nanomdm:" + apiKey).getBytes(StandardCharsets.UTF_8));
        if (!"PUT".equals(ex.getRequestMethod()) || !expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.sendResponseHeaders(401, -1);
            ex.close();
            return;
        }
        String ids = ex.getRequestURI().getRawPath().substring("/v1/enqueue/".length());
        NSDictionary root;
        try {
            root = (NSDictionary) PropertyListParser.parse(ex.getRequestBody().readAllBytes());
        } catch (Exception e) {
            ex.sendResponseHeaders(500, -1);
            ex.close();
            return;
        }
        String uuid = root.get("CommandUUID").toJavaObject().toString();
        NSDictionary command = (NSDictionary) root.get("Command");
        String type = command.get("RequestType").toJavaObject().toString();
        Map<String, Object> status = new LinkedHashMap<>();
        int failed = 0;
        List<String> list = new ArrayList<>();
        for (String raw : ids.split(",")) {
            list.add(URLDecoder.decode(raw, StandardCharsets.UTF_8));
        }
        for (String id : list) {
            if (!enrollments.contains(id)) {
                status.put(id, Map.of("command_error", "enrollment not found: " + id));
                failed++;
            } else {
                if (seen.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(uuid)) {
                    queued.add(new Queued(id, uuid, type, command));
                }
                status.put(id, Map.of("push_result", "push-" + id));
            }
        }
        int code = failed == 0 ? 200 : failed == list.size() ? 500 : 207;
        byte[] body = JSON.writeValueAsBytes(Map.of("status", status, "command_uuid", uuid, "request_type", type));
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    // --- the devices' side: webhook events to Orchard

    /** Posts a check-in; returns Orchard's HTTP status. */
    public int checkIn(URI webhook, String secret, String topic, String udid, String enrollmentId, Map<String, Object> message) {
        var event = new LinkedHashMap<String, Object>();
        event.put("topic", topic);
        event.put("created_at", "2026-11-28T10:00:00Z");
        var checkin = new LinkedHashMap<String, Object>();
        checkin.put("udid", udid);
        if (enrollmentId != null) {
            checkin.put("enrollment_id", enrollmentId);
        }
        checkin.put("raw_payload", base64Plist(message));
        event.put("checkin_event", checkin);
        return post(webhook, secret, JSON.writeValueAsBytes(event));
    }

    /** Posts a command report (mdm.Connect); returns Orchard's HTTP status. */
    public int report(URI webhook, String secret, String udid, String uuid, String status, Map<String, Object> fields) {
        var payload = new LinkedHashMap<String, Object>(fields);
        payload.put("CommandUUID", uuid);
        payload.put("Status", status);
        payload.put("UDID", udid);
        var ack = new LinkedHashMap<String, Object>();
        ack.put("udid", udid);
        ack.put("enrollment_id", udid);
        ack.put("command_uuid", uuid);
        ack.put("status", status);
        ack.put("raw_payload", base64Plist(payload));
        return post(webhook, secret, JSON.writeValueAsBytes(Map.of("topic", "mdm.Connect", "created_at",
                "2026-11-28T10:00:00Z", "acknowledge_event", ack)));
    }

    public int post(URI webhook, String secret, byte[] body) {
        var request = HttpRequest.newBuilder(webhook).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) {
            request.header("X-Hmac-Signature", Base64.getEncoder().encodeToString(MdmServerService.hmac(secret, body)));
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String base64Plist(Map<String, Object> values) {
        NSObject plist = NSObject.fromJavaObject(values);
        return Base64.getEncoder().encodeToString(plist.toXMLPropertyList().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
