package dev.orchard.apple;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

import tools.jackson.core.JacksonException;

/**
 * HTTP plumbing shared by the clients: sends one request, returns the body or throws the classified error. No
 * retries and no sleeping here; the caller owns that policy.
 */
final class Transport {

    private static final System.Logger LOG = System.getLogger(Transport.class.getName());

    private final HttpClient http;
    private final Duration requestTimeout;
    private final String userAgent;
    private final Clock clock;

    Transport(HttpClient http, Duration requestTimeout, String userAgent, Clock clock) {
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.userAgent = userAgent;
        this.clock = clock;
    }

    Clock clock() {
        return clock;
    }

    HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(requestTimeout)
                .header("User-Agent", userAgent)
                .header("Accept", "application/json");
    }

    HttpRequest.BodyPublisher json(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("request body cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Sends the request and returns the body of a successful answer; Apple errors become exceptions. */
    byte[] send(String endpoint, HttpRequest request) {
        long started = System.nanoTime();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new AppleTransportException(endpoint, "timed out after " + requestTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new AppleTransportException(endpoint, "connection failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + ResponseBodies.cap(e.getMessage())), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AppleTransportException(endpoint, "interrupted", e);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        var failure = ResponseBodies.error(endpoint, response.statusCode(), response.body(),
                response.headers().firstValue("Retry-After"), clock);
        LOG.log(System.Logger.Level.DEBUG, () -> request.method() + " " + endpoint + " -> " + response.statusCode()
                + failure.map(f -> " " + f.errorNumber().map(String::valueOf).orElse("")).orElse("") + " in " + millis + " ms");
        if (failure.isPresent()) {
            throw failure.get();
        }
        return response.body();
    }

    <T> T read(String endpoint, byte[] body, Class<T> type) {
        try {
            return Json.MAPPER.readValue(body, type);
        } catch (JacksonException e) {
            throw new AppleTransportException(endpoint, "unreadable response: " + ResponseBodies.cap(e.getOriginalMessage()), e);
        }
    }

    static URI withQuery(URI base, Map<String, String> parameters) {
        if (parameters.isEmpty()) {
            return base;
        }
        var joiner = new StringJoiner("&");
        parameters.forEach((k, v) -> joiner.add(encode(k) + "=" + encode(v)));
        String s = base.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + joiner);
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
