package dev.orchard.server.web.api;

import java.net.URI;
import java.time.Instant;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.system.ApiTokens;
import dev.orchard.server.system.Problems;
import dev.orchard.server.system.Role;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/** API tokens: create (the value is shown once), list, revoke. Admins only. */
@RestController
@RequestMapping("/api/v1/tokens")
@Tag(name = "API tokens")
class ApiTokensController {

    /** {@code scope}: API (default) or SCIM (for an identity provider's provisioning; {@code role} is then ignored). */
    record CreateToken(@NotBlank @Size(max = 100) String name, String role, String scope) {
    }

    record TokenView(long id, String name, Role role, String hint, String createdBy, Instant createdAt,
                     Instant lastUsedAt, Instant revokedAt, boolean active, ApiTokens.Scope scope) {
        static TokenView of(ApiTokens.ApiToken t) {
            return new TokenView(t.id(), t.name(), t.role(), t.hint(), t.createdBy(), t.createdAt(), t.lastUsedAt(),
                    t.revokedAt(), t.active(), t.scope());
        }
    }

    /** The one answer that carries the token's value. */
    record CreatedTokenView(TokenView token, String value, String note) {
    }

    private final ApiTokens tokens;

    ApiTokensController(ApiTokens tokens) {
        this.tokens = tokens;
    }

    @GetMapping
    @Operation(summary = "List API tokens (never their values)")
    List<TokenView> list() {
        return tokens.list().stream().map(TokenView::of).toList();
    }

    @PostMapping
    @Operation(summary = "Create an API token (scope API, with a role) or a SCIM token (scope SCIM: for an identity "
            + "provider's provisioning at /scim/v2, good for nothing else); its value is in this answer only")
    @ApiResponse(responseCode = "201", description = "Created; the token's value is in this answer only")
    ResponseEntity<CreatedTokenView> create(@Valid @RequestBody CreateToken body, Authentication who) {
        ApiTokens.Scope scope = scope(body.scope());
        if (scope == ApiTokens.Scope.API && body.role() == null) {
            throw new dev.orchard.server.system.Fields.InvalidFieldException("role", "role is required: viewer, operator or admin");
        }
        var created = tokens.create(body.name(), scope == ApiTokens.Scope.SCIM ? Role.VIEWER : Role.parse(body.role()), scope,
                who.getName());
        return ResponseEntity.created(URI.create("/api/v1/tokens/" + created.token().id()))
                .body(new CreatedTokenView(TokenView.of(created.token()), created.value(),
                        "Store this value now: Orchard keeps only its hash and cannot show it again."));
    }

    private static ApiTokens.Scope scope(String value) {
        if (value == null) {
            return ApiTokens.Scope.API;
        }
        try {
            return ApiTokens.Scope.valueOf(value.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new dev.orchard.server.system.Fields.InvalidFieldException("scope", "scope must be API or SCIM");
        }
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Revoke an API token")
    @ApiResponse(responseCode = "204", description = "Revoked")
    ResponseEntity<Object> revoke(@PathVariable long id) {
        if (!tokens.revoke(id)) {
            return ResponseEntity.status(404).body(Problems.of(org.springframework.http.HttpStatus.NOT_FOUND, "not-found",
                    "Not found", "there is no API token " + id));
        }
        return ResponseEntity.noContent().build();
    }
}
