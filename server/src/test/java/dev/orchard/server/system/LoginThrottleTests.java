package dev.orchard.server.system;

import static dev.orchard.server.OrchardInstance.ADMIN_PASSWORD;
import static dev.orchard.server.OrchardInstance.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.orchard.applesim.AppleSimulator;
import dev.orchard.server.MutableClock;
import dev.orchard.server.OrchardInstance;

/** Repeated bad sign-ins lock the user name, then the source address; the lock ends with time or an admin's unlock. */
class LoginThrottleTests {

    @TempDir
    static Path dataDir;
    static AppleSimulator sim;
    static OrchardInstance orchard;
    static MutableClock clock = new MutableClock(Instant.parse("2026-12-02T08:00:00Z"));

    @BeforeAll
    static void start() {
        sim = AppleSimulator.builder().rateLimit(0).start();
        orchard = OrchardInstance.start(sim, dataDir, null, clock, "node-a", Map.of(
                "orchard.security.login.max-failures-per-user", "5", "orchard.security.login.max-failures-per-address", "12",
                "orchard.security.login.lockout", "15m"));
        orchard.bean(UiUsers.class).create("operator1", "operator-password-1", Role.OPERATOR);
    }

    @AfterAll
    static void stop() {
        orchard.close();
        sim.stop();
    }

    @BeforeEach
    void clear() {
        orchard.bean(JdbcClient.class).sql("delete from login_throttle").update();
    }

    static String outcome(String user, String password) {
        return orchard.submitLogin(user, password).header("Location").replaceAll("^.*/login", "/login").replaceAll("^https?://[^/]+", "");
    }

    @Test
    void fiveWrongPasswordsLockTheUserNameUntilTheLockoutEnds() {
        for (int i = 1; i <= 4; i++) {
            assertThat(outcome("admin", "wrong-" + i)).isEqualTo("/login?error");
        }
        assertThat(outcome("admin", "wrong-5")).isEqualTo("/login?locked");
        // the right password is not even checked while locked
        assertThat(outcome("admin", ADMIN_PASSWORD)).isEqualTo("/login?locked");
        assertThat(outcome("ADMIN", ADMIN_PASSWORD)).as("user names are counted case-insensitively").isEqualTo("/login?locked");
        // another user from the same address still signs in
        assertThat(outcome("operator1", "operator-password-1")).isEqualTo("/");

        clock.advance(Duration.ofMinutes(16));
        assertThat(outcome("admin", ADMIN_PASSWORD)).isEqualTo("/");
        assertThat(auditActions()).contains("SIGN_IN_LOCKED");
    }

    @Test
    void manyFailuresFromOneAddressLockTheAddressForEveryName() {
        for (int i = 1; i <= 12; i++) {
            outcome("nobody-" + i, "wrong");
        }
        assertThat(outcome("operator1", "operator-password-1")).isEqualTo("/login?locked");
        var locks = orchard.get("/api/v1/ui-users/locks", ADMIN_TOKEN);
        assertThat(locks.status()).isEqualTo(200);
        assertThat(locks.body()).contains("\"kind\":\"address\"").contains("127.0.0.1");

        assertThat(orchard.method("DELETE", "/api/v1/ui-users/locks/address/127.0.0.1", ADMIN_TOKEN, null).status()).isEqualTo(204);
        assertThat(outcome("operator1", "operator-password-1")).isEqualTo("/");
        assertThat(orchard.method("DELETE", "/api/v1/ui-users/locks/address/127.0.0.1", ADMIN_TOKEN, null).status()).isEqualTo(404);
        assertThat(auditActions()).contains("SIGN_IN_UNLOCKED");
    }

    @Test
    void anAdminUnlocksAUserNameInTheSettingsPage() {
        for (int i = 1; i <= 5; i++) {
            outcome("operator1", "wrong-" + i);
        }
        assertThat(outcome("operator1", "operator-password-1")).isEqualTo("/login?locked");
        var admin = orchard.login("admin", ADMIN_PASSWORD);
        assertThat(orchard.ui(admin, "GET", "/settings", null).body()).contains("user operator1");
        var operator = orchard.login("admin", ADMIN_PASSWORD);
        assertThat(orchard.ui(operator, "POST", "/settings/locks/unlock", "kind=user&value=operator1").status()).isEqualTo(302);
        assertThat(outcome("operator1", "operator-password-1")).isEqualTo("/");
    }

    @Test
    void aSuccessfulSignInClearsTheUserNamesCount() {
        for (int i = 1; i <= 4; i++) {
            outcome("admin", "wrong-" + i);
        }
        assertThat(outcome("admin", ADMIN_PASSWORD)).isEqualTo("/");
        for (int i = 1; i <= 4; i++) {
            assertThat(outcome("admin", "wrong-again-" + i)).isEqualTo("/login?error");
        }
    }

    static java.util.List<String> auditActions() {
        return orchard.bean(JdbcClient.class).sql("select action from audit_events").query(String.class).list();
    }
}
