package dev.orchard.server.system;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.MutableClock;
import dev.orchard.server.OrchardInstance;

/**
 * Oversized bodies on every endpoint class (anonymous form, JSON API, bulk upload, both webhooks) are refused with a
 * 413 problem before they are read: a declared length over the limit is refused with nothing read, a chunked body
 * is read no further than its limit. Many at once leave the server healthy, and the bodies in flight are bounded
 * together (503 with Retry-After beyond {@code orchard.limits.in-flight}). Raw sockets, so nothing in the client
 * buffers or rewrites the requests.
 */
class RequestLimitsTests {

    static final long MB = 1024 * 1024;

    @TempDir
    static Path dataDir;
    static AppleSimulator sim;
    static OrchardInstance orchard;
    static BodyLimitFilter filter;

    record Target(String method, String path, String token, String contentType, long limit) {
    }

    static final List<Target> TARGETS = List.of(
            new Target("POST", "/login", null, "application/x-www-form-urlencoded", 256 * 1024),
            new Target("POST", "/settings/tokens", null, "application/x-www-form-urlencoded", 256 * 1024),
            new Target("PUT", "/api/v1/devices/BIG1", ADMIN_TOKEN, "application/json", 2 * MB),
            new Target("POST", "/api/v1/labels", null, "application/json", 2 * MB),
            new Target("POST", "/api/v1/devices", ADMIN_TOKEN, "text/csv", 32 * MB),
            new Target("POST", "/apple/notifications/anything", null, "application/json", MB),
            new Target("POST", "/mdm/nanomdm/webhook", null, "application/json", MB));

    @BeforeAll
    static void start() {
        sim = AppleSimulator.builder().rateLimit(0).start();
        orchard = OrchardInstance.start(sim, dataDir, null, new MutableClock(Instant.now()), "node-a",
                Map.of("orchard.limits.in-flight", "5MB"));
        filter = orchard.bean(BodyLimitFilter.class);
    }

    @AfterAll
    static void stop() {
        orchard.close();
        sim.stop();
    }

    /** Opens a request: headers, then {@code send} bytes of body; the socket stays open for more. */
    static Socket open(Target t, String lengthHeader) throws IOException {
        Socket s = new Socket("127.0.0.1", orchard.port());
        s.setSoTimeout(30_000);
        String head = t.method() + " " + t.path() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + t.contentType() + "\r\n"
                + (t.token() == null ? "" : "Authorization: Bearer " + t.token() + "\r\n") + lengthHeader + "\r\n\r\n";
        s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    /** Sends {@code bytes} of a body that stays well-formed as far as it goes (a JSON string or a form value that never ends). */
    static void body(OutputStream out, long bytes, boolean chunked) throws IOException {
        byte[] block = new byte[64 * 1024];
        java.util.Arrays.fill(block, (byte) 'a');
        byte[] start = "{\"serialNumber\":\"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(start, 0, block, 0, start.length);
        for (long sent = 0; sent < bytes; sent += block.length) {
            if (sent > 0) {
                java.util.Arrays.fill(block, 0, start.length, (byte) 'a');
            }
            int n = (int) Math.min(block.length, bytes - sent);
            if (chunked) {
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            out.write(block, 0, n);
            if (chunked) {
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
        out.flush();
    }

    /** The status line and body of the answer. */
    static String answer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        StringBuilder text = new StringBuilder();
        int n;
        while ((n = in.read(buf)) > 0) {
            text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            if (text.indexOf("\r\n\r\n") > 0 && text.indexOf("}") > 0) {
                break;
            }
        }
        return text.toString();
    }

    /** The byte count, once no request is being received (requests of another test may still be ending). */
    static long quietBytesRead() {
        dev.orchard.server.Await.until("no request body in flight", () -> filter.inFlightBytes() == 0);
        return filter.bytesRead();
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedWithNothingRead() throws IOException {
        for (Target t : TARGETS) {
            long before = quietBytesRead();
            try (Socket s = open(t, "Content-Length: " + 100 * MB)) {
                body(s.getOutputStream(), 64 * 1024, false);
                String answer = answer(s);
                assertThat(answer).as(t.toString()).startsWith("HTTP/1.1 413")
                        .contains("https://orchard.dev/problems/payload-too-large").contains(Long.toString(t.limit()));
            }
            assertThat(quietBytesRead() - before).as(t + ": bytes read").isZero();
        }
    }

    @Test
    void aChunkedBodyIsReadNoFurtherThanItsLimit() throws IOException {
        for (Target t : TARGETS) {
            if (t.limit() > 2 * MB) {
                continue; // the bulk limit is exercised with a declared length; chunking 32 MB adds nothing
            }
            long before = quietBytesRead();
            try (Socket s = open(t, "Transfer-Encoding: chunked")) {
                try {
                    body(s.getOutputStream(), t.limit() + 512 * 1024, true);
                    s.getOutputStream().write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closedEarly) {
                    // the server may stop reading and close once it has answered
                }
                String answer = answer(s);
                if (t.token() == null && t.path().startsWith("/api/")) {
                    assertThat(answer).as(t.toString()).startsWith("HTTP/1.1 401"); // refused before the body matters
                } else if (t.path().equals("/settings/tokens")) {
                    assertThat(answer).as(t.toString()).matches("(?s)HTTP/1.1 (403|413).*"); // CSRF or size, never read whole
                } else {
                    assertThat(answer).as(t.toString()).startsWith("HTTP/1.1 413");
                }
            }
            assertThat(quietBytesRead() - before).as(t + ": bytes read").isLessThanOrEqualTo(t.limit() + 1);
        }
    }

    @Test
    void manyOversizedRequestsAtOnceLeaveTheServerHealthy() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        long before = quietBytesRead();
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                Target t = TARGETS.get(i % TARGETS.size());
                boolean chunked = i % 2 == 0;
                answers.add(pool.submit((Callable<String>) () -> {
                    try (Socket s = open(t, chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + 100 * MB)) {
                        try {
                            body(s.getOutputStream(), Math.min(t.limit(), 2 * MB) + 256 * 1024, chunked);
                        } catch (IOException closedEarly) {
                            // expected once the server has answered
                        }
                        return answer(s);
                    } catch (IOException e) {
                        return "closed: " + e;
                    }
                }));
            }
            for (Future<String> f : answers) {
                assertThat(f.get()).doesNotStartWith("HTTP/1.1 2").doesNotStartWith("HTTP/1.1 500");
            }
        } finally {
            pool.shutdown();
        }
        assertThat(quietBytesRead() - before).as("bytes read for 32 oversized requests").isLessThan(32 * (2 * MB + 1));
        assertThat(orchard.get("/actuator/health", null).status()).isEqualTo(200);
        assertThat(orchard.get("/api/v1/accounts", ADMIN_TOKEN).status()).isEqualTo(200);
    }

    @Test
    void bodiesInFlightAreBoundedTogether() throws IOException {
        Target json = TARGETS.get(2);
        try (Socket first = open(json, "Content-Length: " + (long) (1.9 * MB));
             Socket second = open(json, "Content-Length: " + (long) (1.9 * MB))) {
            body(first.getOutputStream(), 1024, false); // both are now being received, holding 3.8 MB of 5 MB
            body(second.getOutputStream(), 1024, false);
            dev.orchard.server.Await.until("both are being received", () -> filter.inFlightBytes() >= (long) (3.8 * MB));
            try (Socket third = open(json, "Content-Length: " + (long) (1.9 * MB))) {
                String busy = answer(third);
                assertThat(busy).startsWith("HTTP/1.1 503").contains("Retry-After: 1").contains("https://orchard.dev/problems/busy");
            }
        }
        // the two abandoned requests give their share back: a large request is received again
        String device = "{\"serialNumber\":\"SMALL1\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"model\":\"" + "m".repeat(100) + "\"}";
        String padded = device + " ".repeat((int) (1.9 * MB) - device.length());
        dev.orchard.server.Await.until("the budget is given back", () -> orchard.method("PUT", "/api/v1/devices/SMALL1", ADMIN_TOKEN,
                padded).status() != 503);
        assertThat(orchard.method("PUT", "/api/v1/devices/SMALL1", ADMIN_TOKEN, padded).status()).isEqualTo(200);
    }
}
