package dev.orchard.server.system;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * Who may call what. Everything needs authentication except health and the webhooks (Apple notifications, MDM
 * events), which check their own secrets. The REST API takes bearer API tokens and no cookies; the admin UI
 * uses form login with CSRF protection. Roles nest: admin ⊃ operator ⊃ viewer.
 *
 * <p>Who may do what is one table for the API and the UI alike: {@link AccessRules}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    static RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.withDefaultRolePrefix()
                .role("ADMIN").implies("OPERATOR")
                .role("OPERATOR").implies("VIEWER")
                .build();
    }

    /**
     * The admin UI runs only its own script and styles: no inline script, no style attribute, no framing, forms post
     * only here. Images may also come over HTTPS (app artwork is on Apple's CDN) and from the origin of the configured
     * Apple lookups (the simulator serves artwork there). Swagger UI (a third-party page) also needs inline styles.
     */
    static String csp(String imageSources, boolean swagger) {
        return "default-src 'self'; script-src 'self'; style-src 'self'" + (swagger ? " 'unsafe-inline'" : "")
                + "; img-src 'self' data: https:" + imageSources + "; font-src 'self'; connect-src 'self'; object-src 'none'; "
                + "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
    }

    /** The origins of the configured Apple lookups when they are plain http (a simulator), for img-src. */
    static String artworkOrigins(org.springframework.core.env.Environment env) {
        var origins = new java.util.TreeSet<String>();
        for (String key : new String[] {"orchard.apple.content-lookup-url", "orchard.apple.store-lookup-url", "orchard.apple.base-url"}) {
            String value = env.getProperty(key);
            if (value != null && value.startsWith("http://")) {
                java.net.URI u = java.net.URI.create(value);
                origins.add(" " + u.getScheme() + "://" + u.getAuthority());
            }
        }
        return String.join("", origins);
    }

    /** The same protective headers on every answer. HSTS is sent on HTTPS requests only (see the README's TLS notes). */
    static void headers(HttpSecurity http, org.springframework.core.env.Environment env) throws Exception {
        String images = artworkOrigins(env);
        String page = csp(images, false);
        String swagger = csp(images, true);
        http.headers(h -> h
                .addHeaderWriter((request, response) -> response.setHeader("Content-Security-Policy",
                        request.getRequestURI().startsWith(request.getContextPath() + "/swagger-ui") ? swagger : page))
                .referrerPolicy(r -> r.policy(org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter
                        .ReferrerPolicy.SAME_ORIGIN))
                .permissionsPolicyHeader(p -> p.policy("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                        + "interest-cohort=()"))
                .frameOptions(f -> f.deny())
                .httpStrictTransportSecurity(hsts -> hsts.maxAgeInSeconds(31_536_000).includeSubDomains(true))
                .crossOriginOpenerPolicy(c -> c.policy(org.springframework.security.web.header.writers
                        .CrossOriginOpenerPolicyHeaderWriter.CrossOriginOpenerPolicy.SAME_ORIGIN))
                .crossOriginResourcePolicy(c -> c.policy(org.springframework.security.web.header.writers
                        .CrossOriginResourcePolicyHeaderWriter.CrossOriginResourcePolicy.SAME_ORIGIN)));
    }

    /**
     * The API: an API token ({@code Authorization: Bearer}), or the admin UI's signed-in session, so Swagger UI's "Try it
     * out" works for whoever is signed in. The API never creates a session. A change made with the session (no
     * Authorization header, a session cookie) needs the session's CSRF token in {@code X-XSRF-TOKEN}: the pages keep it
     * in the browser's session storage, where Swagger UI reads it. A request with a token needs none: another site
     * cannot make a browser send an Authorization header.
     */
    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http, ApiTokens tokens, org.springframework.core.env.Environment env, JdbcClient jdbc)
            throws Exception {
        headers(http, env);
        http.securityMatcher("/api/**")
                .csrf(c -> c.csrfTokenRepository(csrfTokens()).requireCsrfProtectionMatcher(SecurityConfiguration::changeBySession))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.NEVER))
                .securityContext(c -> c.securityContextRepository(new org.springframework.security.web.context
                        .DelegatingSecurityContextRepository(new org.springframework.security.web.context
                        .RequestAttributeSecurityContextRepository(), new org.springframework.security.web.context
                        .HttpSessionSecurityContextRepository())))
                .requestCache(c -> c.disable())
                .addFilterBefore(new ApiTokenFilter(tokens), AnonymousAuthenticationFilter.class)
                .addFilterBefore(endedSessions(jdbc, true), org.springframework.security.web.access.intercept.AuthorizationFilter.class)
                .authorizeHttpRequests(a -> apply(a, AccessRules.API))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((req, res, ex) -> Problems.write(res, HttpStatus.UNAUTHORIZED,
                                "unauthenticated", "Not authenticated",
                                "Send an API token as 'Authorization: Bearer <token>'."))
                        .accessDeniedHandler((req, res, ex) -> Problems.write(res, HttpStatus.FORBIDDEN,
                                "forbidden", "Not allowed", "Your role does not allow this action.")));
        return http.build();
    }

    /**
     * SCIM provisioning ({@code /scim/v2/**}): a SCIM token only (an API token or a session is refused), no session, no
     * CSRF (no cookie is ever read here); errors in SCIM's own format.
     */
    @Bean
    @Order(2)
    SecurityFilterChain scim(HttpSecurity http, ApiTokens tokens, org.springframework.core.env.Environment env) throws Exception {
        headers(http, env);
        http.securityMatcher("/scim/v2/**")
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.disable())
                .addFilterBefore(new ApiTokenFilter(tokens, ApiTokens.Scope.SCIM, SecurityConfiguration::scimRefusal),
                        AnonymousAuthenticationFilter.class)
                .exceptionHandling(e -> e.authenticationEntryPoint((req, res, ex) -> scimRefusal(res)))
                .authorizeHttpRequests(a -> a.anyRequest().hasRole("SCIM"));
        return http.build();
    }

    /** SCIM's answer to a request without a valid SCIM token (RFC 7644 §3.12). */
    private static void scimRefusal(jakarta.servlet.http.HttpServletResponse response) throws java.io.IOException {
        response.setStatus(401);
        response.setContentType("application/scim+json");
        response.setHeader("WWW-Authenticate", "Bearer");
        response.getWriter().write("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"401\","
                + "\"detail\":\"Send a SCIM token (scope SCIM) as 'Authorization: Bearer <token>'.\"}");
    }

    @Bean
    @Order(2)
    SecurityFilterChain webhooks(HttpSecurity http, org.springframework.core.env.Environment env) throws Exception {
        headers(http, env);
        http.securityMatcher("/apple/notifications/**", "/mdm/**")
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(a -> a.anyRequest().permitAll());
        return http.build();
    }

    @Bean
    @Order(3)
    SecurityFilterChain ui(HttpSecurity http, ApiTokens tokens, LoginThrottle throttle, org.springframework.core.env.Environment env,
                           JdbcClient jdbc, OidcLogin oidc) throws Exception {
        headers(http, env);
        if (oidc.enabled()) {
            oidc.configure(http);
        }
        http.addFilterBefore(new ApiTokenFilter(tokens), AnonymousAuthenticationFilter.class)
                .addFilterBefore(lockedSignIns(throttle, oidc.localLogin()), org.springframework.security.web.authentication
                        .UsernamePasswordAuthenticationFilter.class)
                .addFilterBefore(endedSessions(jdbc, false), org.springframework.security.web.access.intercept.AuthorizationFilter.class)
                .csrf(c -> c.csrfTokenRepository(csrfTokens()))
                .authorizeHttpRequests(a -> apply(a, AccessRules.UI))
                .formLogin(f -> f.loginPage("/login").permitAll()
                        .successHandler((request, response, auth) -> {
                            throttle.succeeded(auth.getName());
                            response.sendRedirect(request.getContextPath() + "/");
                        })
                        .failureHandler((request, response, ex) -> {
                            boolean locked = throttle.failed(String.valueOf(request.getParameter("username")), request.getRemoteAddr());
                            response.sendRedirect(request.getContextPath() + (locked ? "/login?locked" : "/login?error"));
                        }))
                .logout(l -> l.logoutSuccessUrl("/login?logout").permitAll())
                .exceptionHandling(e -> e.accessDeniedPage("/denied"));
        return http.build();
    }

    /** A filter that lets a request on, or answers it itself (and returns false). */
    @FunctionalInterface
    private interface Gate {
        boolean pass(jakarta.servlet.http.HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response)
                throws java.io.IOException;
    }

    /**
     * A plain filter, not a {@code OncePerRequestFilter}: those mark a request as filtered under their class's name,
     * and two gates made here share one class, so the second was skipped.
     */
    private static jakarta.servlet.Filter filter(Gate gate) {
        return (request, response, chain) -> {
            if (gate.pass((jakarta.servlet.http.HttpServletRequest) request, (jakarta.servlet.http.HttpServletResponse) response)) {
                chain.doFilter(request, response);
            }
        };
    }

    /**
     * Sign-ins for a locked user name or from a locked address are refused before the password is checked; so is every
     * password sign-in when single sign-on is the only way in ({@code orchard.security.oidc.local-login=false}).
     */
    private static jakarta.servlet.Filter lockedSignIns(LoginThrottle throttle, boolean localLogin) {
        return filter((request, response) -> {
            if ("POST".equals(request.getMethod()) && (request.getContextPath() + "/login").equals(request.getRequestURI())) {
                if (!localLogin) {
                    response.sendRedirect(request.getContextPath() + "/login?local-off");
                    return false;
                }
                if (throttle.lockedUntil(request.getParameter("username"), request.getRemoteAddr()).isPresent()) {
                    response.sendRedirect(request.getContextPath() + "/login?locked");
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * The session's CSRF token, one for the pages and the API: a token names the header it is read from, so both chains
     * store it the same way (forms send it as {@code _csrf}, Swagger UI as {@code X-XSRF-TOKEN}).
     */
    static org.springframework.security.web.csrf.CsrfTokenRepository csrfTokens() {
        var tokens = new org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository();
        tokens.setHeaderName("X-XSRF-TOKEN");
        return tokens;
    }

    /**
     * A change (not GET, HEAD, OPTIONS or TRACE) sent with a session cookie and without an API token (a bearer token
     * authenticates the request alone: a wrong one is refused before the session is looked at).
     */
    static boolean changeBySession(jakarta.servlet.http.HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        return !java.util.Set.of("GET", "HEAD", "OPTIONS", "TRACE").contains(request.getMethod())
                && (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7))
                && request.getRequestedSessionId() != null;
    }

    /**
     * A signed-in session lasts only while its user exists with the role it signed in with: every request of a
     * session looks the user up (one primary-key read), and a removed user or a changed role ends the session at
     * once, on whichever node the request lands (the database is the only place all nodes share). A page is sent to
     * the login; an API request ({@code api}) goes on unauthenticated, and is answered 401.
     */
    private static jakarta.servlet.Filter endedSessions(JdbcClient jdbc, boolean api) {
        return filter((request, response) -> {
            var auth = org.springframework.security.core.context.SecurityContextHolder.getContext().getAuthentication();
            if (auth == null || !(auth.getPrincipal() instanceof org.springframework.security.core.userdetails.UserDetails
                    || auth instanceof org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken)) {
                return true; // not signed in, or an API token
            }
            String now = jdbc.sql("select role from admin_users where username = ?").param(auth.getName())
                    .query(String.class).optional().map(r -> "ROLE_" + Role.parse(r).name()).orElse(null);
            if (now != null && auth.getAuthorities().stream().anyMatch(a -> now.equals(a.getAuthority()))) {
                return true;
            }
            var session = request.getSession(false);
            if (session != null) {
                session.invalidate();
            }
            org.springframework.security.core.context.SecurityContextHolder.clearContext();
            if (api) {
                return true;
            }
            response.sendRedirect(request.getContextPath() + "/login?ended");
            return false;
        });
    }

    /** Installs a table of {@link AccessRules} in order (first match wins, as in the table). */
    private static void apply(org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer<HttpSecurity>
                                      .AuthorizationManagerRequestMatcherRegistry a, java.util.List<AccessRules.Rule> rules) {
        for (AccessRules.Rule r : rules) {
            var matcher = r.method() == null ? a.requestMatchers(r.pattern()) : a.requestMatchers(r.method(), r.pattern());
            if (r.role() == null) {
                matcher.permitAll();
            } else {
                matcher.hasRole(r.role().name());
            }
        }
    }

    @Bean
    UserDetailsService adminUsers(JdbcClient jdbc) {
        // users of the OpenID Connect provider have no password here: they sign in there
        return username -> jdbc.sql("select password_hash, role from admin_users where username = ? and origin = 'LOCAL'").param(username)
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).optional()
                .map(row -> User.withUsername(username).password(row[0]).roles(Role.parse(row[1]).name()).build())
                .orElseThrow(() -> new UsernameNotFoundException("no such user"));
    }
}
