package dev.orchard.server.system;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.stereotype.Component;

/**
 * OpenID Connect sign-in for the admin UI ({@link OidcProperties}): the provider is discovered on the first sign-in
 * (Orchard starts while the provider is down), the authorization code flow always uses PKCE, and a signed-in user's
 * role is read from the configured claim at every sign-in and recorded with the user ({@link UiUsers}, origin
 * {@code OIDC}, no password, audited), so the session checks that end a removed or demoted user's session work for
 * them too. A provider user named like a local user is refused: the break-glass {@code admin} cannot be taken over
 * from the provider.
 */
@Component
public class OidcLogin {

    static final String REGISTRATION = "oidc";
    private static final Logger LOG = LoggerFactory.getLogger(OidcLogin.class);

    private final OidcProperties properties;
    private final UiUsers users;
    private volatile ClientRegistration registration;

    OidcLogin(OidcProperties properties, UiUsers users) {
        this.properties = properties;
        this.users = users;
    }

    public boolean enabled() {
        return properties.enabled();
    }

    public boolean localLogin() {
        return properties.localLogin();
    }

    public String buttonText() {
        return properties.buttonText();
    }

    /** Adds the sign-in to the UI's chain; failures go back to the login page with the reason's code. */
    void configure(HttpSecurity http) throws Exception {
        ClientRegistrationRepository registrations = id -> REGISTRATION.equals(id) ? registration() : null;
        var resolver = new DefaultOAuth2AuthorizationRequestResolver(registrations, "/oauth2/authorization");
        resolver.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
        // a provider that cannot be read is said on the login page, not answered with an error page
        http.addFilterBefore((request, response, chain) -> {
            var req = (jakarta.servlet.http.HttpServletRequest) request;
            if (req.getRequestURI().equals(req.getContextPath() + "/oauth2/authorization/" + REGISTRATION)) {
                try {
                    registration();
                } catch (OAuth2AuthenticationException e) {
                    ((jakarta.servlet.http.HttpServletResponse) response).sendRedirect(req.getContextPath()
                            + "/login?sso=provider_unreachable");
                    return;
                }
            }
            chain.doFilter(request, response);
        }, org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter.class);
        http.oauth2Login(o -> o.loginPage("/login").clientRegistrationRepository(registrations)
                .authorizationEndpoint(a -> a.authorizationRequestResolver(resolver))
                .userInfoEndpoint(u -> u.oidcUserService(this::load))
                .successHandler((request, response, auth) -> response.sendRedirect(request.getContextPath() + "/"))
                .failureHandler((request, response, e) -> {
                    String code = e instanceof OAuth2AuthenticationException o2 ? o2.getError().getErrorCode() : "sso_failed";
                    LOG.info("Single sign-on refused: {}", e.getMessage());
                    response.sendRedirect(request.getContextPath() + "/login?sso=" + java.net.URLEncoder.encode(code,
                            java.nio.charset.StandardCharsets.UTF_8));
                }));
    }

    private ClientRegistration registration() {
        ClientRegistration r = registration;
        if (r == null) {
            synchronized (this) {
                if (registration == null) {
                    try {
                        registration = ClientRegistrations.fromIssuerLocation(properties.issuerUri()).registrationId(REGISTRATION)
                                .clientId(properties.clientId()).clientSecret(properties.clientSecret())
                                .scope(properties.scopes()).redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
                                .userNameAttributeName("sub").build();
                    } catch (RuntimeException e) {
                        LOG.warn("The OpenID Connect provider {} could not be read: {}", properties.issuerUri(), e.toString());
                        throw new OAuth2AuthenticationException(new OAuth2Error("provider_unreachable"), e);
                    }
                }
                r = registration;
            }
        }
        return r;
    }

    /** The provider's user as Orchard's: named by the username claim, with the role the role claim gives. */
    private OidcUser load(OidcUserRequest request) {
        OidcUser user = new OidcUserService().loadUser(request);
        Map<String, Object> claims = user.getClaims();
        String key = List.of(properties.usernameClaim(), "email", "sub").stream().filter(k -> claims.get(k) instanceof String s
                && !s.isBlank()).findFirst().orElseThrow(() -> refuse("no_username", "the provider sent no user name"));
        String username = ((String) claims.get(key)).strip();
        Role role = properties.roleFor(values(claims.get(properties.roleClaim())))
                .orElseThrow(() -> refuse("no_role", username + " has no value of '" + properties.roleClaim() + "' that gives a role"));
        if (!users.signedInByProvider(username, role)) {
            throw refuse("local_user", "a local user is named " + username);
        }
        return new DefaultOidcUser(List.of(new SimpleGrantedAuthority(role.authority())), user.getIdToken(), user.getUserInfo(), key);
    }

    private static Collection<String> values(Object claim) {
        var out = new ArrayList<String>();
        if (claim instanceof Collection<?> c) {
            c.forEach(v -> out.add(String.valueOf(v)));
        } else if (claim instanceof String s) {
            for (String part : s.split("[,\\s]+")) {
                if (!part.isBlank()) {
                    out.add(part);
                }
            }
        }
        return out;
    }

    private static OAuth2AuthenticationException refuse(String code, String why) {
        return new OAuth2AuthenticationException(new OAuth2Error(code, why, null), why);
    }
}
