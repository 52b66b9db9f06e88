package dev.orchard.server.mdm;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import tools.jackson.databind.ObjectMapper;

/**
 * Generic webhook connector for MDMs without their own: one {@code POST {url}} per enrolment with
 * {@code {"enrollmentId", "commandUuid", "requestType", "plist" (base64)}}, signed with
 * {@code X-Hmac-Signature: base64(HMAC-SHA256(body, key))} and {@code Idempotency-Key: <command UUID>:<enrollment id>}.
 * A 2xx takes the command; a 409 says the receiver already has it (also taken); anything else is retried. The
 * command UUID is the request's own (unique per request and attempt, the same on a resend), as for NanoMDM.
 */
@Component
class WebhookDelivery implements CommandDelivery {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json;

    WebhookDelivery(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public MdmServer.Kind kind() {
        return MdmServer.Kind.WEBHOOK;
    }

    @Override
    public int batchSize() {
        return 20;
    }

    @Override
    public Map<String, Outcome> deliver(MdmServer server, String key, MdmCommand command, List<String> ids, boolean resend) {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        for (String id : ids) {
            outcomes.put(id, post(server, key, command, id));
        }
        return outcomes;
    }

    private Outcome post(MdmServer server, String key, MdmCommand command, String enrollmentId) {
        var body = new LinkedHashMap<String, String>();
        body.put("enrollmentId", enrollmentId);
        body.put("commandUuid", command.uuid());
        body.put("requestType", command.requestType());
        body.put("plist", Base64.getEncoder().encodeToString(command.plist().getBytes(StandardCharsets.UTF_8)));
        byte[] bytes = json.writeValueAsBytes(body);
        var request = HttpRequest.newBuilder(URI.create(server.url())).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", command.uuid() + ":" + enrollmentId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (key != null) {
            request.header("X-Hmac-Signature", Base64.getEncoder().encodeToString(MdmServerService.hmac(key, bytes)));
        }
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 == 2 || r.statusCode() == 409) {
                return Outcome.taken(null);
            }
            return Outcome.refused("the MDM webhook answered " + r.statusCode() + ": " + NanoMdmAnswers.capped(r.body()));
        } catch (java.net.ConnectException e) {
            return Outcome.unreachable("the MDM webhook is unreachable: " + e.getMessage());
        } catch (java.io.IOException e) {
            // the receiver de-duplicates by Idempotency-Key, so asking again the same way is safe
            return Outcome.unknown("no answer from the MDM webhook: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.interrupted();
        }
    }
}
