package dev.orchard.server.bench;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;


/**
 * Benchmark, not a test. Fills Orchard (H2, -Xmx as given) with a large organisation — 1,000,000 licenses synced from
 * the simulator and 200,000 devices — then logs in to the admin UI like a browser and times every list and detail
 * page (server time to the last byte, 7 requests each after one warm-up), reporting median and worst.
 *
 * <pre>mvn -B -pl server -am -Pbench -DskipTests verify -Dbench.main=dev.orchard.server.bench.UiPagesBench
 *     [-Dbench.assignments=1000000] [-Dbench.devices=200000]</pre>
 */
public final class UiPagesBench {

    private static final String PASSWORD = "bench-admin-password";

    private UiPagesBench() {
    }

    public static void main(String[] args) throws Exception {
        int assignments = Integer.getInteger("bench.assignments", 1_000_000);
        int devices = Integer.getInteger("bench.devices", 200_000);
        Path simJar = Path.of(System.getProperty("bench.simulatorJar", "../apple-simulator/target/apple-simulator.jar"));
        int simPort = BenchSupport.freePort();
        Process sim = BenchSupport.startSimulator(simJar, simPort);
        try {
            URI base = URI.create("http://127.0.0.1:" + simPort + "/");
            BenchSupport.post(base.resolve("_sim/settings"), "{\"rateLimit\":0}");
            var location = BenchSupport.post(base.resolve("_sim/locations"), "{\"orgName\":\"UI bench\",\"countryCode\":\"US\"}");
            String uId = location.get("uId").asString();
            BenchSupport.post(base.resolve("_sim/locations/" + uId + "/generate"), "{\"assets\":20,\"assignments\":" + assignments + "}");
            run(base, location.get("sToken").asString(), assignments, devices);
        } finally {
            sim.destroy();
        }
    }

    private static void run(URI sim, String sToken, int assignments, int devices) throws Exception {
        Path data = Files.createTempDirectory("orchard-ui-bench");
        int port = BenchSupport.freePort();
        ConfigurableApplicationContext orchard = BenchSupport.startOrchard(sim, port, data,
                "--orchard.security.admin-password=" + PASSWORD);
        try {
            String root = "http://127.0.0.1:" + port;
            JdbcClient db = orchard.getBean(JdbcClient.class);
            long started = System.nanoTime();
            URI api = URI.create(root + "/api/v1/");
            BenchSupport.api(api, "POST", "accounts", "{\"sToken\":\"" + sToken + "\",\"takeOver\":true}");
            BenchSupport.uploadDevices(api, "UIB", devices, ",\"country\":\"US\",\"model\":\"iPhone15,2\"");
            BenchSupport.await(() -> db.sql("select count(*) from licenses").query(Long.class).single() >= assignments
                    && db.sql("select count(*) from sync_runs where finished_at is not null").query(Long.class).single() >= 1, 2);
            System.out.printf("%n[ui] %,d licenses and %,d devices loaded in %.0f s%n", assignments, devices,
                    (System.nanoTime() - started) / 1e9);
            String adamId = db.sql("select adam_id from pools order by adam_id limit 1").query(String.class).single();
            long midLicense = db.sql("select max(id) / 2 from licenses").query(Long.class).single();

            HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            String login = browser.send(HttpRequest.newBuilder(URI.create(root + "/login")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(login);
            if (!csrf.find()) {
                throw new IllegalStateException("no CSRF token on the login page");
            }
            var form = "username=admin&password=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + "&_csrf="
                    + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
            browser.send(HttpRequest.newBuilder(URI.create(root + "/login")).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.discarding());

            List<String> pages = List.of("/", "/fragments/cards", "/accounts", "/accounts/1", "/accounts/1/progress", "/apps",
                    "/apps/" + adamId, "/apps/" + adamId + "?after=" + midLicense, "/devices", "/devices?after=UIB0150000",
                    "/devices?q=UIB01234", "/devices?q=uib0199", "/devices?q=iPhone15", "/devices/UIB0123456", "/operations", "/audit", "/settings");
            System.out.printf("%-40s %10s %10s %8s%n", "page", "median ms", "worst ms", "status");
            for (String page : pages) {
                double[] ms = new double[7];
                int status = 0;
                browser.send(HttpRequest.newBuilder(URI.create(root + page)).build(), HttpResponse.BodyHandlers.discarding());
                for (int i = 0; i < ms.length; i++) {
                    long t = System.nanoTime();
                    status = browser.send(HttpRequest.newBuilder(URI.create(root + page)).build(),
                            HttpResponse.BodyHandlers.ofByteArray()).statusCode();
                    ms[i] = (System.nanoTime() - t) / 1e6;
                }
                Arrays.sort(ms);
                System.out.printf("%-40s %10.1f %10.1f %8d%n", page, ms[ms.length / 2], ms[ms.length - 1], status);
            }
        } finally {
            orchard.close();
        }
    }
}
