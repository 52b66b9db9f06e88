package dev.orchard.server.system;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.audit.AuditTrail;

/**
 * API tokens: random, shown once at creation, stored as SHA-256 hashes, each with a role, revocable. A token
 * has 256 bits of entropy, so a plain hash (no salt, no stretching) is safe and lets a request be checked with
 * one indexed lookup.
 */
@Component
public class ApiTokens {

    /** A token as listed: never its value. */
    public record ApiToken(long id, String name, Role role, String hint, String createdBy, Instant createdAt,
                           Instant lastUsedAt, Instant revokedAt, Scope scope) {
        public boolean active() {
            return revokedAt == null;
        }
    }

    /**
     * Where a token is good: {@code API} for the REST API (and the pages), {@code SCIM} for the SCIM provisioning
     * endpoints only (an identity provider holds it; it can do nothing else).
     */
    public enum Scope {
        API, SCIM
    }

    /** A token just created: the only time its value is known. */
    public record CreatedToken(ApiToken token, String value) {
    }

    static final String PREFIX = "orch_";

    private final JdbcClient jdbc;
    private final AuditTrail audit;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    ApiTokens(JdbcClient jdbc, AuditTrail audit, Clock clock) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional
    public CreatedToken create(String name, Role role, String createdBy) {
        return create(name, role, Scope.API, createdBy);
    }

    /** A new token of the scope; a SCIM token's role is recorded as viewer and means nothing. */
    @Transactional
    public CreatedToken create(String name, Role role, Scope scope, String createdBy) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return store(name, scope == Scope.SCIM ? Role.VIEWER : role, scope, createdBy,
                PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /** Stores a token whose value was chosen outside (the bootstrap token). */
    @Transactional
    public CreatedToken store(String name, Role role, String createdBy, String value) {
        return store(name, role, Scope.API, createdBy, value);
    }

    private CreatedToken store(String name, Role role, Scope scope, String createdBy, String value) {
        name = Fields.required("name", name, 100);
        if (value.length() < 16) {
            throw new IllegalArgumentException("a token must be at least 16 characters");
        }
        Instant now = clock.instant();
        String hint = "…" + value.substring(value.length() - 4);
        jdbc.sql("insert into api_tokens (name, token_hash, token_hint, role, scope, created_by, created_at) values (?, ?, ?, ?, ?, ?, ?)")
                .params(name.strip(), hash(value), hint, role.name(), scope.name(), createdBy, Timestamp.from(now)).update();
        ApiToken token = jdbc.sql(SELECT + " where token_hash = ?").param(hash(value)).query(ApiTokens::map).single();
        audit.record(createdBy, "TOKEN_CREATED", "token " + token.id(), token.name() + ", " + (scope == Scope.SCIM ? "SCIM"
                : role.name().toLowerCase())
                + ", ends with " + hint, "OK"); // never the value
        return new CreatedToken(token, value);
    }

    /** The active token with this value, recording its use. */
    @Transactional
    public Optional<ApiToken> authenticate(String value) {
        Optional<ApiToken> token = jdbc.sql(SELECT + " where token_hash = ? and revoked_at is null").param(hash(value))
                .query(ApiTokens::map).optional();
        token.ifPresent(t -> {
            Instant now = clock.instant();
            if (t.lastUsedAt() == null || t.lastUsedAt().isBefore(now.minusSeconds(60))) {
                jdbc.sql("update api_tokens set last_used_at = ? where id = ?").params(Timestamp.from(now), t.id()).update();
            }
        });
        return token;
    }

    public boolean exists(String value) {
        return jdbc.sql("select count(*) from api_tokens where token_hash = ?").param(hash(value)).query(Long.class).single() > 0;
    }

    public List<ApiToken> list() {
        return jdbc.sql(SELECT + " order by id").query(ApiTokens::map).list();
    }

    public Optional<ApiToken> find(long id) {
        return jdbc.sql(SELECT + " where id = ?").param(id).query(ApiTokens::map).optional();
    }

    /** Revokes a token; revoking twice is harmless. Returns false when there is no such token. */
    @Transactional
    public boolean revoke(long id) {
        var before = jdbc.sql("select name, role, revoked_at from api_tokens where id = ?").param(id)
                .query((rs, n) -> rs.getString(1) + ", " + rs.getString(2).toLowerCase(java.util.Locale.ROOT)
                        + (rs.getTimestamp(3) == null ? ", active" : ", revoked already")).optional();
        boolean found = jdbc.sql("update api_tokens set revoked_at = coalesce(revoked_at, ?) where id = ?")
                .params(Timestamp.from(clock.instant()), id).update() == 1;
        if (found) {
            audit.record("api", "TOKEN_REVOKED", "token " + id, "before: " + before.orElse("?") + "; after: revoked", "OK");
        }
        return found;
    }

    private static final String SELECT =
            "select id, name, role, token_hint, created_by, created_at, last_used_at, revoked_at, scope from api_tokens";

    private static ApiToken map(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new ApiToken(rs.getLong("id"), rs.getString("name"), Role.valueOf(rs.getString("role")),
                rs.getString("token_hint"), rs.getString("created_by"), instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("last_used_at")), instant(rs.getTimestamp("revoked_at")), Scope.valueOf(rs.getString("scope")));
    }

    static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
