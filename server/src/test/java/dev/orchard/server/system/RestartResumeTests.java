package dev.orchard.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.Await;
import dev.orchard.server.ChildOrchard;
import dev.orchard.server.OrchardInstance;
import dev.orchard.server.SimControl;
import dev.orchard.server.TestDatabases;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Work that was running when Orchard stopped resumes at once after a restart. Orchard runs in a child JVM against
 * the simulator (a first read of about 4,000 assignments in pages of 40 at Apple's advertised 20 requests/s), is
 * killed with SIGKILL or stopped with SIGTERM in the middle of the read, and is started again on the same
 * database: Apple sees the next request within 30 s of the restart (it used to be 30 minutes: the stopped node's
 * pick stayed until db-scheduler's dead-execution detection), the read goes on from its saved page, and the ledger
 * ends equal to Apple.
 */
class RestartResumeTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path temp;
    AppleSimulator sim;
    SimControl control;
    String uId;
    Process orchard;

    @BeforeEach
    void startApple() {
        sim = AppleSimulator.builder().demoSeed().rateLimit(20).eventDelayMs(0).pageSize(40).start();
        control = new SimControl(sim);
        uId = sim.location("Orchard Demo Corp").uId();
        control.post("locations/" + uId + "/generate", "{\"assets\":2,\"assignments\":4000}");
    }

    @AfterEach
    void stopAll() throws Exception {
        if (orchard != null) {
            orchard.destroyForcibly();
            orchard.waitFor(30, TimeUnit.SECONDS);
        }
        sim.stop();
    }

    @Test
    void aSyncKilledMidReadResumesWithinSecondsOfTheRestartOnPostgres() throws Exception {
        resumesAfter(TestDatabases.postgresUrl(), true);
    }

    @Test
    void aSyncStoppedGracefullyMidReadResumesWithinSecondsOfTheRestartOnH2() throws Exception {
        resumesAfter(null, false);
    }

    private void resumesAfter(String dbUrl, boolean kill) throws Exception {
        Path data = temp.resolve("data");
        int port = OrchardInstance.freePort();
        orchard = start(data, dbUrl, port);
        var added = ChildOrchard.call(port, "POST", "/api/v1/accounts", "{\"sToken\":\"" + sim.location("Orchard Demo Corp").sToken()
                + "\",\"takeOver\":true}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        long account = JSON.readTree(added.body()).get("id").asLong();
        Await.until("20 pages read", () -> pages().size() >= 20);

        if (kill) {
            orchard.destroyForcibly(); // SIGKILL: no shutdown hook runs
        } else {
            orchard.destroy(); // SIGTERM: Spring's graceful shutdown
        }
        assertThat(orchard.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<JsonNode> before = pages();
        int lastPageBefore = before.stream().mapToInt(RestartResumeTests::pageIndex).max().orElseThrow();
        assertThat(status(account, port)).as("the read was not finished when Orchard stopped").isNull();

        orchard = start(data, dbUrl, port);
        Instant healthy = Instant.now();
        Await.until("Apple's next request after the restart", () -> pages().size() > before.size(), Duration.ofSeconds(60));
        Instant resumed = Instant.parse(pages().get(before.size()).get("time").asString());
        assertThat(Duration.between(healthy, resumed)).as("first Apple request after the restart").isLessThan(Duration.ofSeconds(30));
        System.out.printf("RestartResumeTests: %s, restart healthy → next Apple request %d ms; last page before %d%n",
                kill ? "SIGKILL" : "SIGTERM", Duration.between(healthy, resumed).toMillis(), lastPageBefore);
        int firstPageAfter = pageIndex(pages().get(before.size()));
        assertThat(firstPageAfter).as("resumes at its saved page (last page read before: %d)", lastPageBefore)
                .isGreaterThan(0).isGreaterThanOrEqualTo(lastPageBefore - 2);

        Await.until("the first sync finished", () -> "OK".equals(status(account, port)), Duration.ofSeconds(120));
        JsonNode history = JSON.readTree(ChildOrchard.call(port, "GET", "/api/v1/accounts/" + account + "/sync", null).body()).get("history");
        long addedTotal = 0;
        for (JsonNode run : history) {
            addedTotal += run.get("added").asLong();
        }
        long atApple = control.get("locations/" + uId).get("assignments").asLong();
        assertThat(addedTotal).as("licenses the ledger recorded vs assignments at Apple").isEqualTo(atApple);
    }

    /** The result of the account's oldest sync run once it ended, or null while it runs (or has not started). */
    private static String status(long account, int port) {
        try {
            var r = ChildOrchard.call(port, "GET", "/api/v1/accounts/" + account + "/sync?history=200", null);
            JsonNode history = JSON.readTree(r.body()).get("history");
            if (history.isEmpty()) {
                return null;
            }
            String result = history.get(history.size() - 1).get("result").asString();
            return "RUNNING".equals(result) ? null : result;
        } catch (Exception e) {
            return null; // stopped
        }
    }

    private List<JsonNode> pages() {
        var list = new java.util.ArrayList<JsonNode>();
        control.get("requests?path=/mdm/v2/assignments&uId=" + uId).forEach(list::add);
        return list;
    }

    private static int pageIndex(JsonNode request) {
        String q = request.get("query").asString();
        var m = java.util.regex.Pattern.compile("pageIndex=(\\d+)").matcher(q == null ? "" : q);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private Process start(Path data, String dbUrl, int port) throws Exception {
        return ChildOrchard.start(temp, data, dbUrl, port, List.of("--orchard.apple.base-url=" + sim.v2Uri(),
                "--orchard.apple.content-lookup-url=" + sim.contentLookupUri(), "--orchard.apple.store-lookup-url=" + sim.storeLookupUri(),
                "--orchard.public-url=http://127.0.0.1:" + port + "/"));
    }
}
