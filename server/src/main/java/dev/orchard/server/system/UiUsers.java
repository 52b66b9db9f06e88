package dev.orchard.server.system;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.audit.AuditTrail;

/** The people who sign in to the admin UI, each with a role (the first one is {@code admin}, made at first start). */
@Service
public class UiUsers {

    private final JdbcClient jdbc;
    private final PasswordEncoder passwords;
    private final AuditTrail audit;
    private final Clock clock;

    UiUsers(JdbcClient jdbc, PasswordEncoder passwords, AuditTrail audit, Clock clock) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.passwords = passwords;
        this.clock = clock;
    }

    /** A user of the admin UI: name, role and since when. */
    public record UiUser(String username, String role, java.time.Instant createdAt) {
    }

    public List<UiUser> list() {
        return jdbc.sql("select username, role, created_at from admin_users order by username").query((rs, n) -> new UiUser(
                rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant())).list();
    }

    /** Adds a user; the password needs 12 characters or more. */
    @Transactional
    public void create(String username, String password, Role role) {
        if (username == null || !username.strip().matches("[A-Za-z0-9._@-]{2,100}")) {
            throw new IllegalArgumentException("a user name has 2–100 letters, digits, '.', '_', '@' or '-'");
        }
        if (password == null || password.length() < 12 || password.length() > 200) {
            throw new IllegalArgumentException("the password needs at least 12 characters");
        }
        String name = username.strip();
        if (jdbc.sql("select count(*) from admin_users where lower(username) = lower(?)").param(name).query(Integer.class).single() > 0) {
            throw new ConflictException("a user named '" + name + "' exists");
        }
        jdbc.sql("insert into admin_users (username, password_hash, role, created_at) values (?, ?, ?, ?)")
                .params(name, passwords.encode(password), role.name(), Timestamp.from(clock.instant())).update();
        audit.record("admin", "USER_ADDED", "ui user " + name, role.name().toLowerCase(), "OK");
    }

    /**
     * A user the OpenID Connect provider signed in, with the role its claim gives now: created at the first sign-in,
     * its role updated at each (both audited). False when a local user has the name (the break-glass admin cannot be
     * taken over from the provider); such users never have a password here.
     */
    @Transactional
    public boolean signedInByProvider(String username, Role role) {
        var row = jdbc.sql("select origin, role from admin_users where lower(username) = lower(?)").param(username)
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).optional();
        if (row.isEmpty()) {
            jdbc.sql("insert into admin_users (username, password_hash, role, origin, created_at) values (?, '!', ?, 'OIDC', ?)")
                    .params(username, role.name(), Timestamp.from(clock.instant())).update();
            audit.record("sso", "USER_ADDED", "ui user " + username, role.name().toLowerCase(java.util.Locale.ROOT)
                    + ", at the first single sign-on", "OK");
            return true;
        }
        if (!"OIDC".equals(row.get()[0])) {
            return false;
        }
        if (!role.name().equals(row.get()[1])) {
            jdbc.sql("update admin_users set role = ? where username = ?").params(role.name(), username).update();
            audit.record("sso", "USER_ROLE_CHANGED", "ui user " + username, "before: " + row.get()[1].toLowerCase(java.util.Locale.ROOT)
                    + "; after: " + role.name().toLowerCase(java.util.Locale.ROOT) + " (the provider's claim)", "OK");
        }
        return true;
    }

    /** Removes a user; the last admin stays. */
    @Transactional
    public void delete(String username) {
        String role = jdbc.sql("select role from admin_users where username = ?").param(username).query(String.class).optional()
                .orElseThrow(() -> new NotFoundException("no user " + username));
        if ("ADMIN".equals(role) && jdbc.sql("select count(*) from admin_users where role = 'ADMIN'").query(Integer.class).single() == 1) {
            throw new ConflictException("the last admin cannot be removed");
        }
        jdbc.sql("delete from admin_users where username = ?").param(username).update();
        audit.record("admin", "USER_REMOVED", "ui user " + username, "before: " + role.toLowerCase(java.util.Locale.ROOT), "OK");
    }
}
