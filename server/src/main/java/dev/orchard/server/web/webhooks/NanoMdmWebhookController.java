package dev.orchard.server.web.webhooks;

import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.mdm.MdmEvents;
import dev.orchard.server.mdm.MdmReports;
import dev.orchard.server.mdm.MdmServerService;
import dev.orchard.server.system.Problems;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Where NanoMDM posts its webhook events ({@code -webhook-url}). The body must carry a valid
 * {@code X-Hmac-Signature} (base64 HMAC-SHA256 with an MDM server's events secret; 401 otherwise). Check-ins
 * ({@code mdm.Authenticate}, {@code mdm.TokenUpdate}, {@code mdm.CheckOut}) and command reports ({@code mdm.Connect})
 * carry the device's plist base64-encoded in {@code raw_payload}; malformed JSON or plists are a 400. Other topics
 * are acknowledged and ignored.
 */
@RestController
class NanoMdmWebhookController {

    private static final Logger LOG = LoggerFactory.getLogger(NanoMdmWebhookController.class);

    private final MdmServerService servers;
    private final MdmEvents events;
    private final ObjectMapper json;

    NanoMdmWebhookController(MdmServerService servers, MdmEvents events, ObjectMapper json) {
        this.servers = servers;
        this.events = events;
        this.json = json;
    }

    @PostMapping("/mdm/nanomdm/webhook")
    ResponseEntity<ProblemDetail> receive(@RequestHeader(name = "X-Hmac-Signature", required = false) String signature,
                                          @RequestBody(required = false) byte[] body) {
        byte[] bytes = body == null ? new byte[0] : body;
        var server = servers.verifyEvent(bytes, signature);
        if (server.isEmpty()) {
            return ResponseEntity.status(401).body(Problems.of(HttpStatus.UNAUTHORIZED, "bad-signature", "Not signed",
                    "X-Hmac-Signature is missing or does not match any NanoMDM server's events secret"));
        }
        try {
            JsonNode event = json.readTree(bytes);
            String topic = event.path("topic").asString("");
            if (event.has("checkin_event")) {
                JsonNode c = event.get("checkin_event");
                var checkIn = MdmReports.checkIn(payload(c));
                events.checkIn(server.get(), checkIn, text(c, "enrollment_id"))
                        .ifPresentOrElse(s -> LOG.debug("{} from {}", topic, s),
                                () -> LOG.info("{} from an unknown device ignored", topic));
            } else if (event.has("acknowledge_event")) {
                JsonNode a = event.get("acknowledge_event");
                var report = MdmReports.report(payload(a));
                events.report(report, text(a, "enrollment_id"), text(a, "udid"))
                        .ifPresentOrElse(s -> LOG.debug("{} report {} from {}", report.status(), report.commandUuid(), s),
                                () -> LOG.info("report {} from an unknown device ignored", report.commandUuid()));
            }
            return ResponseEntity.ok().build();
        } catch (IllegalArgumentException | tools.jackson.core.JacksonException e) {
            return ResponseEntity.badRequest().body(Problems.of(HttpStatus.BAD_REQUEST, "malformed-mdm-event",
                    "Malformed MDM event", e.getMessage()));
        }
    }

    private static byte[] payload(JsonNode event) {
        String raw = text(event, "raw_payload");
        if (raw == null) {
            throw new IllegalArgumentException("the event has no raw_payload");
        }
        try {
            return Base64.getDecoder().decode(raw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("raw_payload is not base64");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isString() && !v.asString().isBlank() ? v.asString() : null;
    }
}
