package dev.orchard.server.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * What Orchard keeps on disk is its owner's alone and survives a crash:
 * <ul>
 *   <li>the data directory is made {@code rwx------} before the database opens, and every file in it
 *       {@code rw-------} before the server takes its first request (the embedded database, its trace file, the
 *       secret key; files created later inherit the directory's protection);</li>
 *   <li>on the embedded H2 database, commits are written before they are answered ({@code WRITE_DELAY=0}): H2's
 *       default of 500 ms loses writes already answered 2xx when the process is killed. Writing in the committing
 *       thread needs H2's {@code retry:} file system: on the plain one a thread interrupted while writing (a task
 *       cancelled at shutdown, a timed-out request) closes the database for every connection. An
 *       {@code ORCHARD_DB_URL} naming an H2 file with {@code retry:} (or {@code async:}) gets {@code WRITE_DELAY=0}
 *       even if it does not say so; one without is warned about. PostgreSQL commits durably by default;</li>
 *   <li>on H2, every identity column hands out ids from a cache of {@value #IDENTITY_CACHE}: H2 commits each
 *       refill of a sequence's cache on its own, and with its default of 32 a licensing pass over 100,000 devices
 *       (licenses, outbox targets, audit entries) made thousands of such commits, each writing to disk while the pass
 *       waited. After a crash ids continue after the cache (a gap), never repeat. PostgreSQL's sequences keep their
 *       default (a cache there is per connection, and ids would no longer follow the order of inserts);</li>
 *   <li>H2 leaves closing the database to Orchard ({@code DB_CLOSE_ON_EXIT=FALSE}, warned about when missing): its
 *       own shutdown hook closed it at SIGTERM under the graceful stop, which could then not save the work it
 *       handed back.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class DataFiles {

    private static final Logger LOG = LoggerFactory.getLogger(DataFiles.class);
    static final int IDENTITY_CACHE = 1000;

    @Bean
    static BeanPostProcessor ownerOnlyDataDirectory(Environment env) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                if (bean instanceof DataSource) {
                    ownerOnly(dataDir(env));
                }
                return bean;
            }
        };
    }

    @Bean
    SmartInitializingSingleton durableCommits(DataSource dataSource, Environment env) {
        return () -> {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                String url = c.getMetaData().getURL();
                if ("H2".equals(c.getMetaData().getDatabaseProductName()) && !url.startsWith("jdbc:h2:mem:")) {
                    // the configured URL: the driver reports it without its settings
                    String configured = env.getProperty("spring.datasource.url", "");
                    if (!configured.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT=FALSE")) {
                        LOG.warn("The H2 URL {} lacks ;DB_CLOSE_ON_EXIT=FALSE: H2 closes the database from its own shutdown "
                                + "hook at SIGTERM, and work being handed back by the graceful stop cannot be saved", url);
                    }
                    identityCaches(c);
                    if (url.contains(":retry:") || url.contains(":async:")) {
                        s.execute("SET WRITE_DELAY 0");
                    } else {
                        LOG.warn("The H2 URL {} lacks the retry: file system: commits are not forced to disk before they are "
                                + "answered (a thread interrupted while writing would close the database). Use "
                                + "jdbc:h2:retry:file:<path>;...;WRITE_DELAY=0 as the default configuration does.", url);
                    }
                }
            } catch (SQLException e) {
                LOG.warn("Could not set WRITE_DELAY 0 on the H2 database (writes answered in the last 0.5 s before a "
                        + "crash may be lost; add ;WRITE_DELAY=0 to ORCHARD_DB_URL): {}", e.getMessage());
            }
            ownerOnly(dataDir(env));
        };
    }

    /** Sets the cache of every identity column that has a smaller one (new tables of later migrations included). */
    private static void identityCaches(Connection c) throws SQLException {
        var columns = new java.util.ArrayList<String[]>();
        try (var q = c.prepareStatement("select table_name, column_name from information_schema.columns "
                + "where table_schema = current_schema and is_identity = 'YES' and identity_cache < ?")) {
            q.setInt(1, IDENTITY_CACHE);
            try (var rs = q.executeQuery()) {
                while (rs.next()) {
                    columns.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        try (Statement s = c.createStatement()) {
            for (String[] col : columns) {
                s.execute("alter table \"" + col[0] + "\" alter column \"" + col[1] + "\" set cache " + IDENTITY_CACHE);
            }
        }
    }

    static Path dataDir(Environment env) {
        return Path.of(env.getProperty("orchard.data-dir", "./data"));
    }

    /** Makes the directory (created if missing) owner-only, and every file in it; nothing on non-POSIX systems. */
    static void ownerOnly(Path dir) {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f)) {
                        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not make the data directory " + dir + " owner-only", e);
        } catch (SecurityException | UnsupportedOperationException e) {
            LOG.warn("Could not restrict the permissions of {}: {}", dir, e.toString());
        }
    }
}
