package dev.orchard.server;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Orchard in a child JVM with the test's class path, for tests that kill or stop the process (SIGKILL leaves no
 * shutdown hook to run; SIGTERM runs Spring's graceful shutdown). {@link #start} returns once it answers its health
 * check; its output goes to a log file beside the data.
 */
public final class ChildOrchard {

    public static final String TOKEN = "child-orchard-admin-token-0123456789";
    public static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ChildOrchard() {
    }

    public static Process start(Path logDir, Path data, String dbUrl, int port, List<String> extraArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // a quick start matters more than peak speed here: C1 only and the serial collector cost the busy
                // test machine less CPU while the child starts (its work is a few thousand licenses)
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), OrchardApplication.class.getName(),
                "--server.port=" + port, "--orchard.data-dir=" + data, "--orchard.security.bootstrap-api-token=" + TOKEN,
                "--orchard.security.admin-password=child-orchard-password", "--logging.level.root=WARN"));
        if (dbUrl != null) {
            command.addAll(List.of("--spring.datasource.url=" + dbUrl, "--spring.datasource.username=postgres"));
        }
        command.addAll(extraArgs);
        Files.createDirectories(logDir);
        File log = logDir.resolve("orchard-" + port + "-" + System.nanoTime() + ".log").toFile();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        Instant until = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(until)) {
            assertThat(p.isAlive()).as("Orchard exited: " + Files.readString(log.toPath())).isTrue();
            try {
                var r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return p;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            p.waitFor(200, TimeUnit.MILLISECONDS); // waits on the process, not on a clock
        }
        p.destroyForcibly();
        throw new AssertionError("Orchard did not start in 120 s: " + Files.readString(log.toPath()));
    }

    /** An API call as the bootstrap admin; returns the response. */
    public static HttpResponse<String> call(int port, String method, String path, String json) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(30));
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
