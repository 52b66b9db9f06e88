package dev.orchard.server.mdm.nano;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.dd.plist.NSDictionary;
import com.dd.plist.PropertyListParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.json.JsonMapper;

/**
 * A test double of NanoMDM (v0.9.0-14-g1d5fcf4) that behaves as the real server was seen to behave, on loopback:
 * {@code PUT /mdm} with the device's identity ({@code Mdm-Signature} CMS, or a certificate header), a queue per
 * enrollment, {@code PUT /v1/enqueue/ID,…} and {@code GET /v1/push/ID,…} with HTTP Basic {@code nanomdm:<key>},
 * {@code GET /version}, and webhook events posted concurrently, in no order, never retried. The storage personality
 * ({@link Storage}) gives the error texts and the whole-batch foreign-key failure of PostgreSQL. Without a
 * push certificate (the usual lab set-up, and the default here) every enqueue that queued a command for an id with a
 * push token answers 500 with a top-level {@code push_error}, the command queued all the same. With one, a push
 * "succeeds" and wakes the emulated device (nothing leaves the machine).
 */
public final class NanoMdmDouble implements AutoCloseable {

    public static final String VERSION = "v0.9.0-14-g1d5fcf4";

    /** The storage backend the double plays: the key-value stores ({@code filekv}, {@code inmem}) or {@code pgsql}. */
    public enum Storage { FILEKV, PGSQL }
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** How the double is run: its flags. */
    public record Options(String apiKey, Storage storage, X509Certificate ca, String certHeader,
                          URI webhookUrl, String webhookHmacKey, boolean pushCertificate, boolean deleteWhenDone) {
        public Options withWebhook(URI url, String hmacKey) {
            return new Options(apiKey, storage, ca, certHeader, url, hmacKey, pushCertificate, deleteWhenDone);
        }

        public Options withPushCertificate() {
            return new Options(apiKey, storage, ca, certHeader, webhookUrl, webhookHmacKey, true, deleteWhenDone);
        }

        public Options withCertHeader(String name) {
            return new Options(apiKey, storage, ca, name, webhookUrl, webhookHmacKey, pushCertificate, deleteWhenDone);
        }
    }

    public static Options options(String apiKey, Storage storage, X509Certificate ca) {
        return new Options(apiKey, storage, ca, null, null, null, false, false);
    }

    private final Options options;
    private final NanoMdmStore store;
    private volatile HttpServer server;
    private volatile int port;
    private final ExecutorService handlers = Executors.newFixedThreadPool(8);
    private final ExecutorService pushes = Executors.newFixedThreadPool(16);
    private volatile int pauseAfter = Integer.MAX_VALUE;
    private volatile java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(0);
    private final NanoMdmWebhook webhook;
    private final AtomicInteger enqueues = new AtomicInteger();
    private final List<String> enqueueUuids = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> enqueuesByType = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Consumer<String>> pushListeners = new java.util.concurrent.ConcurrentHashMap<>();

    private NanoMdmDouble(Options options) throws IOException {
        this.options = options;
        this.store = new NanoMdmStore(options.storage(), options.deleteWhenDone());
        this.webhook = new NanoMdmWebhook(options.webhookUrl(), options.webhookHmacKey());
        up();
    }

    /** Starts listening (again, on the same port after {@link #down}); what it stored is kept. */
    public void up() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 200);
            s.setExecutor(handlers);
            s.createContext("/version", this::version);
            s.createContext("/mdm", ex -> new NanoMdmEndpoint(this).handle(ex));
            s.createContext("/v1/enqueue/", this::enqueue);
            s.createContext("/v1/push/", this::push);
            s.start();
            server = s;
            port = s.getAddress().getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops listening: connections are refused, as of a crashed server. */
    public void down() {
        server.stop(0);
    }

    /**
     * Enqueue requests after the first {@code n} wait until {@link #resumeEnqueues}: they are taken and then handled
     * late, as by a server that is slow while its client gives up or crashes.
     */
    public void pauseEnqueuesAfter(int n) {
        paused = new java.util.concurrent.CountDownLatch(1);
        pauseAfter = n;
    }

    public void resumeEnqueues() {
        pauseAfter = Integer.MAX_VALUE;
        paused.countDown();
    }

    public static NanoMdmDouble start(Options options) {
        try {
            return new NanoMdmDouble(options);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public URI mdmUrl() {
        return URI.create(url() + "/mdm");
    }

    /** Enqueue requests answered so far. */
    public int enqueueRequests() {
        return enqueues.get();
    }

    /** The CommandUUID of every enqueue request, in order (a UUID twice means a resend). */
    public List<String> enqueueUuids() {
        synchronized (enqueueUuids) {
            return List.copyOf(enqueueUuids);
        }
    }

    /** Enqueue requests answered so far for one RequestType. */
    public int enqueueRequests(String requestType) {
        AtomicInteger n = enqueuesByType.get(requestType);
        return n == null ? 0 : n.get();
    }

    public List<String> queued(String enrollmentId) {
        return store.queued(enrollmentId);
    }

    public boolean holds(String uuid) {
        return store.holds(uuid);
    }

    /** Webhook events posted (each exactly once, whatever the answer). */
    public int eventsPosted() {
        return webhook.posted();
    }

    /** Called with the enrollment id when a push reaches it (only with a push certificate). */
    public void onPush(String enrollmentId, Consumer<String> listener) {
        pushListeners.put(enrollmentId, listener);
    }

    /** Waits until every webhook event posted so far has been answered. */
    public void awaitEvents() {
        webhook.await();
    }

    Options options() {
        return options;
    }

    NanoMdmStore store() {
        return store;
    }

    NanoMdmWebhook webhook() {
        return webhook;
    }

    private void version(HttpExchange ex) throws IOException {
        json(ex, 200, Map.of("version", VERSION));
    }

    private boolean authorized(HttpExchange ex) throws IOException {
        String expected = "Basic " + Base64.getEncoder().encodeToString(("nanomdm:" + options.apiKey()).getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders().set("Www-Authenticate", "Basic realm=\"nanomdm\"");
            text(ex, 401, "Unauthorized");
            return false;
        }
        return true;
    }

    private static List<String> ids(HttpExchange ex, String prefix) {
        String raw = ex.getRequestURI().getRawPath().substring(prefix.length());
        List<String> ids = new ArrayList<>();
        for (String part : raw.split(",")) {
            if (!part.isEmpty()) {
                ids.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
            }
        }
        return ids;
    }

    private void enqueue(HttpExchange ex) throws IOException {
        if (!authorized(ex)) {
            return;
        }
        if (!"PUT".equals(ex.getRequestMethod()) && !"POST".equals(ex.getRequestMethod())) {
            text(ex, 405, "Method Not Allowed");
            return;
        }
        List<String> ids = ids(ex, "/v1/enqueue/");
        byte[] body = ex.getRequestBody().readAllBytes();
        if (enqueues.get() >= pauseAfter) {
            try {
                paused.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean noPush = "1".equals(query(ex).get("nopush"));
        Map<String, Object> result = new LinkedHashMap<>();
        if (body.length > 0) {
            String uuid;
            String type;
            try {
                NSDictionary root = (NSDictionary) PropertyListParser.parse(body);
                uuid = root.get("CommandUUID").toJavaObject().toString();
                type = ((NSDictionary) root.get("Command")).get("RequestType").toJavaObject().toString();
            } catch (Exception e) {
                text(ex, 500, "decoding command: " + e.getMessage());
                return;
            }
            enqueues.incrementAndGet();
            enqueueUuids.add(uuid);
            enqueuesByType.computeIfAbsent(type, k -> new AtomicInteger()).incrementAndGet();
            result.put("command_uuid", uuid);
            result.put("request_type", type);
            String error = store.enqueue(uuid, body, ids);
            if (error != null) {
                result.put("command_error", error);
                json(ex, 500, result);
                return;
            }
        } else if (noPush) {
            text(ex, 500, "must enqueue or push");
            return;
        }
        if (noPush) {
            result.put("no_push", true);
        } else {
            pushTo(ids, result);
        }
        json(ex, code(result, ids.size()), result);
    }

    private void push(HttpExchange ex) throws IOException {
        if (!authorized(ex)) {
            return;
        }
        List<String> ids = ids(ex, "/v1/push/");
        Map<String, Object> result = new LinkedHashMap<>();
        pushTo(ids, result);
        json(ex, code(result, ids.size()), result);
    }

    /** NanoMDM's push: per-id errors for ids without push info, a top-level error when the topic has no certificate. */
    private void pushTo(List<String> ids, Map<String, Object> result) {
        Map<String, Map<String, String>> status = new LinkedHashMap<>();
        List<String> withToken = new ArrayList<>();
        String topic = null;
        for (String id : ids) {
            String t = store.topicOf(id);
            if (t == null) {
                status.put(id, Map.of("push_error", "push data missing for id"));
            } else {
                withToken.add(id);
                topic = t;
            }
        }
        if (!withToken.isEmpty()) {
            if (!options.pushCertificate()) {
                result.put("push_error", options.storage() == Storage.PGSQL
                        ? "retrieving push cert for topic \"" + topic + "\": sql: no rows in result set"
                        : "retrieving push cert for topic \"" + topic + "\": getting " + topic + ".pem: key not found: " + topic + ".pem");
            } else {
                for (String id : withToken) {
                    status.put(id, Map.of("push_result", java.util.UUID.randomUUID().toString().toUpperCase()));
                    Consumer<String> listener = pushListeners.get(id);
                    if (listener != null) {
                        pushes.execute(() -> listener.accept(id));
                    }
                }
            }
        }
        if (!status.isEmpty()) {
            result.put("status", status);
        }
    }

    /** NanoMDM's status code: 500 on a top-level error or when every id failed, 207 when some did, else 200. */
    @SuppressWarnings("unchecked")
    private static int code(Map<String, Object> result, int ids) {
        if (result.containsKey("push_error") || result.containsKey("command_error")) {
            return 500;
        }
        Map<String, Map<String, String>> status = (Map<String, Map<String, String>>) result.getOrDefault("status", Map.of());
        long errors = status.values().stream().filter(s -> s.containsKey("push_error") || s.containsKey("command_error")).count();
        return errors == 0 ? 200 : errors >= ids ? 500 : 207;
    }

    static Map<String, String> query(HttpExchange ex) {
        Map<String, String> q = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                q.put(URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void json(HttpExchange ex, int code, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    static void text(HttpExchange ex, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
        pushes.shutdownNow();
        webhook.close();
    }
}
