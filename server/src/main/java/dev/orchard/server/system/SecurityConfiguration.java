package dev.orchard.server.system;

import static org.springframework.http.HttpMethod.DELETE;
import static org.springframework.http.HttpMethod.GET;
import static org.springframework.http.HttpMethod.PATCH;
import static org.springframework.http.HttpMethod.POST;
import static org.springframework.http.HttpMethod.PUT;

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
 * <p>API rules, in one place: reads need viewer; account and token management need admin; every other action
 * needs operator.
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

    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http, ApiTokens tokens) throws Exception {
        http.securityMatcher("/api/**")
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.disable())
                .addFilterBefore(new ApiTokenFilter(tokens), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/api/v1/tokens", "/api/v1/tokens/**").hasRole("ADMIN")
                        .requestMatchers(GET, "/api/**").hasRole("VIEWER")
                        .requestMatchers(POST, "/api/v1/accounts").hasRole("ADMIN")
                        .requestMatchers(PATCH, "/api/v1/accounts/*").hasRole("ADMIN")
                        .requestMatchers(DELETE, "/api/v1/accounts/*").hasRole("ADMIN")
                        .requestMatchers(PUT, "/api/v1/accounts/*/token").hasRole("ADMIN")
                        .requestMatchers(POST, "/api/v1/accounts/*/claim").hasRole("ADMIN")
                        .requestMatchers(POST, "/api/v1/mdm/servers").hasRole("ADMIN")
                        .requestMatchers(PATCH, "/api/v1/mdm/servers/*").hasRole("ADMIN")
                        .requestMatchers(DELETE, "/api/v1/mdm/servers/*").hasRole("ADMIN")
                        .anyRequest().hasRole("OPERATOR"))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((req, res, ex) -> Problems.write(res, HttpStatus.UNAUTHORIZED,
                                "unauthenticated", "Not authenticated",
                                "Send an API token as 'Authorization: Bearer <token>'."))
                        .accessDeniedHandler((req, res, ex) -> Problems.write(res, HttpStatus.FORBIDDEN,
                                "forbidden", "Not allowed", "Your role does not allow this action.")));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain webhooks(HttpSecurity http) throws Exception {
        http.securityMatcher("/apple/notifications/**", "/mdm/**")
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(a -> a.anyRequest().permitAll());
        return http.build();
    }

    @Bean
    @Order(3)
    SecurityFilterChain ui(HttpSecurity http, ApiTokens tokens) throws Exception {
        http.addFilterBefore(new ApiTokenFilter(tokens), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/login", "/error", "/denied", "/css/**", "/js/**",
                                "/webjars/**", "/favicon.ico").permitAll()
                        .requestMatchers("/actuator/**", "/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html")
                        .hasRole("VIEWER")
                        // the admin UI: settings and account management are for admins, every other form for operators
                        .requestMatchers("/settings", "/settings/**").hasRole("ADMIN")
                        .requestMatchers(POST, "/accounts", "/accounts/*/delete", "/accounts/*/token").hasRole("ADMIN")
                        .requestMatchers(POST, "/**").hasRole("OPERATOR")
                        .anyRequest().hasRole("VIEWER"))
                .formLogin(f -> f.loginPage("/login").defaultSuccessUrl("/", true).permitAll())
                .logout(l -> l.logoutSuccessUrl("/login?logout").permitAll())
                .exceptionHandling(e -> e.accessDeniedPage("/denied"));
        return http.build();
    }

    @Bean
    UserDetailsService adminUsers(JdbcClient jdbc) {
        return username -> jdbc.sql("select password_hash, role from admin_users where username = ?").param(username)
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).optional()
                .map(row -> User.withUsername(username).password(row[0]).roles(Role.parse(row[1]).name()).build())
                .orElseThrow(() -> new UsernameNotFoundException("no such user"));
    }
}
