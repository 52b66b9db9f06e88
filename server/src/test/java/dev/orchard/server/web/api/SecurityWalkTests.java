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
import dev.orchard.server.system.AccessRules;
import tools.jackson.databind.JsonNode;
import dev.orchard.server.system.ApiTokens;
import dev.orchard.server.system.Role;

/** Walks every API endpoint the application maps: unauthenticated and wrong-role calls are refused. */
class SecurityWalkTests {

    record Endpoint(String method, String path) {
    }

    /** Endpoints only admins may call (a reviewed list: the rule table must keep them so). */
    private static final Set<String> ADMIN_ONLY = Set.of("POST /api/v1/accounts", "PATCH /api/v1/accounts/{id}",
            "DELETE /api/v1/accounts/{id}", "PUT /api/v1/accounts/{id}/token", "POST /api/v1/accounts/{id}/claim",
            "GET /api/v1/tokens", "POST /api/v1/tokens", "DELETE /api/v1/tokens/{id}", "POST /api/v1/mdm/servers",
            "PATCH /api/v1/mdm/servers/{id}", "DELETE /api/v1/mdm/servers/{id}", "GET /api/v1/ui-users",
            "POST /api/v1/ui-users", "DELETE /api/v1/ui-users/{username}", "GET /api/v1/ui-users/locks",
            "DELETE /api/v1/ui-users/locks/{kind}/{value}", "GET /api/v1/alerts/channels", "POST /api/v1/alerts/channels",
            "GET /api/v1/alerts/channels/{id}", "PATCH /api/v1/alerts/channels/{id}", "DELETE /api/v1/alerts/channels/{id}",
            "POST /api/v1/alerts/channels/{id}/test", "PUT /api/v1/alerts/rules", "GET /api/v1/directory/sources",
            "POST /api/v1/directory/sources", "GET /api/v1/directory/sources/{id}", "PATCH /api/v1/directory/sources/{id}",
            "DELETE /api/v1/directory/sources/{id}", "POST /api/v1/directory/sources/{id}/sync");

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
        return endpoints(true);
    }

    /** Every mapped route of the API ({@code api} true) or of the admin UI (false; the webhooks excluded). */
    static List<Endpoint> endpoints(boolean api) {
        var endpoints = new ArrayList<Endpoint>();
        var mapping = orchard.bean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
        for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
            for (String pattern : info.getPatternValues()) {
                boolean webhook = pattern.startsWith("/apple/") || pattern.startsWith("/mdm/") || pattern.startsWith("/scim/");
                if (pattern.startsWith("/api/") != api || webhook) {
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

    static String concrete(String pattern) {
        return pattern.replaceAll("\\{[^}]+}", "999999");
    }

    static final Role[] ROLES = {Role.VIEWER, Role.OPERATOR, Role.ADMIN};

    /** The rule table says what each route needs; the running server answers accordingly for every role. */
    @Test
    void rolesAreEnforcedOnEveryEndpoint() {
        Map<Role, String> tokenOf = Map.of(Role.VIEWER, viewer, Role.OPERATOR, operator, Role.ADMIN, ADMIN_TOKEN);
        for (Endpoint e : apiEndpoints()) {
            String key = e.method() + " " + e.path();
            Role needed = AccessRules.required(e.method(), concrete(e.path())).orElseThrow();
            assertThat(needed).as(key).isEqualTo(ADMIN_ONLY.contains(key) ? Role.ADMIN
                    : e.method().equals("GET") ? Role.VIEWER : Role.OPERATOR);
            for (Role role : ROLES) {
                int status = call(e, tokenOf.get(role)).status();
                if (role.compareTo(needed) >= 0) {
                    assertThat(status).as(key + " as " + role).isNotIn(401, 403);
                } else {
                    assertThat(status).as(key + " as " + role).isEqualTo(403);
                }
            }
        }
    }

    /**
     * Every admin UI form with the API operation it does the same as: both need the same role. A new UI form must be
     * added here (the test fails until it is), with its API twin.
     */
    static final Map<String, String> UI_TO_API = Map.ofEntries(
            Map.entry("POST /operations/{id}/retry", "POST /api/v1/operations/{id}/retry"),
            Map.entry("POST /operations/commands/{uuid}/retry", "POST /api/v1/mdm/commands/{uuid}/retry"),
            Map.entry("POST /operations/targets/{id}/cancel", "POST /api/v1/operations/targets/{id}/cancel"),
            Map.entry("POST /accounts/{id}/claim", "POST /api/v1/accounts/{id}/claim"),
            Map.entry("POST /groups", "PUT /api/v1/groups/{id}"),
            Map.entry("POST /groups/{id}/rename", "PUT /api/v1/groups/{id}"),
            Map.entry("POST /groups/{id}/members", "POST /api/v1/groups/{id}/members"),
            Map.entry("POST /groups/{id}/delete", "DELETE /api/v1/groups/{id}"),
            Map.entry("POST /operations/commands/{uuid}/push", "POST /api/v1/mdm/commands/{uuid}/push"),
            Map.entry("POST /labels", "POST /api/v1/labels"),
            Map.entry("POST /accounts/{id}/refresh", "POST /api/v1/accounts/{id}/refresh"),
            Map.entry("POST /leaks/{kind}/reclaim", "POST /api/v1/leaks/{kind}/reclaim"),
            Map.entry("POST /leaks/EXTERNAL/adopt", "POST /api/v1/leaks/EXTERNAL/adopt"),
            Map.entry("POST /devices/{serial}/retire", "POST /api/v1/devices/{serial}/retire"),
            Map.entry("POST /devices/{serial}/install", "POST /api/v1/mdm/installs"),
            Map.entry("POST /devices/{serial}/opt-outs/{adamId}/allow", "DELETE /api/v1/devices/{serial}/opt-outs/{adamId}"),
            Map.entry("POST /users/{id}/opt-outs/{adamId}/allow", "DELETE /api/v1/users/{id}/opt-outs/{adamId}"),
            Map.entry("POST /settings/tokens", "POST /api/v1/tokens"),
            Map.entry("POST /settings/tokens/{id}/revoke", "DELETE /api/v1/tokens/{id}"),
            Map.entry("POST /settings/users", "POST /api/v1/ui-users"),
            Map.entry("POST /settings/users/{username}/delete", "DELETE /api/v1/ui-users/{username}"),
            Map.entry("POST /settings/locks/unlock", "DELETE /api/v1/ui-users/locks/{kind}/{value}"),
            Map.entry("POST /settings/mdm-servers", "POST /api/v1/mdm/servers"),
            Map.entry("POST /settings/mdm-servers/{id}/delete", "DELETE /api/v1/mdm/servers/{id}"),
            Map.entry("POST /licenses/{id}/reclaim", "POST /api/v1/licenses/{id}/reclaim"),
            Map.entry("POST /apps/{adamId}/reclaim", "POST /api/v1/apps/{adamId}/reclaim"),
            Map.entry("POST /apps/{adamId}/settings", "PUT /api/v1/apps/{adamId}/settings"),
            Map.entry("POST /apps/{adamId}/install", "POST /api/v1/mdm/installs"),
            Map.entry("POST /apps/{adamId}/update", "POST /api/v1/mdm/updates"),
            Map.entry("POST /accounts", "POST /api/v1/accounts"),
            Map.entry("POST /accounts/{id}/sync", "POST /api/v1/accounts/{id}/sync"),
            Map.entry("POST /accounts/{id}/token", "PUT /api/v1/accounts/{id}/token"),
            Map.entry("POST /accounts/{id}/priority", "PATCH /api/v1/accounts/{id}"),
            Map.entry("POST /accounts/{id}/reclaim", "POST /api/v1/accounts/{id}/reclaim"),
            Map.entry("POST /accounts/{id}/delete", "DELETE /api/v1/accounts/{id}"),
            Map.entry("GET /settings", "GET /api/v1/tokens"),
            Map.entry("POST /alerts/channels", "POST /api/v1/alerts/channels"),
            Map.entry("POST /alerts/channels/{id}/test", "POST /api/v1/alerts/channels/{id}/test"),
            Map.entry("POST /alerts/channels/{id}/enabled", "PATCH /api/v1/alerts/channels/{id}"),
            Map.entry("POST /alerts/channels/{id}/delete", "DELETE /api/v1/alerts/channels/{id}"),
            Map.entry("POST /alerts/rules/{rule}", "PUT /api/v1/alerts/rules"),
            Map.entry("POST /settings/directory-sources", "POST /api/v1/directory/sources"),
            Map.entry("POST /settings/directory-sources/{id}/sync", "POST /api/v1/directory/sources/{id}/sync"),
            Map.entry("POST /settings/directory-sources/{id}/delete", "DELETE /api/v1/directory/sources/{id}"));

    @Test
    void everyUiFormNeedsTheRoleOfItsApiTwin() {
        var apiRoutes = apiEndpoints().stream().map(e -> e.method() + " " + e.path()).toList();
        for (Endpoint e : endpoints(false)) {
            String key = e.method() + " " + e.path();
            if (!e.method().equals("GET") || key.equals("GET /settings")) {
                assertThat(UI_TO_API).as("%s needs an entry in UI_TO_API", key).containsKey(key);
            }
        }
        UI_TO_API.forEach((ui, api) -> {
            assertThat(apiRoutes).as(api).contains(api);
            String[] u = ui.split(" ");
            String[] a = api.split(" ");
            assertThat(AccessRules.required(u[0], concrete(u[1]))).as(ui + " vs " + api)
                    .isEqualTo(AccessRules.required(a[0], concrete(a[1])));
        });
    }

    /** Every UI route, signed in with each role and signed out, answers as the table says. */
    @Test
    void theUiAnswersEveryRouteAsTheTableSays() {
        var uiUsers = orchard.bean(dev.orchard.server.system.UiUsers.class);
        Map<Role, OrchardInstance.Session> sessions = new java.util.EnumMap<>(Role.class);
        for (Role role : ROLES) {
            String name = "walk-" + role.name().toLowerCase();
            if (uiUsers.list().stream().noneMatch(u -> name.equals(u.username()))) {
                uiUsers.create(name, "walk-password-" + role, role);
            }
            sessions.put(role, orchard.login(name, "walk-password-" + role));
        }
        for (Endpoint e : endpoints(false)) {
            String key = e.method() + " " + e.path();
            String path = concrete(e.path());
            var needed = AccessRules.required(e.method(), path);
            var anonymous = orchard.send(HttpRequest.newBuilder(orchard.uri(path)).method(e.method(),
                    HttpRequest.BodyPublishers.noBody()).build());
            if (needed.isEmpty()) {
                assertThat(anonymous.status()).as(key + " anonymous").isNotIn(401, 403);
                continue;
            }
            if (e.method().equals("GET")) {
                assertThat(anonymous.status()).as(key + " anonymous").isEqualTo(302);
                assertThat(anonymous.header("Location")).as(key + " anonymous").endsWith("/login");
            } else {
                assertThat(anonymous.status()).as(key + " anonymous (no CSRF token, no session)").isIn(302, 403);
            }
            for (Role role : ROLES) {
                var r = orchard.ui(sessions.get(role), e.method(), path, e.method().equals("GET") ? null : "");
                if (role.compareTo(needed.get()) >= 0) {
                    assertThat(r.status()).as(key + " as " + role).isNotIn(401, 403);
                } else {
                    assertThat(r.status()).as(key + " as " + role).isEqualTo(403);
                }
            }
        }
    }

    @Test
    void everyAnswerCarriesTheProtectiveHeadersAndTheSessionCookieIsSameSite() {
        for (String path : new String[] {"/login", "/api/v1/accounts", "/actuator/health", "/mdm/nanomdm/webhook"}) {
            var r = path.startsWith("/mdm") ? orchard.post(path, null, "{}") : orchard.get(path, path.startsWith("/api") ? viewer : null);
            String csp = r.header("Content-Security-Policy");
            assertThat(csp).as(path).contains("script-src 'self';").contains("style-src 'self';").contains("frame-ancestors 'none'")
                    .contains("object-src 'none'").doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
            assertThat(r.header("Referrer-Policy")).as(path).isEqualTo("same-origin");
            assertThat(r.header("Permissions-Policy")).as(path).contains("camera=()");
            assertThat(r.header("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
            assertThat(r.header("X-Frame-Options")).as(path).isEqualTo("DENY");
            assertThat(r.header("Strict-Transport-Security")).as(path + ": HSTS only over HTTPS").isNull();
        }
        String cookie = orchard.get("/login", null).header("Set-Cookie");
        assertThat(cookie).contains("HttpOnly").containsIgnoringCase("SameSite=Lax").doesNotContain("Secure");
        assertThat(orchard.get("/swagger-ui/index.html", viewer).header("Content-Security-Policy")).contains("'unsafe-inline'");
    }

    /**
     * Swagger UI's "Try it out" as a signed-in administrator: the API takes the session; a change needs the session's
     * CSRF token in X-XSRF-TOKEN (the pages put it in a meta tag for Swagger UI); the role is the session's; the API
     * never creates a session; a removed user's session is refused.
     */
    @Test
    void theSignedInSessionCallsTheApiAsSwaggerUiDoes() {
        var users = orchard.bean(dev.orchard.server.system.UiUsers.class);
        users.create("swagger-op", "swagger-password-1", Role.OPERATOR);
        var session = orchard.login("swagger-op", "swagger-password-1");
        String page = orchard.ui(session, "GET", "/", null).body();
        String token = page.replaceAll("(?s).*<meta name=\"xsrf-token\" content=\"([^\"]+)\".*", "$1");
        assertThat(token).isNotBlank().doesNotContain("<");
        // Swagger UI reads it from the session storage, where orchard.js puts it, and sends it as X-XSRF-TOKEN
        assertThat(orchard.get("/swagger-ui/swagger-initializer.js", viewer).body())
                .contains("sessionStorage.getItem('XSRF-TOKEN')").contains("X-XSRF-TOKEN");

        var read = orchard.send(HttpRequest.newBuilder(orchard.uri("/api/v1/accounts")).header("Cookie", session.cookie()).GET().build());
        assertThat(read.status()).isEqualTo(200);
        String group = "{\"name\":\"Swagger\"}";
        var noToken = orchard.send(HttpRequest.newBuilder(orchard.uri("/api/v1/groups/swagger")).header("Cookie", session.cookie())
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(group)).build());
        assertThat(noToken.status()).as("a change with the session needs the CSRF token").isEqualTo(403);
        var basic = orchard.send(HttpRequest.newBuilder(orchard.uri("/api/v1/groups/swagger")).header("Cookie", session.cookie())
                .header("Authorization", "Basic Zm9vOmJhcg==").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(group)).build());
        assertThat(basic.status()).as("only an API token spares the CSRF token").isEqualTo(403);
        var withToken = orchard.send(HttpRequest.newBuilder(orchard.uri("/api/v1/groups/swagger")).header("Cookie", session.cookie())
                .header("X-XSRF-TOKEN", token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(group)).build());
        assertThat(withToken.status()).isEqualTo(200);
        var adminOnly = orchard.send(HttpRequest.newBuilder(orchard.uri("/api/v1/tokens")).header("Cookie", session.cookie()).GET().build());
        assertThat(adminOnly.status()).as("the session's role, operator").isEqualTo(403);
        var anonymous = orchard.send(HttpRequest.newBuilder(orchard.uri("/api/v1/accounts")).GET().build());
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("Set-Cookie")).as("the API creates no session").isNull();

        users.delete("swagger-op");
        var ended = orchard.send(HttpRequest.newBuilder(orchard.uri("/api/v1/accounts")).header("Cookie", session.cookie()).GET().build());
        assertThat(ended.status()).as("a removed user's session").isEqualTo(401);
    }

    /** Every operation in the OpenAPI description names the problems it can answer, as problem+json documents. */
    @Test
    void theOpenApiDescriptionDocumentsEveryErrorResponse() {
        JsonNode docs = orchard.get("/v3/api-docs", viewer).json();
        int operations = 0;
        for (var path : docs.get("paths").properties()) {
            for (var op : path.getValue().properties()) {
                operations++;
                JsonNode responses = op.getValue().get("responses");
                var expected = new java.util.ArrayList<>(List.of("400", "401", "403", "500"));
                if (path.getKey().contains("{")) {
                    expected.add("404");
                }
                if (!op.getKey().equals("get")) {
                    expected.addAll(List.of("409", "413", "503"));
                }
                for (String status : expected) {
                    assertThat(responses.path(status).path("content").path("application/problem+json").path("schema")
                            .path("$ref").asString("")).as("%s %s %s", op.getKey(), path.getKey(), status)
                            .isEqualTo("#/components/schemas/Problem");
                }
            }
        }
        assertThat(operations).isGreaterThan(50);
        // what an operation answers on success is what it documents
        assertThat(docs.at("/paths/~1api~1v1~1accounts/post/responses").has("201")).isTrue();
        assertThat(docs.at("/paths/~1api~1v1~1accounts/post/responses").has("200")).isFalse();
        assertThat(docs.at("/paths/~1api~1v1~1accounts~1{id}~1sync/post/responses").has("202")).isTrue();
        assertThat(docs.at("/paths/~1api~1v1~1accounts~1{id}/delete/responses").has("204")).isTrue();
        assertThat(docs.at("/paths/~1api~1v1~1tokens/post/responses").has("201")).isTrue();
        assertThat(docs.at("/paths/~1api~1v1~1ui-users~1{username}/delete/responses").has("200")).isFalse();
        assertThat(docs.get("components").get("schemas").get("Problem").get("properties").has("type")).isTrue();
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
