package dev.orchard.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.orchard.applesim.AppleSimulator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Calls the simulator's control API from server tests. */
public final class SimControl {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final AppleSimulator sim;
    private final HttpClient http = HttpClient.newHttpClient();

    public SimControl(AppleSimulator sim) {
        this.sim = sim;
    }

    public JsonNode get(String path) {
        return send(HttpRequest.newBuilder(sim.baseUri().resolve("_sim/" + path)).GET().build());
    }

    public JsonNode post(String path, String json) {
        return send(HttpRequest.newBuilder(sim.baseUri().resolve("_sim/" + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json)).build());
    }

    public void delete(String path) {
        send(HttpRequest.newBuilder(sim.baseUri().resolve("_sim/" + path)).DELETE().build());
    }

    /** Requests to Apple's v2 API the simulator served for a location. */
    public JsonNode appleRequests(String uId) {
        return get("requests?path=/mdm/v2/&uId=" + uId);
    }

    /** The assignments Apple holds for a serial number in a location, read through Apple's own API. */
    public JsonNode assignmentsAtApple(String uId, String serialNumber) {
        return send(HttpRequest.newBuilder(sim.v2Uri().resolve("assignments?serialNumber=" + serialNumber))
                .header("Authorization", "Bearer " + token(uId)).GET().build()).get("assignments");
    }

    public String token(String uId) {
        for (JsonNode l : get("locations")) {
            if (l.get("uId").asString().equals(uId)) {
                return l.get("sToken").asString();
            }
        }
        throw new IllegalArgumentException("no location " + uId);
    }

    private JsonNode send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("simulator control call failed: " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
