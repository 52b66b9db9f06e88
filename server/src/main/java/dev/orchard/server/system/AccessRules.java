package dev.orchard.server.system;

import java.util.List;
import java.util.Optional;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Who may call what, for the REST API and the admin UI alike: one ordered table, first match wins. Both security
 * filter chains are built from it and tests walk every mapped route against it, so a UI form can never allow what
 * its API counterpart refuses (an operator changing an account's priority in the UI while the API says admin only
 * was exactly that bug).
 *
 * <p>In words: reads need a viewer; managing accounts, API tokens, UI users, MDM servers, directory sources, alert
 * channels and rules and the settings page need an admin; every other change needs an operator. Health, the login
 * page and static files are open; the webhooks check their own secrets, and SCIM its own tokens (outside this table).
 */
public final class AccessRules {

    /** One rule: {@code method} null means any method; {@code role} null means open to anyone. */
    public record Rule(HttpMethod method, String pattern, Role role) {
        boolean matches(String requestMethod, String path) {
            return (method == null || method.matches(requestMethod))
                    && PARSER.parse(pattern).matches(PathContainer.parsePath(path));
        }
    }

    private static final PathPatternParser PARSER = PathPatternParser.defaultInstance;

    private static Rule rule(HttpMethod method, String pattern, Role role) {
        return new Rule(method, pattern, role);
    }

    private static final HttpMethod GET = HttpMethod.GET;
    private static final HttpMethod POST = HttpMethod.POST;
    private static final HttpMethod PUT = HttpMethod.PUT;
    private static final HttpMethod PATCH = HttpMethod.PATCH;
    private static final HttpMethod DELETE = HttpMethod.DELETE;
    private static final Role VIEWER = Role.VIEWER;
    private static final Role OPERATOR = Role.OPERATOR;
    private static final Role ADMIN = Role.ADMIN;

    /** The API's rules ({@code /api/**}). */
    public static final List<Rule> API = List.of(
            // managing API tokens
            rule(null, "/api/v1/tokens", ADMIN), rule(null, "/api/v1/tokens/**", ADMIN),
            // managing accounts (adding, renaming, reprioritising, removing, replacing the token, claiming)
            rule(POST, "/api/v1/accounts", ADMIN), rule(PATCH, "/api/v1/accounts/*", ADMIN),
            rule(DELETE, "/api/v1/accounts/*", ADMIN), rule(PUT, "/api/v1/accounts/*/token", ADMIN),
            rule(POST, "/api/v1/accounts/*/claim", ADMIN),
            // managing MDM servers
            rule(POST, "/api/v1/mdm/servers", ADMIN), rule(PATCH, "/api/v1/mdm/servers/*", ADMIN),
            rule(DELETE, "/api/v1/mdm/servers/*", ADMIN),
            // managing directory sources (bind DNs and passwords)
            rule(null, "/api/v1/directory/sources", ADMIN), rule(null, "/api/v1/directory/sources/**", ADMIN),
            // managing alert channels (recipients, webhook URLs) and rules
            rule(null, "/api/v1/alerts/channels", ADMIN), rule(null, "/api/v1/alerts/channels/**", ADMIN),
            rule(PUT, "/api/v1/alerts/rules", ADMIN),
            // managing UI users and unlocking sign-ins
            rule(null, "/api/v1/ui-users", ADMIN), rule(null, "/api/v1/ui-users/**", ADMIN),
            rule(GET, "/api/**", VIEWER),
            rule(null, "/api/**", OPERATOR));

    /** The admin UI's rules (everything outside {@code /api/**} and the webhooks). */
    public static final List<Rule> UI = List.of(
            rule(null, "/actuator/health", null), rule(null, "/actuator/health/**", null), rule(null, "/login", null),
            rule(null, "/error", null), rule(null, "/denied", null), rule(null, "/css/**", null), rule(null, "/js/**", null),
            rule(null, "/webjars/**", null), rule(null, "/favicon.ico", null), rule(null, "/favicon.svg", null),
            rule(null, "/actuator/**", VIEWER), rule(null, "/v3/api-docs/**", VIEWER), rule(null, "/v3/api-docs", VIEWER),
            rule(null, "/swagger-ui/**", VIEWER), rule(null, "/swagger-ui.html", VIEWER),
            // the settings page manages tokens, users and MDM servers: admins only, reading included
            rule(null, "/settings", ADMIN), rule(null, "/settings/**", ADMIN),
            // managing accounts, as in the API
            rule(POST, "/accounts", ADMIN), rule(POST, "/accounts/*/delete", ADMIN), rule(POST, "/accounts/*/token", ADMIN),
            rule(POST, "/accounts/*/priority", ADMIN), rule(POST, "/accounts/*/claim", ADMIN),
            // managing alert channels and rules, as in the API
            rule(POST, "/alerts/**", ADMIN),
            rule(POST, "/**", OPERATOR),
            rule(null, "/**", VIEWER));

    private AccessRules() {
    }

    /** The first rule that matches a request, from the API's table for {@code /api/**}, else the UI's. */
    public static Optional<Rule> ruleFor(String method, String path) {
        return (path.startsWith("/api/") ? API : UI).stream().filter(r -> r.matches(method, path)).findFirst();
    }

    /** The role a request needs; empty when it is open to anyone. */
    public static Optional<Role> required(String method, String path) {
        return ruleFor(method, path).map(Rule::role);
    }

    static PathPattern pattern(Rule rule) {
        return PARSER.parse(rule.pattern());
    }
}
