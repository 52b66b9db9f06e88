package dev.orchard.applesim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;

/** A plain HTTP caller for driving the simulator the way any client would, without Orchard's client library. */
final class SimHttp {

    record Response(int status, JsonNode body, HttpResponse<String> raw) {
        int errorNumber() {
            return body.path("errorNumber").asInt(-1);
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    SimHttp(URI base) {
        this.base = base;
    }

    Response get(String path, String token) {
        var b = HttpRequest.newBuilder(base.resolve(path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    Response post(String path, String token, String json) {
        var b = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isEmpty() ? SimJson.object() : SimJson.MAPPER.readTree(r.body());
            return new Response(r.statusCode(), body, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Control API call; a body of null sends an empty POST. */
    Response control(String method, String path, String json) {
        var b = HttpRequest.newBuilder(base.resolve("_sim/" + path));
        if ("GET".equals(method)) {
            b.GET();
        } else if ("DELETE".equals(method)) {
            b.DELETE();
        } else {
            b.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json));
        }
        return send(b.build());
    }
}
