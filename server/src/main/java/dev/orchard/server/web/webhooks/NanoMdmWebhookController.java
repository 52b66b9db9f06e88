package dev.orchard.server.web.webhooks;

import java.time.Instant;
import java.time.format.DateTimeParseException;
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

import dev.orchard.server.mdm.Channel;
import dev.orchard.server.mdm.MdmEvents;
import dev.orchard.server.mdm.MdmReports;
import dev.orchard.server.mdm.MdmServerService;
import dev.orchard.server.system.Problems;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Where NanoMDM posts its webhook events ({@code -webhook-url}). The body must carry a valid
 * {@code X-Hmac-Signature} (base64 HMAC-SHA256 with an MDM server's events secret; 401 otherwise). Check-ins
 * ({@code checkin_event}) and command reports ({@code acknowledge_event}, topic {@code mdm.Connect}) carry the
 * device's plist base64-encoded in {@code raw_payload}, the channel in {@code ids} ({@code id}, {@code type},
 * {@code parent_id}), NanoMDM's {@code token_update_tally} on token updates and the event's {@code created_at}.
 * NanoMDM posts events concurrently and never retries, so they are applied by what they say and when NanoMDM created
 * them, not by when they arrive. Malformed JSON or plists are a 400.
 */
@RestController
class NanoMdmWebhookController {

    private static final Logger LOG = LoggerFactory.getLogger(NanoMdmWebhookController.class);

    private final MdmServerService servers;
    private final MdmEvents events;
    private final ObjectMapper json;
    private final java.time.Clock clock;

    NanoMdmWebhookController(MdmServerService servers, MdmEvents events, ObjectMapper json, java.time.Clock clock) {
        this.servers = servers;
        this.events = events;
        this.json = json;
        this.clock = clock;
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
            Instant at = createdAt(event);
            if (event.has("checkin_event")) {
                JsonNode c = event.get("checkin_event");
                var checkIn = MdmReports.checkIn(payload(c));
                Channel channel = channel(c.path("ids")).orElseGet(() -> MdmEvents.channelOf(checkIn));
                int tally = c.path("token_update_tally").asInt(0);
                events.checkIn(server.get(), checkIn, channel, at, tally)
                        .ifPresentOrElse(s -> LOG.debug("{} from {} ({})", topic, s, channel),
                                () -> LOG.info("{} from {}: device not known yet", topic, channel));
            } else if (event.has("acknowledge_event")) {
                JsonNode a = event.get("acknowledge_event");
                var report = MdmReports.report(payload(a));
                Channel channel = channel(a.path("ids")).orElseGet(() -> MdmEvents.channelOf(report));
                events.report(server.get(), report, channel, at)
                        .ifPresentOrElse(s -> LOG.debug("{} report {} from {}", report.status(), report.commandUuid(), s),
                                () -> LOG.info("report {} from {}: device not known yet", report.commandUuid(), channel));
            }
            return ResponseEntity.ok().build();
        } catch (IllegalArgumentException | tools.jackson.core.JacksonException e) {
            return ResponseEntity.badRequest().body(Problems.of(HttpStatus.BAD_REQUEST, "malformed-mdm-event",
                    "Malformed MDM event", e.getMessage()));
        }
    }

    private Instant createdAt(JsonNode event) {
        String at = text(event, "created_at");
        if (at == null) {
            return clock.instant();
        }
        try {
            return Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("created_at is not an RFC 3339 time: " + at);
        }
    }

    private static java.util.Optional<Channel> channel(JsonNode ids) {
        String id = text(ids, "id");
        return id == null ? java.util.Optional.empty()
                : java.util.Optional.of(Channel.of(id, text(ids, "type") == null ? "Device" : text(ids, "type"), text(ids, "parent_id")));
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
