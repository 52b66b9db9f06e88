package dev.orchard.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.support.BeanDefinitionBuilder;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.orchard.applesim.AppleSimulator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Orchard server for integration tests: its own port, its database (H2 file under a data directory, or
 * a PostgreSQL URL), pointed at a simulator, with a clock the test moves. Several may share one database, as
 * nodes of a cluster do.
 */
public final class OrchardInstance implements AutoCloseable {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    public static final String ADMIN_PASSWORD = "test-admin-password";
    /**
     * How the tests configure it: hashed once per test JVM (at bcrypt's lowest cost), as an operator may give it, so
     * no start spends a tenth of its time hashing it again; {@code ChildOrchard} and the browser tests configure a
     * plain password.
     */
    static final String ADMIN_PASSWORD_HASH = "{bcrypt}"
            + new org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder(4).encode(ADMIN_PASSWORD);
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** An HTTP answer with its body read as JSON when it is JSON. */
    public record Response(int status, String body, HttpResponse<String> raw) {
        public JsonNode json() {
            return body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private final ConfigurableApplicationContext context;
    private final int port;
    private final Clock clock;
    /** The scheduler the test steps; null when db-scheduler runs on its own threads. */
    private final com.github.kagkarlsson.scheduler.testhelper.ManualScheduler stepper;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private OrchardInstance(ConfigurableApplicationContext context, int port, Clock clock) {
        this.context = context;
        this.port = port;
        this.clock = clock;
        this.stepper = context.getBeanProvider(com.github.kagkarlsson.scheduler.testhelper.ManualScheduler.class).getIfAvailable();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts Orchard against the simulator; {@code databaseUrl} null means the H2 file under {@code dataDir}. */
    public static OrchardInstance start(AppleSimulator sim, Path dataDir, String databaseUrl, Clock clock,
                                        String nodeName, Map<String, Object> extra) {
        return start(sim, dataDir, databaseUrl, clock, nodeName, extra, false);
    }

    /**
     * Starts Orchard; {@code stepped}: its background work runs only when the test steps it ({@link #step}), on
     * db-scheduler's {@code ManualScheduler} with the test's clock, instead of on db-scheduler's own threads.
     */
    public static OrchardInstance start(AppleSimulator sim, Path dataDir, String databaseUrl, Clock clock,
                                        String nodeName, Map<String, Object> extra, boolean stepped) {
        int port = freePort();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("server.port", port);
        p.put("orchard.data-dir", dataDir.toString());
        p.put("orchard.apple.base-url", sim.v2Uri().toString());
        p.put("orchard.apple.content-lookup-url", sim.contentLookupUri().toString());
        p.put("orchard.apple.store-lookup-url", sim.storeLookupUri().toString());
        p.put("orchard.security.bootstrap-api-token", ADMIN_TOKEN);
        p.put("orchard.security.admin-password", ADMIN_PASSWORD_HASH);
        p.put("db-scheduler.polling-interval", "100ms");
        p.put("db-scheduler.scheduler-name", nodeName);
        p.put("db-scheduler.heartbeat-interval", "1s");
        p.put("logging.level.dev.orchard", "INFO");
        if (databaseUrl != null) {
            p.put("spring.datasource.url", databaseUrl);
            p.put("spring.datasource.username", databaseUrl.startsWith("jdbc:postgresql") ? "postgres" : "sa");
        }
        p.putAll(extra);
        if (!p.containsKey("spring.datasource.url")) {
            TestDatabases.seedH2File(dataDir);
        }
        // as command-line arguments: they override application.yml, as an operator's settings would
        String[] args = p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(OrchardApplication.class)
                .initializers(ctx -> ((BeanDefinitionRegistry) ctx.getBeanFactory()).registerBeanDefinition("testClock",
                        BeanDefinitionBuilder.genericBeanDefinition(Clock.class, () -> clock).setPrimary(true)
                                .getBeanDefinition()))
                .initializers(ctx -> {
                    if (stepped) {
                        ((BeanDefinitionRegistry) ctx.getBeanFactory()).registerBeanDefinition("scheduler", BeanDefinitionBuilder
                                .genericBeanDefinition(com.github.kagkarlsson.scheduler.testhelper.ManualScheduler.class,
                                        () -> SteppedScheduler.build(ctx.getBeanFactory(), clock)).getBeanDefinition());
                    }
                })
                .run(args);
        return new OrchardInstance(context, Integer.parseInt(context.getEnvironment().getProperty("local.server.port")), clock);
    }

    /**
     * Runs the background work that is due now, and what that work made due now, until none is left (at most 200
     * runs). Only for an instance started {@code stepped}.
     */
    public void step() {
        if (stepper == null) {
            throw new IllegalStateException("this Orchard runs its background work on db-scheduler's threads");
        }
        var jdbc = bean(org.springframework.jdbc.core.simple.JdbcClient.class);
        for (int round = 0; round < 200; round++) {
            long due = jdbc.sql("select count(*) from scheduled_tasks where picked = false and execution_time <= ?")
                    .param(java.sql.Timestamp.from(clock.instant())).query(Long.class).single();
            if (due == 0) {
                return;
            }
            stepper.runAnyDueExecutions();
        }
    }

    /**
     * Waits until the condition holds: a stepped instance's due work is run between two checks; what other threads
     * do (Apple's notifications, the simulator's events) is waited for.
     */
    public void until(String what, java.util.function.BooleanSupplier condition) {
        if (stepper == null) {
            Await.until(what, condition);
            return;
        }
        Await.until(what, () -> {
            step();
            return condition.getAsBoolean();
        });
    }

    /** Waits until the account has finished at least {@code runs} sync runs and none is running. */
    public void awaitSyncs(long accountId, int runs) {
        until("account " + accountId + " synced " + runs + " times", () -> {
            JsonNode s = get("/api/v1/accounts/" + accountId + "/sync", ADMIN_TOKEN).json();
            long done = 0;
            for (JsonNode r : s.get("history")) {
                if (!"RUNNING".equals(r.get("result").asString())) {
                    done++;
                }
            }
            return done >= runs && s.get("progress").get("runId").isNull();
        });
        var jdbc = bean(org.springframework.jdbc.core.simple.JdbcClient.class);
        // the run has rescheduled itself (tests that move the clock next must not move it under the completion)
        until("account " + accountId + " sync rescheduled", () -> jdbc.sql(
                "select count(*) from scheduled_tasks where task_name = 'account-sync' and task_instance = ? and picked = true")
                .param(Long.toString(accountId)).query(Long.class).single() == 0);
        // the metadata refresh that follows a sync calls Apple too: let it finish so tests count only their own calls
        until("account " + accountId + " catalog refreshed", () -> jdbc.sql(
                "select count(*) from scheduled_tasks where task_name = 'catalog-refresh' and task_instance = ?")
                .param(Long.toString(accountId)).query(Long.class).single() == 0);
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public <T> T bean(String name, Class<T> type) {
        return context.getBean(name, type);
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public int port() {
        return port;
    }

    public Response get(String path, String token) {
        return send(request(path, token).GET().build());
    }

    public Response post(String path, String token, String json) {
        return send(request(path, token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json)).build());
    }

    public Response method(String method, String path, String token, String json) {
        var b = request(path, token);
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return send(b.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** A multipart/form-data POST or PUT with one file part named "token" and some text fields. */
    public Response upload(String method, String path, String token, String fileContent, Map<String, String> fields) {
        String boundary = "orchard-test-boundary";
        var body = new StringBuilder();
        fields.forEach((k, v) -> body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"")
                .append(k).append("\"\r\n\r\n").append(v).append("\r\n"));
        body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"token\"; filename=\"org.vpptoken\"\r\n")
                .append("Content-Type: application/octet-stream\r\n\r\n").append(fileContent).append("\r\n--")
                .append(boundary).append("--\r\n");
        return send(request(path, token).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString())).build());
    }

    /** A signed-in browser session of the admin UI: its cookie and a CSRF token for its forms. */
    public record Session(String cookie, String csrf) {
    }

    /** Posts the login form from a fresh session; the answer is the redirect (to "/" or back to the login page). */
    public Response submitLogin(String user, String password) {
        return loginWith(user, password).raw;
    }

    /** Signs in to the admin UI; fails unless the sign-in succeeds. */
    public Session login(String user, String password) {
        var attempt = loginWith(user, password);
        if (attempt.raw.status() != 302 || !"/".equals(java.net.URI.create(attempt.raw.header("Location")).getPath())) {
            throw new IllegalStateException("sign-in of " + user + " failed: " + attempt.raw.status() + " " + attempt.raw.header("Location"));
        }
        String cookie = attempt.raw.header("Set-Cookie") == null ? attempt.cookie : attempt.raw.header("Set-Cookie").split(";")[0];
        var page = ui(new Session(cookie, null), "GET", "/", null);
        return new Session(cookie, csrfOf(page.body()));
    }

    private record Attempt(Response raw, String cookie) {
    }

    private Attempt loginWith(String user, String password) {
        var page = get("/login", null);
        String cookie = page.header("Set-Cookie").split(";")[0];
        var r = send(HttpRequest.newBuilder(uri("/login")).header("Cookie", cookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + form(user) + "&password=" + form(password)
                        + "&_csrf=" + form(csrfOf(page.body())))).build());
        return new Attempt(r, cookie);
    }

    /** A request in a UI session; {@code form} (url-encoded pairs) gets the session's CSRF token added. */
    public Response ui(Session session, String method, String path, String form) {
        var b = HttpRequest.newBuilder(uri(path)).header("Cookie", session.cookie());
        if (form != null || !method.equals("GET")) {
            String body = (form == null || form.isEmpty() ? "" : form + "&") + "_csrf=" + form(String.valueOf(session.csrf()));
            b.header("Content-Type", "application/x-www-form-urlencoded").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.GET();
        }
        return send(b.build());
    }

    public static String form(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The page's CSRF token: a form's hidden field, else the page's {@code xsrf-token} meta (a page without a form). */
    static String csrfOf(String html) {
        var m = java.util.regex.Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(html);
        if (m.find()) {
            return m.group(1);
        }
        var meta = java.util.regex.Pattern.compile("name=\"xsrf-token\"[^>]*content=\"([^\"]+)\"").matcher(html);
        return meta.find() ? meta.group(1) : null;
    }

    public Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(String path, String token) {
        var b = HttpRequest.newBuilder(uri(path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    @Override
    public void close() {
        context.close();
    }
}
