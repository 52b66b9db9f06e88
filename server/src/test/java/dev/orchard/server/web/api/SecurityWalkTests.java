package dev.orchard.server.web.api;

import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.MutableClock;
import dev.orchard.server.OrchardInstance;
import dev.orchard.server.system.ApiTokens;
import dev.orchard.server.system.Role;

/** Walks every API endpoint the application maps: unauthenticated and wrong-role calls are refused. */
class SecurityWalkTests {

    record Endpoint(String method, String path) {
    }

    /** Endpoints only admins may call; every other write needs an operator, every read a viewer. */
    private static final Set<String> ADMIN_ONLY = Set.of("POST /api/v1/accounts", "PATCH /api/v1/accounts/{id}",
            "DELETE /api/v1/accounts/{id}", "PUT /api/v1/accounts/{id}/token", "POST /api/v1/accounts/{id}/claim",
            "GET /api/v1/tokens", "POST /api/v1/tokens", "DELETE /api/v1/tokens/{id}", "POST /api/v1/mdm/servers",
            "PATCH /api/v1/mdm/servers/{id}", "DELETE /api/v1/mdm/servers/{id}");

    @TempDir
    static Path dataDir;
    static AppleSimulator sim;
    static OrchardInstance orchard;
    static String viewer;
    static String operator;
    static String revoked;

    @BeforeAll
    static void start() {
        sim = AppleSimulator.builder().rateLimit(0).start();
        orchard = OrchardInstance.start(sim, dataDir, null, new MutableClock(Instant.now()), "node-a", Map.of());
        ApiTokens tokens = orchard.bean(ApiTokens.class);
        viewer = tokens.create("viewer", Role.VIEWER, "test").value();
        operator = tokens.create("operator", Role.OPERATOR, "test").value();
        var r = tokens.create("revoked", Role.ADMIN, "test");
        tokens.revoke(r.token().id());
        revoked = r.value();
    }

    @AfterAll
    static void stop() {
        orchard.close();
        sim.stop();
    }

    static List<Endpoint> apiEndpoints() {
        var endpoints = new ArrayList<Endpoint>();
        var mapping = orchard.bean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api/")) {
                    continue;
                }
                Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                for (RequestMethod m : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                    endpoints.add(new Endpoint(m.name(), pattern));
                }
            }
        }
        return endpoints;
    }

    private OrchardInstance.Response call(Endpoint e, String token) {
        var b = HttpRequest.newBuilder(orchard.uri(e.path().replaceAll("\\{[^}]+}", "999999"))).header("Content-Type", "application/json")
                .method(e.method(), e.method().equals("GET") || e.method().equals("DELETE")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return orchard.send(b.build());
    }

    @Test
    void theWalkCoversTheApi() {
        assertThat(apiEndpoints()).extracting(e -> e.method() + " " + e.path())
                .contains("GET /api/v1/accounts", "POST /api/v1/accounts", "DELETE /api/v1/accounts/{id}",
                        "POST /api/v1/accounts/{id}/refresh", "GET /api/v1/demo", "POST /api/v1/tokens")
                .hasSizeGreaterThanOrEqualTo(14);
    }

    @Test
    void nothingUnderApiAnswersWithoutAValidToken() {
        for (Endpoint e : apiEndpoints()) {
            for (String token : new String[] {null, "not-a-token", revoked}) {
                var r = call(e, token);
                assertThat(r.status()).as(e + " with " + token).isEqualTo(401);
                assertThat(r.json().get("type").asString()).isEqualTo("https://orchard.dev/problems/unauthenticated");
            }
        }
    }

    @Test
    void rolesAreEnforcedOnEveryEndpoint() {
        for (Endpoint e : apiEndpoints()) {
            String key = e.method() + " " + e.path();
            boolean read = e.method().equals("GET") && !ADMIN_ONLY.contains(key);
            int asViewer = call(e, viewer).status();
            int asOperator = call(e, operator).status();
            int asAdmin = call(e, ADMIN_TOKEN).status();
            if (read) {
                assertThat(asViewer).as(key + " as viewer").isNotIn(401, 403);
            } else {
                assertThat(asViewer).as(key + " as viewer").isEqualTo(403);
            }
            if (ADMIN_ONLY.contains(key)) {
                assertThat(asOperator).as(key + " as operator").isEqualTo(403);
            } else {
                assertThat(asOperator).as(key + " as operator").isNotIn(401, 403);
            }
            assertThat(asAdmin).as(key + " as admin").isNotIn(401, 403);
        }
    }

    @Test
    void onlyHealthAndWebhooksAreOpen() {
        assertThat(orchard.get("/actuator/health", null).status()).isEqualTo(200);
        assertThat(orchard.get("/actuator/prometheus", null).status()).isEqualTo(302);
        assertThat(orchard.get("/actuator/prometheus", viewer).status()).isEqualTo(200);
        assertThat(orchard.get("/v3/api-docs", null).status()).isEqualTo(302);
        assertThat(orchard.get("/v3/api-docs", viewer).status()).isEqualTo(200);
        assertThat(orchard.get("/", null).status()).isEqualTo(302);
        assertThat(orchard.get("/", null).header("Location")).endsWith("/login");
        assertThat(orchard.post("/apple/notifications/any", null, "{}").status()).isEqualTo(403);
    }

    @Test
    void theLocalAdminLogsInWithAFormAndCsrf() {
        var page = orchard.get("/login", null);
        assertThat(page.status()).isEqualTo(200);
        String csrf = page.body().replaceAll("(?s).*name=\"_csrf\"[^>]*value=\"([^\"]+)\".*", "$1");
        String cookie = page.header("Set-Cookie").split(";")[0];

        var withoutCsrf = orchard.send(HttpRequest.newBuilder(orchard.uri("/login")).header("Cookie", cookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=admin&password=" + OrchardInstance.ADMIN_PASSWORD)).build());
        assertThat(withoutCsrf.status()).isEqualTo(403);

        var wrong = orchard.send(HttpRequest.newBuilder(orchard.uri("/login")).header("Cookie", cookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=admin&password=nope&_csrf=" + csrf)).build());
        assertThat(wrong.header("Location")).contains("/login?error");

        var ok = orchard.send(HttpRequest.newBuilder(orchard.uri("/login")).header("Cookie", cookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=admin&password=" + OrchardInstance.ADMIN_PASSWORD
                        + "&_csrf=" + csrf)).build());
        assertThat(ok.status()).isEqualTo(302);
        assertThat(ok.header("Location")).doesNotContain("error");
    }

    @Test
    void tokensAreShownOnceStoredHashedAndRevocable() {
        var created = orchard.post("/api/v1/tokens", ADMIN_TOKEN, "{\"name\":\"ci\",\"role\":\"operator\"}");
        assertThat(created.status()).isEqualTo(201);
        String value = created.json().get("value").asString();
        long id = created.json().get("token").get("id").asLong();
        assertThat(value).startsWith("orch_").hasSizeGreaterThan(40);
        assertThat(orchard.get("/api/v1/tokens", ADMIN_TOKEN).body()).doesNotContain(value);
        assertThat(orchard.bean(org.springframework.jdbc.core.simple.JdbcClient.class)
                .sql("select count(*) from api_tokens where token_hash = ?").param(value).query(Long.class).single()).isZero();
        assertThat(orchard.get("/api/v1/accounts", value).status()).isEqualTo(200);

        assertThat(orchard.method("DELETE", "/api/v1/tokens/" + id, ADMIN_TOKEN, null).status()).isEqualTo(204);
        assertThat(orchard.get("/api/v1/accounts", value).status()).isEqualTo(401);
        assertThat(orchard.post("/api/v1/tokens", ADMIN_TOKEN, "{\"name\":\"x\",\"role\":\"root\"}").status()).isEqualTo(400);
        assertThat(orchard.bean(ApiTokens.class).list()).filteredOn(t -> t.name().equals("bootstrap")).hasSize(1);
    }
}
