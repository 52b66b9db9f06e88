package dev.orchard.server.mdm.nano;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;

/**
 * A small proxy between NanoMDM's webhook and Orchard that makes the network as unkind as NanoMDM allows: it holds
 * the events, then hands them to Orchard shuffled, and drops the ones a test names, as a lost post would be (NanoMDM
 * never resends). Passes events straight through (answering NanoMDM once Orchard answered) unless holding.
 */
public final class EventShuffler implements AutoCloseable {

    /** An event as NanoMDM posted it. */
    public record Event(byte[] body, String signature, JsonNode json) {
        public String topic() {
            return json.path("topic").asString("");
        }

        public String channel() {
            JsonNode e = json.has("checkin_event") ? json.get("checkin_event") : json.path("acknowledge_event");
            return e.path("ids").path("id").asString("");
        }
    }

    private final URI target;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Event> held = new CopyOnWriteArrayList<>();
    private final List<Integer> answers = new CopyOnWriteArrayList<>();
    private volatile boolean holding;
    private volatile Predicate<Event> drop = e -> false;
    private volatile int dropped;

    public EventShuffler(URI target) {
        this.target = target;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::receive);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /** From now on events are held until {@link #release}. */
    public void hold() {
        holding = true;
    }

    /** Events matching {@code rule} are lost on the way. */
    public void drop(Predicate<Event> rule) {
        drop = rule;
    }

    public int dropped() {
        return dropped;
    }

    public List<Event> held() {
        return List.copyOf(held);
    }

    /** Hands every held event to Orchard in an order shuffled by {@code seed}, then passes events through again. */
    public List<Integer> release(long seed) {
        List<Event> events = new ArrayList<>(held);
        held.clear();
        holding = false;
        Collections.shuffle(events, new Random(seed));
        List<Integer> statuses = new ArrayList<>();
        for (Event e : events) {
            statuses.add(forward(e));
        }
        return statuses;
    }

    /** Orchard's answers to the events forwarded so far. */
    public List<Integer> answers() {
        return List.copyOf(answers);
    }

    private void receive(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        Event event = new Event(body, ex.getRequestHeaders().getFirst("X-Hmac-Signature"), NanoMdmDouble.JSON.readTree(body));
        if (drop.test(event)) {
            dropped++;
        } else if (holding) {
            held.add(event);
        } else {
            forward(event); // before answering, so NanoMDM's post ends when Orchard has the event
        }
        ex.sendResponseHeaders(200, -1);
        ex.close();
    }

    private int forward(Event e) {
        var request = HttpRequest.newBuilder(target).header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(e.body()));
        if (e.signature() != null) {
            request.header("X-Hmac-Signature", e.signature());
        }
        try {
            int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            answers.add(status);
            return status;
        } catch (Exception ex) {
            answers.add(-1);
            return -1;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
