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

/** Authenticates {@code Authorization: Bearer <api token>}; a wrong or revoked token is refused at once. */
final class ApiTokenFilter extends OncePerRequestFilter {

    private final ApiTokens tokens;

    ApiTokenFilter(ApiTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            chain.doFilter(request, response);
            return;
        }
        var token = tokens.authenticate(header.substring(7).strip()).filter(t -> t.scope() == ApiTokens.Scope.API);
        if (token.isEmpty()) {
            // an unknown, revoked or SCIM token (which is good for /scim/v2 only)
            SecurityContextHolder.clearContext();
            Problems.write(response, HttpStatus.UNAUTHORIZED, "unauthenticated", "Not authenticated",
                    "The API token is unknown or revoked.");
            return;
        }
        var auth = new UsernamePasswordAuthenticationToken("token:" + token.get().name(), null,
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
