package dev.orchard.server.system;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Sign-in to the admin UI through an OpenID Connect provider (Entra ID, Okta, Keycloak, …): the authorization code
 * flow with PKCE. Roles come from a claim (a list of groups or roles, or one value) matched against the values given
 * for each role, highest role first; a user no value matches is refused unless {@code defaultRole} is set. The local
 * {@code admin} stays as the break-glass sign-in unless {@code localLogin} is false.
 *
 * @param issuerUri     the provider's issuer (its discovery document is read on the first sign-in); unset: no SSO
 * @param clientId      the client registered at the provider (redirect URI {@code <public URL>/login/oauth2/code/oidc})
 * @param clientSecret  its secret (give it in the environment: {@code ORCHARD_SECURITY_OIDC_CLIENTSECRET})
 * @param scopes        scopes asked for; {@code openid} is always included
 * @param usernameClaim the claim that names the user (default {@code preferred_username}, then {@code email}, then {@code sub})
 * @param roleClaim     the claim holding groups or roles (default {@code groups})
 * @param adminValues   claim values that make an admin
 * @param operatorValues claim values that make an operator
 * @param viewerValues  claim values that make a viewer
 * @param defaultRole   the role of a user no value matches (unset: refused)
 * @param buttonText    the sign-in button's text
 * @param localLogin    whether local users (the break-glass {@code admin}) may still sign in with a password
 */
@ConfigurationProperties("orchard.security.oidc")
public record OidcProperties(String issuerUri, String clientId, String clientSecret, List<String> scopes, String usernameClaim,
                             String roleClaim, List<String> adminValues, List<String> operatorValues, List<String> viewerValues,
                             String defaultRole, String buttonText, Boolean localLogin) {

    public OidcProperties {
        issuerUri = issuerUri == null || issuerUri.isBlank() ? null : issuerUri.strip();
        scopes = scopes == null || scopes.isEmpty() ? List.of("openid", "profile", "email") : scopes;
        if (!scopes.contains("openid")) {
            scopes = java.util.stream.Stream.concat(java.util.stream.Stream.of("openid"), scopes.stream()).toList();
        }
        usernameClaim = usernameClaim == null || usernameClaim.isBlank() ? "preferred_username" : usernameClaim.strip();
        roleClaim = roleClaim == null || roleClaim.isBlank() ? "groups" : roleClaim.strip();
        adminValues = adminValues == null ? List.of() : adminValues;
        operatorValues = operatorValues == null ? List.of() : operatorValues;
        viewerValues = viewerValues == null ? List.of() : viewerValues;
        defaultRole = defaultRole == null || defaultRole.isBlank() ? null : Role.parse(defaultRole).name();
        buttonText = buttonText == null || buttonText.isBlank() ? "Sign in with single sign-on" : buttonText.strip();
        localLogin = localLogin == null || localLogin;
        if (issuerUri != null && (clientId == null || clientId.isBlank())) {
            throw new IllegalArgumentException("orchard.security.oidc.client-id is required with an issuer-uri");
        }
        if (!localLogin && issuerUri == null) {
            throw new IllegalArgumentException("orchard.security.oidc.local-login=false needs an issuer-uri: nobody could sign in");
        }
    }

    public boolean enabled() {
        return issuerUri != null;
    }

    /** The role the claim's values give, highest first; empty when none matches and there is no default. */
    java.util.Optional<Role> roleFor(java.util.Collection<String> values) {
        if (values.stream().anyMatch(adminValues::contains)) {
            return java.util.Optional.of(Role.ADMIN);
        }
        if (values.stream().anyMatch(operatorValues::contains)) {
            return java.util.Optional.of(Role.OPERATOR);
        }
        if (values.stream().anyMatch(viewerValues::contains)) {
            return java.util.Optional.of(Role.VIEWER);
        }
        return java.util.Optional.ofNullable(defaultRole).map(Role::parse);
    }

    @Override
    public String toString() {
        return "OidcProperties[issuerUri=" + issuerUri + ", clientId=" + clientId + ", clientSecret="
                + (clientSecret == null ? "(unset)" : "(set)") + "]";
    }
}
