package dev.orchard.applesim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;

/** A loopback MDM endpoint that records Apple's notifications and can refuse the first few deliveries. */
final class NotificationReceiver implements AutoCloseable {

    record Received(String authorization, JsonNode body) {
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();

    NotificationReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 200;
            if (status == 200) {
                synchronized (received) {
                    received.add(new Received(ex.getRequestHeaders().getFirst("Authorization"),
                            SimJson.MAPPER.readTree(body)));
                }
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/apple/notifications/loc-1";
    }

    void failNext(int n) {
        failuresLeft.set(n);
    }

    List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    List<JsonNode> ofType(String type) {
        return received().stream().map(Received::body)
                .filter(b -> type.equals(b.path("notificationType").asString())).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
