package dev.orchard.server.system;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.audit.AuditTrail;

/**
 * Counts failed sign-ins per user name and per source address ({@link LoginProperties}); past the limit the name or
 * address is locked for the lockout time: sign-ins for it are refused without the password being checked, so
 * guessing stops. A successful sign-in clears its user name's count. Locks are audited, and an admin can lift
 * them. Stored in the database, so every node and a restart see the same counts. Unknown user names are counted
 * like known ones, so a lock tells nothing about which names exist.
 */
@Service
public class LoginThrottle {

    /** A locked user name or address, for the settings page and the API. */
    public record Lock(String kind, String value, int failures, Instant lockedUntil) {
    }

    private final JdbcClient jdbc;
    private final LoginProperties properties;
    private final AuditTrail audit;
    private final Clock clock;

    LoginThrottle(JdbcClient jdbc, LoginProperties properties, AuditTrail audit, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.audit = audit;
        this.clock = clock;
    }

    static String userKey(String username) {
        return "user:" + (username == null ? "" : username.strip().toLowerCase(Locale.ROOT));
    }

    static String addressKey(String address) {
        return "address:" + address;
    }

    /** When the user name or the address is locked, until when. */
    public Optional<Instant> lockedUntil(String username, String address) {
        Instant now = clock.instant();
        return jdbc.sql("select locked_until from login_throttle where throttle_key in (?, ?) and locked_until > ? "
                        + "order by locked_until desc").params(userKey(username), addressKey(address), Timestamp.from(now))
                .query((rs, n) -> rs.getTimestamp(1).toInstant()).list().stream().findFirst();
    }

    /** Counts a failed sign-in; returns true when it locked the user name or the address. */
    @Transactional
    public boolean failed(String username, String address) {
        boolean userLocked = count(userKey(username), properties.maxFailuresPerUser());
        boolean addressLocked = count(addressKey(address), properties.maxFailuresPerAddress());
        if (userLocked) {
            audit.record("sign-in", "SIGN_IN_LOCKED", "ui user " + username.strip().toLowerCase(Locale.ROOT),
                    properties.maxFailuresPerUser() + " failed sign-ins within " + properties.window() + " (last from " + address
                            + "); locked for " + properties.lockout(), "OK");
        }
        if (addressLocked) {
            audit.record("sign-in", "SIGN_IN_LOCKED", "address " + address,
                    properties.maxFailuresPerAddress() + " failed sign-ins within " + properties.window() + "; locked for "
                            + properties.lockout(), "OK");
        }
        return userLocked || addressLocked;
    }

    private boolean count(String key, int max) {
        Instant now = clock.instant();
        jdbc.sql("insert into login_throttle (throttle_key, failures, first_failure_at) values (?, 0, ?) on conflict do nothing")
                .params(key, Timestamp.from(now)).update();
        record Row(int failures, Instant first, Instant lockedUntil) {
        }
        Row row = jdbc.sql("select failures, first_failure_at, locked_until from login_throttle where throttle_key = ? for update")
                .param(key).query((rs, n) -> new Row(rs.getInt(1), rs.getTimestamp(2).toInstant(),
                        rs.getTimestamp(3) == null ? null : rs.getTimestamp(3).toInstant())).single();
        boolean windowOver = row.first().plus(properties.window()).isBefore(now)
                || (row.lockedUntil() != null && !row.lockedUntil().isAfter(now));
        int failures = windowOver ? 1 : row.failures() + 1;
        Instant first = windowOver ? now : row.first();
        boolean lock = failures >= max && (row.lockedUntil() == null || !row.lockedUntil().isAfter(now));
        Instant lockedUntil = lock ? now.plus(properties.lockout()) : (windowOver ? null : row.lockedUntil());
        jdbc.sql("update login_throttle set failures = ?, first_failure_at = ?, locked_until = ? where throttle_key = ?")
                .params(failures, Timestamp.from(first), lockedUntil == null ? null : Timestamp.from(lockedUntil), key).update();
        return lock;
    }

    /** A successful sign-in clears the user name's failures (not the address's: one known password must not reset them). */
    public void succeeded(String username) {
        jdbc.sql("delete from login_throttle where throttle_key = ?").param(userKey(username)).update();
    }

    /** The user names and addresses locked now. */
    public List<Lock> locks() {
        return jdbc.sql("select throttle_key, failures, locked_until from login_throttle where locked_until > ? order by throttle_key")
                .param(Timestamp.from(clock.instant())).query((rs, n) -> {
                    String key = rs.getString(1);
                    int colon = key.indexOf(':');
                    return new Lock(key.substring(0, colon), key.substring(colon + 1), rs.getInt(2), rs.getTimestamp(3).toInstant());
                }).list();
    }

    /** Lifts the lock of a user name ({@code kind} "user") or an address ("address"); false when none was locked. */
    @Transactional
    public boolean unlock(String kind, String value) {
        String key = switch (kind) {
            case "user" -> userKey(value);
            case "address" -> addressKey(value);
            default -> throw new IllegalArgumentException("kind must be user or address");
        };
        boolean was = jdbc.sql("select count(*) from login_throttle where throttle_key = ? and locked_until > ?")
                .params(key, Timestamp.from(clock.instant())).query(Integer.class).single() > 0;
        jdbc.sql("delete from login_throttle where throttle_key = ?").param(key).update();
        if (was) {
            audit.record("admin", "SIGN_IN_UNLOCKED", (kind.equals("user") ? "ui user " : "address ") + key.substring(key.indexOf(':') + 1),
                    null, "OK");
        }
        return was;
    }
}
