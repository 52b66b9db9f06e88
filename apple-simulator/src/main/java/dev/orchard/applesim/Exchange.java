package dev.orchard.applesim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** One HTTP exchange as the simulator's handlers see it: method, path, query, body and a JSON answer. */
final class Exchange {

    private static final int MAX_BODY = 16 * 1024 * 1024;

    final HttpExchange http;
    final String method;
    final String path;
    final String rawQuery;
    final Map<String, String> query;
    int status;
    String uId;
    /** The serial numbers and clientUserIds an asset request names, for the request log. */
    java.util.List<String> subjects = java.util.List.of();
    /**
     * Run just before the answer goes out: the request log records the request then, so a client that has its
     * answer finds it in the log.
     */
    Runnable beforeAnswer = () -> { };

    Exchange(HttpExchange http) {
        this.http = http;
        this.method = http.getRequestMethod();
        this.path = http.getRequestURI().getPath();
        this.rawQuery = http.getRequestURI().getRawQuery();
        this.query = parseQuery(rawQuery);
    }

    String header(String name) {
        return http.getRequestHeaders().getFirst(name);
    }

    private byte[] body;

    /** The request body, read once and kept. */
    byte[] body() throws IOException {
        if (body != null) {
            return body;
        }
        try (InputStream in = http.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw AppleError.badRequest(9602, "request body too large");
            }
            body = bytes;
            return bytes;
        }
    }

    /** The body as a JSON object; Apple's 9602 when it is not one. */
    JsonNode json() throws IOException {
        byte[] bytes = body();
        try {
            JsonNode node = SimJson.MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw AppleError.badRequest(9602, "Invalid argument: the body must be a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw AppleError.badRequest(9602, "Invalid argument: the body is not valid JSON");
        }
    }

    void send(int status, JsonNode body) throws IOException {
        send(status, body, null);
    }

    void send(int status, JsonNode body, Integer retryAfterSeconds) throws IOException {
        this.status = status;
        byte[] bytes = SimJson.MAPPER.writeValueAsBytes(body);
        http.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        if (retryAfterSeconds != null) {
            http.getResponseHeaders().set("Retry-After", Integer.toString(retryAfterSeconds));
        }
        beforeAnswer.run();
        http.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = http.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** An answer that is not JSON (the artwork's PNG). */
    void send(int status, String contentType, byte[] bytes) throws IOException {
        this.status = status;
        http.getResponseHeaders().set("Content-Type", contentType);
        beforeAnswer.run();
        http.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = http.getResponseBody()) {
            out.write(bytes);
        }
    }

    void sendError(AppleError e) throws IOException {
        send(e.httpStatus, e.body(), e.retryAfterSeconds);
    }

    /** Closes the connection without an answer, as a dropped connection would. */
    void drop() {
        status = 0;
        http.close();
    }

    static Map<String, String> parseQuery(String raw) {
        var map = new LinkedHashMap<String, String>();
        if (raw == null || raw.isEmpty()) {
            return map;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            map.put(k, v);
        }
        return map;
    }
}
