package dev.orchard.testidp;

import java.util.List;
import java.util.Map;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * A real OpenID Connect provider for the sign-in tests: Spring Authorization Server (the project's maintained
 * implementation, with its own login page, discovery, JWKS and PKCE), run as its own small application on a loopback
 * port. Its users carry a {@code groups} claim and {@code preferred_username} in the ID token, as Keycloak, Okta and
 * Entra ID can be set to send. Nothing of Orchard is in it (it lives outside Orchard's packages and reads no
 * application.yml).
 */
@SpringBootApplication
public class TestIdentityProvider {

    public static final String CLIENT_ID = "orchard";
    public static final String CLIENT_SECRET = "orchard-client-secret-for-tests";

    /** The users: name → (password, groups). */
    static final Map<String, List<String>> GROUPS = Map.of("alice", List.of("orchard-admins", "staff"), "bob",
            List.of("staff", "orchard-viewers"), "eve", List.of("staff"));

    public static String password(String user) {
        return user + "-password-1";
    }

    /** Starts the provider on {@code port}, trusting {@code redirectUri} for the Orchard client. */
    public static ConfigurableApplicationContext start(int port, String redirectUri) {
        return new SpringApplicationBuilder(TestIdentityProvider.class)
                .properties(Map.of("server.port", port, "spring.config.name", "testidp", "spring.flyway.enabled", false,
                        "db-scheduler.enabled", false, "spring.datasource.url", "jdbc:h2:mem:testidp-" + port,
                        "springdoc.api-docs.enabled", false, "springdoc.swagger-ui.enabled", false,
                        "testidp.redirect-uri", redirectUri, "testidp.issuer", "http://localhost:" + port,
                        "spring.main.banner-mode", "off"))
                .run();
    }

    @Bean
    RegisteredClientRepository clients(org.springframework.core.env.Environment env) {
        return new InMemoryRegisteredClientRepository(RegisteredClient.withId("orchard-client").clientId(CLIENT_ID)
                .clientSecret("{noop}" + CLIENT_SECRET).clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri(env.getRequiredProperty("testidp.redirect-uri"))
                .scope(OidcScopes.OPENID).scope(OidcScopes.PROFILE).scope(OidcScopes.EMAIL)
                .clientSettings(ClientSettings.builder().requireAuthorizationConsent(false).requireProofKey(true).build())
                .build());
    }

    @Bean
    AuthorizationServerSettings settings(org.springframework.core.env.Environment env) {
        return AuthorizationServerSettings.builder().issuer(env.getRequiredProperty("testidp.issuer")).build();
    }

    @Bean
    UserDetailsService users() {
        var users = new InMemoryUserDetailsManager();
        GROUPS.keySet().forEach(u -> users.createUser(User.withUsername(u).password("{noop}" + password(u)).roles("USER").build()));
        return users;
    }

    /** The ID token names the user and lists the groups. */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> claims() {
        return context -> {
            if ("id_token".equals(context.getTokenType().getValue())) {
                String user = context.getPrincipal().getName();
                context.getClaims().claim("preferred_username", user).claim("email", user + "@example.com")
                        .claim("groups", GROUPS.getOrDefault(user, List.of()));
            }
        };
    }
}
