package dev.orchard.server.mdm;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.orchard.server.inventory.Platform;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The generic webhook connector: one signed JSON POST per enrolment, 2xx/409 taken, anything else retried. */
class WebhookDeliveryTests {

    private final JsonMapper json = JsonMapper.builder().build();
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger answer = new AtomicInteger(202);
    private final HttpServer receiver = start();

    private HttpServer start() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            s.createContext("/orchard-commands", ex -> {
                byte[] body = ex.getRequestBody().readAllBytes();
                String expected = Base64.getEncoder().encodeToString(MdmServerService.hmac("hook-key", body));
                if (!expected.equals(ex.getRequestHeaders().getFirst("X-Hmac-Signature"))) {
                    ex.sendResponseHeaders(401, -1);
                } else {
                    received.add(json.readTree(body));
                    ex.sendResponseHeaders(answer.get(), -1);
                }
                ex.close();
            });
            s.start();
            return s;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    @Test
    void postsOneSignedCommandPerEnrollment() {
        var server = new MdmServer(2, "hook", MdmServer.Kind.WEBHOOK, "http://127.0.0.1:" + receiver.getAddress().getPort()
                + "/orchard-commands", false, true, false, MdmServer.UrlForm.NANOMDM, false, Instant.EPOCH, Instant.EPOCH);
        var command = MdmCommands.removeApplication("8d7c1f00-0000-4000-8000-000000000002", "com.example.fieldnotes");
        var delivery = new WebhookDelivery(json);
        var outcomes = delivery.deliver(server, "hook-key", command, List.of("E1", "E2"), false);
        assertThat(outcomes.values()).allMatch(CommandDelivery.Outcome::delivered);
        assertThat(received).hasSize(2);
        assertThat(received.get(0).get("enrollmentId").asString()).isEqualTo("E1");
        assertThat(received.get(0).get("requestType").asString()).isEqualTo("RemoveApplication");
        assertThat(new String(Base64.getDecoder().decode(received.get(1).get("plist").asString()))).isEqualTo(command.plist());

        answer.set(409);
        assertThat(delivery.deliver(server, "hook-key", command, List.of("E1"), false).get("E1").delivered()).isTrue();
        answer.set(503);
        assertThat(delivery.deliver(server, "hook-key", command, List.of("E1"), false).get("E1").note()).contains("503");
        assertThat(delivery.deliver(server, "wrong-key", command, List.of("E1"), false).get("E1").note()).contains("401");
    }

    @Test
    void theInstallCommandOfAMacIsUnchangedOnTheWire() {
        var command = MdmCommands.installApplication("8d7c1f00-0000-4000-8000-000000000003",
                new MdmCommands.Install(497799835L, Platform.MACOS, 1, true, false, null));
        assertThat(command.plist()).contains("<key>InstallAsManaged</key>").contains("<key>ChangeManagementState</key>");
    }
}
