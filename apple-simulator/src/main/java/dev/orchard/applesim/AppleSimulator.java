package dev.orchard.applesim;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import com.sun.net.httpserver.HttpServer;

/**
 * A running simulator of Apple's Apps and Books service. Start one embedded on an ephemeral loopback port:
 *
 * <pre>{@code
 * try (var sim = AppleSimulator.builder().seed(Path.of("seed.json")).rateLimit(0).start()) {
 *     URI v2 = sim.v2Uri();                     // http://127.0.0.1:PORT/mdm/v2/
 *     String token = sim.locations().get(0).sToken();
 * }
 * }</pre>
 */
public final class AppleSimulator implements AutoCloseable {

    /** What a test needs to know of a seeded location. */
    public record LocationInfo(String uId, String sToken, String orgName, String locationName, String countryCode) {
    }

    private final HttpServer server;
    private final ExecutorService httpExecutor;
    private final ScheduledExecutorService background;
    private final Registry registry;
    private final URI baseUri;

    private AppleSimulator(Builder b) throws IOException {
        Settings settings = new Settings();
        settings.pageSize = b.pageSize;
        settings.rateLimit = b.rateLimit;
        settings.eventDelayMs = b.eventDelayMs;
        settings.logRequests = b.log != null;
        settings.notificationRetryDelayMs = b.notificationRetryDelayMs;
        this.registry = new Registry(b.clock);
        Seed seed = b.seedFile != null ? Seed.read(b.seedFile) : b.seed;
        seed.locations().forEach(registry::add);
        this.background = Executors.newScheduledThreadPool(2, daemon("apple-sim-events"));
        var notifier = new Notifier(settings, background, b.clock);
        var faults = new Faults();
        var requestLog = new RequestLog(settings, b.log);
        var events = new EventProcessor(settings, background, notifier, b.clock);
        var appleApi = new AppleApi(settings, registry, events, notifier, faults, new RateLimiter(b.clock), b.clock);
        var lookups = new LookupApi(registry);
        var control = new ControlApi(settings, registry, notifier, faults, requestLog, events, b.clock);

        InetAddress host = InetAddress.getByName(b.host);
        // the JDK's server writes an answer's headers and body apart: with Nagle's algorithm on (its default) every
        // small answer waits ~40 ms for the client's delayed ACK, which Apple's servers do not make anyone wait.
        // Read once per JVM, by the first server created: an embedding program's own setting wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        this.server = HttpServer.create(new InetSocketAddress(host, b.port), 256);
        this.httpExecutor = Executors.newFixedThreadPool(16, daemon("apple-sim-http"));
        server.setExecutor(httpExecutor);
        var router = new Router(requestLog, b.clock);
        server.createContext("/mdm/v2/", router.wrap(appleApi::handle));
        server.createContext("/_sim/", router.wrap(control::handle));
        server.createContext(LookupApi.CONTENT_PATH, router.wrap(lookups::content));
        server.createContext(LookupApi.STORE_PATH, router.wrap(lookups::store));
        server.createContext(LookupApi.ARTWORK_PATH, router.wrap(lookups::artwork));
        server.createContext("/", router.wrap(ex -> ex.send(404, SimJson.object().put("error", "not found"))));
        server.start();
        String hostText = host.getHostAddress().contains(":") ? "[" + host.getHostAddress() + "]" : host.getHostAddress();
        this.baseUri = URI.create("http://" + hostText + ":" + server.getAddress().getPort() + "/");
        appleApi.baseUri(baseUri);
        lookups.baseUri(baseUri);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Root of the simulator, for example {@code http://127.0.0.1:8999/}; the control API is under {@code _sim/}. */
    public URI baseUri() {
        return baseUri;
    }

    /** Base of Apple's v2 API on this simulator: {@code …/mdm/v2/}. */
    public URI v2Uri() {
        return baseUri.resolve("mdm/v2/");
    }

    /** The content metadata lookup URL. */
    public URI contentLookupUri() {
        return baseUri.resolve(LookupApi.CONTENT_PATH.substring(1));
    }

    /** The public iTunes-style lookup URL. */
    public URI storeLookupUri() {
        return baseUri.resolve(LookupApi.STORE_PATH.substring(1));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The locations, in no particular order. */
    public List<LocationInfo> locations() {
        return registry.locations().stream()
                .map(l -> new LocationInfo(l.uId, l.sToken, l.orgName, l.locationName, l.countryCode)).toList();
    }

    public LocationInfo location(String orgOrLocationName) {
        return locations().stream()
                .filter(l -> l.orgName().equals(orgOrLocationName) || l.locationName().equals(orgOrLocationName))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no location " + orgOrLocationName));
    }

    /** Stops serving and ends background work; pending notifications are dropped. */
    public void stop() {
        server.stop(0);
        httpExecutor.shutdownNow();
        background.shutdownNow();
    }

    @Override
    public void close() {
        stop();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Options of an embedded simulator; defaults match the stand-alone jar except the port (ephemeral). */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private Seed seed = Seed.empty();
        private Path seedFile;
        private int pageSize = 1000;
        private int rateLimit = 15;
        private long eventDelayMs = 1000;
        private long notificationRetryDelayMs = 1000;
        private Clock clock = Clock.systemUTC();
        private PrintStream log;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** 0 (the default) picks a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder seed(Path file) {
            this.seedFile = file;
            return this;
        }

        /** Seeds from JSON text in the seed-file format. */
        public Builder seedJson(String json) {
            this.seed = Seed.read(new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return this;
        }

        /** Seeds with the built-in sample organisation used by Orchard's demo mode. */
        public Builder demoSeed() {
            this.seed = Seed.demo();
            return this;
        }

        public Builder pageSize(int pageSize) {
            if (pageSize < 1) {
                throw new IllegalArgumentException("pageSize must be at least 1");
            }
            this.pageSize = pageSize;
            return this;
        }

        /** Requests per second per token; 0 = unlimited. */
        public Builder rateLimit(int perSecond) {
            this.rateLimit = Math.max(0, perSecond);
            return this;
        }

        public Builder eventDelayMs(long millis) {
            this.eventDelayMs = Math.max(0, millis);
            return this;
        }

        public Builder notificationRetryDelayMs(long millis) {
            this.notificationRetryDelayMs = Math.max(0, millis);
            return this;
        }

        /** Decides token expiry and rate-limit windows. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Where to print one line per request; null (the default when embedded) prints nothing. */
        public Builder log(PrintStream out) {
            this.log = out;
            return this;
        }

        public AppleSimulator start() {
            try {
                return new AppleSimulator(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the Apple simulator on " + host + ":" + port, e);
            }
        }
    }

}
