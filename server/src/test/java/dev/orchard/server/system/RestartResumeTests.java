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
    /** How often a wait reads the child's API: each read takes the child's CPU from the work it waits for. */
    private static final Duration API_POLL = Duration.ofMillis(100);

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
        control.post("locations/" + uId + "/generate", "{\"assets\":2,\"assignments\":4000}"); // 100 pages to read
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
        if (!kill && dbUrl == null) {
            assertHandedBack(data, account);
        }

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

        Await.until("the first sync finished", () -> "OK".equals(status(account, port)), Duration.ofSeconds(120), API_POLL);
        JsonNode history = JSON.readTree(ChildOrchard.call(port, "GET", "/api/v1/accounts/" + account + "/sync", null).body()).get("history");
        long addedTotal = 0;
        for (JsonNode run : history) {
            addedTotal += run.get("added").asLong();
        }
        long atApple = control.get("locations/" + uId).get("assignments").asLong();
        assertThat(addedTotal).as("licenses the ledger recorded vs assignments at Apple").isEqualTo(atApple);
    }

    @Test
    void anOperationBatchKilledMidRequestSendsNothingTwiceOnPostgres() throws Exception {
        batchResumesAfter(TestDatabases.postgresUrl(), true);
    }

    @Test
    void anOperationBatchStoppedGracefullyMidRequestSendsNothingTwiceOnH2() throws Exception {
        batchResumesAfter(null, false);
    }

    /**
     * 2,500 devices get an app: three association requests (1,000 + 1,000 + 500). Apple acts on the first and
     * answers only after 4 s; Orchard is killed (or stopped) in that window and started again. The first request
     * is then in doubt: it is settled by Apple's report of its event or by a read, never sent again; the other two
     * are sent once each, the first of them within 30 s of the restart; every device is licensed once, and the
     * ledger equals Apple.
     */
    private void batchResumesAfter(String dbUrl, boolean kill) throws Exception {
        Path data = temp.resolve("data");
        int port = OrchardInstance.freePort();
        orchard = start(data, dbUrl, port);
        long account = JSON.readTree(ChildOrchard.call(port, "POST", "/api/v1/accounts", "{\"sToken\":\""
                + sim.location("Orchard Demo Corp").sToken() + "\",\"takeOver\":true}").body()).get("id").asLong();
        Await.until("the first sync finished", () -> "OK".equals(status(account, port)), Duration.ofSeconds(120), API_POLL);
        String app = "361309726";
        control.post("locations/" + uId + "/purchases", "{\"adamId\":\"" + app + "\",\"count\":3000}");
        api(port, "POST", "/api/v1/labels", "{\"kind\":\"LICENSE\",\"name\":\"iPhones\",\"accountId\":" + account
                + ",\"targets\":[{\"type\":\"RULE\",\"platform\":\"iOS\"}]}");
        api(port, "POST", "/api/v1/labels", "{\"kind\":\"APP\",\"name\":\"Field Notes\",\"adamIds\":[\"" + app
                + "\"],\"targets\":[{\"type\":\"ALL\"}]}");
        long assignedBefore = control.get("locations/" + uId).get("assignments").asLong();
        control.post("faults", "{\"uId\":\"" + uId + "\",\"path\":\"assets/associate\",\"answerDelayMs\":4000,\"count\":1}");
        var devices = new java.util.ArrayList<String>();
        for (int i = 0; i < 2500; i++) {
            devices.add("{\"serialNumber\":\"BATCH" + i + "\",\"platform\":\"iOS\",\"osVersion\":\"17.4\",\"country\":\"US\"}");
        }
        api(port, "POST", "/api/v1/devices", "[" + String.join(",", devices) + "]");
        Await.until("Apple acted on the first request", () -> control.get("locations/" + uId).get("assignments").asLong()
                >= assignedBefore + 1000, Duration.ofSeconds(60));
        assertThat(control.get("faults")).as("the answer is still on its way").isEmpty();

        if (kill) {
            orchard.destroyForcibly();
        } else {
            orchard.destroy();
        }
        assertThat(orchard.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // the simulator logs a request once its (late) answer has gone, or failed to go, to the stopped node
        Await.until("the request Apple acted on logged", () -> !associations().isEmpty(), Duration.ofSeconds(30));
        int requestsBefore = associations().size();
        orchard = start(data, dbUrl, port);
        Instant healthy = Instant.now();
        try {
            Await.until("every device licensed", () -> licensed(port) == 2500, Duration.ofSeconds(120), API_POLL);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + licensed(port) + " licensed; Apple holds "
                    + (control.get("locations/" + uId).get("assignments").asLong() - assignedBefore) + "; operations "
                    + api(port, "GET", "/api/v1/operations", null) + "; associations " + associations(), e);
        }
        Await.until("Apple holds them all", () -> control.get("locations/" + uId).get("assignments").asLong()
                == assignedBefore + 2500, Duration.ofSeconds(60));

        List<JsonNode> associations = associations();
        assertThat(associations).as("association requests Apple saw: one per operation").hasSize(3);
        var named = new java.util.HashSet<String>();
        associations.forEach(r -> r.get("subjects").forEach(n -> assertThat(named.add(n.asString())).as("%s named twice", n).isTrue()));
        assertThat(named).hasSize(2500);
        if (requestsBefore < 3) {
            Instant next = Instant.parse(associations.get(requestsBefore).get("time").asString());
            assertThat(Duration.between(healthy, next)).as("first association after the restart").isLessThan(Duration.ofSeconds(30));
            System.out.printf("RestartResumeTests: %s mid operation batch, restart healthy → next association %d ms%n",
                    kill ? "SIGKILL" : "SIGTERM", Duration.between(healthy, next).toMillis());
        }
        Await.until("the operations closed", () -> completeOperations(port) == 3, Duration.ofSeconds(60), API_POLL);
    }

    private static int completeOperations(int port) {
        try {
            return JSON.readTree(api(port, "GET", "/api/v1/operations?state=COMPLETE", null)).get("items").size();
        } catch (Exception e) {
            return -1;
        }
    }

    private List<JsonNode> associations() {
        var list = new java.util.ArrayList<JsonNode>();
        control.get("requests?path=/mdm/v2/assets/associate&uId=" + uId).forEach(list::add);
        return list;
    }

    /** Licenses of the batch's devices that Apple confirmed, read through the API a page at a time. */
    private static long licensed(int port) {
        try {
            long n = 0;
            String after = "";
            while (after != null) {
                JsonNode page = JSON.readTree(api(port, "GET", "/api/v1/licenses?adamId=361309726&origin=ORCHARD&limit=1000&after=" + after, null));
                for (JsonNode l : page.get("items")) {
                    n += !l.get("serialNumber").isNull() && l.get("serialNumber").asString().startsWith("BATCH") && !l.get("confirmedAt").isNull() ? 1 : 0;
                }
                after = page.get("next").isNull() ? null : page.get("next").asString();
            }
            return n;
        } catch (Exception | AssertionError stopped) {
            return -1;
        }
    }

    private static String api(int port, String method, String path, String json) throws Exception {
        var r = ChildOrchard.call(port, method, path, json);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
        return r.body();
    }

    /** The result of the account's oldest sync run once it ended, or null while it runs (or has not started). */
    /**
     * A graceful stop hands the sync back after the page it was applying: its task instance is no longer picked (any
     * node may take it at once, without waiting for the check for dead executions) and the run is still in progress at
     * its saved page, not failed.
     */
    private void assertHandedBack(Path data, long account) throws Exception {
        String url = "jdbc:h2:file:" + data.resolve("orchard").toAbsolutePath() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        try (var c = java.sql.DriverManager.getConnection(url, "orchard", "")) {
            var jdbc = org.springframework.jdbc.core.simple.JdbcClient.create(new org.springframework.jdbc.datasource.SingleConnectionDataSource(c, true));
            assertThat(jdbc.sql("select picked from scheduled_tasks where task_name = 'account-sync' and task_instance = ?")
                    .param(Long.toString(account)).query(Boolean.class).single()).as("the sync's task instance is picked; the node's log: %s",
                    childLogs()).isFalse();
            assertThat(jdbc.sql("select result from sync_runs where account_id = ? order by id desc limit 1").param(account)
                    .query(String.class).single()).isEqualTo("RUNNING");
        }
    }

    private String childLogs() throws java.io.IOException {
        var logs = new StringBuilder();
        try (var files = java.nio.file.Files.list(temp)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                String text = java.nio.file.Files.readString(f);
                logs.append(f.getFileName()).append(": ").append(text, Math.max(0, text.length() - 4000), text.length()).append('\n');
            }
        }
        return logs.toString();
    }

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
                "--orchard.public-url=http://127.0.0.1:" + port + "/", "--logging.level.dev.orchard.server.accounts.AccountWork=INFO"));
    }
}
