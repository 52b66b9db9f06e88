package dev.orchard.server.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Plumbing the benchmarks share: the simulator as its own process, JSON over HTTP, free ports. */
final class BenchSupport {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private BenchSupport() {
    }

    /** Starts the simulator jar with an empty organisation list and no rate limit; returns its base URI. */
    static Process startSimulator(Path jar, int port) throws Exception {
        Process sim = new ProcessBuilder("java", "-Xmx2g", "-jar", jar.toString(), "--port", Integer.toString(port),
                "--rate-limit", "0", "--quiet", "--seed", writeEmptySeed().toString()).inheritIO().start();
        waitFor(URI.create("http://127.0.0.1:" + port + "/_sim/locations"));
        return sim;
    }

    static Path writeEmptySeed() throws Exception {
        Path seed = Files.createTempFile("bench-seed", ".json");
        Files.writeString(seed, "{\"locations\":[]}");
        return seed;
    }

    static JsonNode post(URI uri, String json) throws Exception {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    static JsonNode send(HttpRequest request) throws Exception {
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(request.uri() + " -> " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    static void waitFor(URI uri) throws Exception {
        for (int i = 0; i < 100; i++) {
            try {
                HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (java.io.IOException e) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
            }
        }
        throw new IllegalStateException("the simulator did not start");
    }

    static int freePort() throws Exception {
        try (var s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

}
