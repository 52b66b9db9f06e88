package dev.orchard.server.mdm;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * NanoMDM (and NanoHUB) connector: {@code PUT {url}/v1/enqueue/{id,id,…}} with the command plist, HTTP Basic
 * {@code nanomdm:<API key>}. NanoMDM answers 200 (all enqueued), 207 (some) or 500 (none) with a per-id
 * {@code status} map: a {@code command_error} means that id did not get the command; a {@code push_error} alone means
 * it did (the device fetches it at its next check-in). For NanoHUB, whose API lives under {@code /api/v1/nanomdm},
 * the server URL is that prefix and Orchard appends {@code /enqueue/…}. A command UUID NanoMDM already stores (a
 * resend after a crash) counts as delivered.
 */
@Component
class NanoMdmDelivery implements CommandDelivery {

    private static final int MAX_LOGGED = 1024;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json;

    NanoMdmDelivery(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public MdmServer.Kind kind() {
        return MdmServer.Kind.NANOMDM;
    }

    @Override
    public int batchSize() {
        return 50;
    }

    static URI enqueueUri(String base, List<String> ids) {
        String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        String path = root.endsWith("/nanomdm") ? "/enqueue/" : "/v1/enqueue/";
        String joined = ids.stream().map(id -> URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining(","));
        return URI.create(root + path + joined);
    }

    @Override
    public Map<String, Outcome> deliver(MdmServer server, String apiKey, MdmCommand command, List<String> ids) {
        var request = HttpRequest.newBuilder(enqueueUri(server.url(), ids)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/xml")
                .PUT(HttpRequest.BodyPublishers.ofString(command.plist(), StandardCharsets.UTF_8));
        if (apiKey != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("nanomdm:" + apiKey).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            return all(ids, Outcome.refused("NanoMDM unreachable: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return all(ids, Outcome.refused("interrupted"));
        }
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            return all(ids, Outcome.refused("NanoMDM refused the API key (" + status + "); check the server's apiKey"));
        }
        JsonNode result = parse(response.body());
        if (result == null || !(status == 200 || status == 207 || status == 500)) {
            return all(ids, Outcome.refused("NanoMDM answered " + status + ": " + capped(response.body())));
        }
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        String commandError = text(result, "command_error");
        for (String id : ids) {
            JsonNode one = result.path("status").path(id);
            String error = text(one, "command_error");
            String push = text(one, "push_error");
            if (error == null && commandError != null && status != 200) {
                error = commandError;
            }
            if (error != null && !error.toLowerCase(java.util.Locale.ROOT).contains("duplicate")) {
                outcomes.put(id, Outcome.refused("NanoMDM: " + error));
            } else if (status == 500 && error == null && push == null) {
                outcomes.put(id, Outcome.refused("NanoMDM answered 500: " + capped(response.body())));
            } else {
                outcomes.put(id, Outcome.taken(push == null ? null : "enqueued; push failed: " + push));
            }
        }
        return outcomes;
    }

    private JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? null : json.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isString() && !v.asString().isBlank() ? v.asString() : null;
    }

    static Map<String, Outcome> all(List<String> ids, Outcome outcome) {
        Map<String, Outcome> map = new LinkedHashMap<>();
        ids.forEach(id -> map.put(id, outcome));
        return map;
    }

    static String capped(String body) {
        return body == null ? "" : body.length() <= MAX_LOGGED ? body : body.substring(0, MAX_LOGGED) + "…";
    }
}
