package dev.orchard.server.system;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <token>} with a token of one scope; a wrong, revoked or other-scope token
 * is refused at once (the refusal is the chain's own: an RFC 9457 problem for the API and pages, a SCIM error for
 * SCIM). An API token acts with its role as {@code token:<name>}; a SCIM token as {@code scim:<name>}, with the SCIM
 * role and nothing else.
 */
final class ApiTokenFilter extends OncePerRequestFilter {

    /** Writes the answer to a refused token. */
    @FunctionalInterface
    interface Refusal {
        void write(HttpServletResponse response) throws IOException;
    }

    static final String SCIM_ROLE = "ROLE_SCIM";

    private final ApiTokens tokens;
    private final ApiTokens.Scope scope;
    private final Refusal refusal;

    /** The API's and the pages' filter. */
    ApiTokenFilter(ApiTokens tokens) {
        this(tokens, ApiTokens.Scope.API, response -> Problems.write(response, HttpStatus.UNAUTHORIZED, "unauthenticated",
                "Not authenticated", "The API token is unknown or revoked."));
    }

    ApiTokenFilter(ApiTokens tokens, ApiTokens.Scope scope, Refusal refusal) {
        this.tokens = tokens;
        this.scope = scope;
        this.refusal = refusal;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            chain.doFilter(request, response);
            return;
        }
        var token = tokens.authenticate(header.substring(7).strip()).filter(t -> t.scope() == scope);
        if (token.isEmpty()) {
            // unknown, revoked, or of the other scope (a SCIM token is good for /scim/v2 only, an API token not there)
            SecurityContextHolder.clearContext();
            refusal.write(response);
            return;
        }
        var auth = scope == ApiTokens.Scope.SCIM
                ? new UsernamePasswordAuthenticationToken("scim:" + token.get().name(), null, List.of(new SimpleGrantedAuthority(SCIM_ROLE)))
                : new UsernamePasswordAuthenticationToken("token:" + token.get().name(), null,
                        List.of(new SimpleGrantedAuthority(token.get().role().authority())));
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(auth);
        SecurityContextHolder.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }
}
