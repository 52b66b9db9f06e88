package dev.orchard.server.system;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What happens once per installation: the local {@code admin} user is created (password from
 * {@code ORCHARD_ADMIN_PASSWORD}, else generated and printed once), and the bootstrap API token from
 * {@code ORCHARD_BOOTSTRAP_API_TOKEN} is stored once.
 */
@Component
@Order(0)
class FirstStart implements ApplicationRunner {

    private static final Logger LOG = LoggerFactory.getLogger(FirstStart.class);
    static final String ADMIN = "admin";

    private final JdbcClient jdbc;
    private final PasswordEncoder passwords;
    private final ApiTokens tokens;
    private final SecurityProperties security;
    private final Installation installation;
    private final TransactionTemplate tx;
    private final Clock clock;

    FirstStart(JdbcClient jdbc, PasswordEncoder passwords, ApiTokens tokens, SecurityProperties security,
               Installation installation, TransactionTemplate tx, Clock clock) {
        this.jdbc = jdbc;
        this.passwords = passwords;
        this.tokens = tokens;
        this.security = security;
        this.installation = installation;
        this.tx = tx;
        this.clock = clock;
    }

    @Override
    public void run(ApplicationArguments args) {
        installation.id();
        tx.executeWithoutResult(s -> {
            ensureAdmin();
            ensureBootstrapToken();
        });
    }

    /**
     * A configured password given already hashed ({@code {bcrypt}$2a$…}, as {@code htpasswd -nbBC 12} prints it after
     * the prefix) is stored as it is: no plain password needs to sit in the environment.
     */
    static boolean hashed(String configured) {
        return configured != null && configured.matches("\\{bcrypt}\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    }

    private String hash(String configured) {
        return hashed(configured) ? configured : passwords.encode(configured);
    }

    private void ensureAdmin() {
        boolean exists = jdbc.sql("select count(*) from admin_users where username = ?").param(ADMIN)
                .query(Long.class).single() > 0;
        String configured = security.adminPassword();
        if (exists) {
            if (configured != null && !configured.isBlank()) {
                jdbc.sql("update admin_users set password_hash = ? where username = ?")
                        .params(hash(configured), ADMIN).update();
            }
            return;
        }
        String password = configured;
        if (password == null || password.isBlank()) {
            byte[] bytes = new byte[18];
            new SecureRandom().nextBytes(bytes);
            password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            // Printed once, on the console only, so the first administrator can log in.
            System.out.println();
            System.out.println("  Orchard first start: log in as 'admin' with password  " + password);
            System.out.println("  (shown once; set ORCHARD_ADMIN_PASSWORD to choose it)");
            System.out.println();
            LOG.warn("Created the local 'admin' user with a generated password, printed once on the console");
        }
        jdbc.sql("insert into admin_users (username, password_hash, created_at) values (?, ?, ?)")
                .params(ADMIN, hash(password), Timestamp.from(clock.instant())).update();
    }

    private void ensureBootstrapToken() {
        String value = security.bootstrapApiToken();
        if (value == null || value.isBlank()) {
            return;
        }
        boolean done = Boolean.TRUE.equals(jdbc.sql("select bootstrap_token_created from installation")
                .query(Boolean.class).single());
        if (done || tokens.exists(value.strip())) {
            return;
        }
        tokens.store("bootstrap", Role.ADMIN, "ORCHARD_BOOTSTRAP_API_TOKEN", value.strip());
        jdbc.sql("update installation set bootstrap_token_created = true").update();
        LOG.info("Created the bootstrap admin API token from ORCHARD_BOOTSTRAP_API_TOKEN");
    }
}
