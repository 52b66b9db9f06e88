package dev.orchard.server.mdm;

import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

import tools.jackson.databind.ObjectMapper;

/**
 * NanoMDM (and NanoHUB) connector: {@code PUT {url}/v1/enqueue/{id,id,…}} with the command plist, HTTP Basic
 * {@code nanomdm:<API key>}; NanoHUB's form is {@code {url}/api/v1/nanomdm/enqueue/…} with user {@code nanohub}. The
 * answer is read by {@link NanoMdmAnswers}. A connection that was refused never reached NanoMDM (not delivered);
 * a timeout or a connection lost after the request went out might have (unknown: resend the same request).
 */
@Component
class NanoMdmDelivery implements CommandDelivery {

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

    /** The API URL of {@code call} ({@code enqueue} or {@code push}) for the ids, in the server's URL form. */
    static URI apiUri(MdmServer server, String call, List<String> ids) {
        String base = server.url();
        String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        String prefix;
        if (server.urlForm() == MdmServer.UrlForm.NANOHUB) {
            prefix = root.endsWith("/api/v1/nanomdm") ? root : root + "/api/v1/nanomdm";
        } else {
            prefix = root + "/v1";
        }
        String joined = ids.stream().map(id -> URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining(","));
        return URI.create(prefix + "/" + call + "/" + joined);
    }

    @Override
    public Map<String, Outcome> deliver(MdmServer server, String apiKey, MdmCommand command, List<String> ids, boolean resend) {
        var request = authorized(HttpRequest.newBuilder(apiUri(server, "enqueue", ids)), server, apiKey)
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/xml")
                .PUT(HttpRequest.BodyPublishers.ofString(command.plist(), StandardCharsets.UTF_8));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return NanoMdmAnswers.all(ids, Outcome.unreachable("NanoMDM unreachable: " + e));
        } catch (java.io.IOException e) {
            return NanoMdmAnswers.all(ids, Outcome.unknown("no answer from NanoMDM (" + e + "); the same request is sent again"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NanoMdmAnswers.all(ids, Outcome.interrupted());
        }
        return NanoMdmAnswers.enqueued(response.statusCode(), response.body(), ids, resend, json);
    }

    @Override
    public Map<String, String> push(MdmServer server, String apiKey, List<String> ids) {
        var request = authorized(HttpRequest.newBuilder(apiUri(server, "push", ids)), server, apiKey)
                .timeout(Duration.ofSeconds(30)).GET();
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                return NanoMdmAnswers.pushed(r.statusCode(), "{\"push_error\":\"NanoMDM refused the API key\"}", ids, json);
            }
            return NanoMdmAnswers.pushed(r.statusCode(), r.body(), ids, json);
        } catch (java.io.IOException e) {
            return NanoMdmAnswers.pushed(0, "{\"push_error\":\"NanoMDM unreachable\"}", ids, json);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NanoMdmAnswers.pushed(0, "{\"push_error\":\"interrupted\"}", ids, json);
        }
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder request, MdmServer server, String apiKey) {
        if (apiKey != null) {
            String user = server.urlForm() == MdmServer.UrlForm.NANOHUB ? "nanohub" : "nanomdm";
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + apiKey).getBytes(StandardCharsets.UTF_8)));
        }
        return request;
    }
}
