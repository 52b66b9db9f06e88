package dev.orchard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The license truth has one owner: no SQL outside the {@code ledger} module inserts, updates, deletes or reads rows of
 * {@code licenses}, {@code pools} or {@code apple_users} (read from the sources, so a statement built from text
 * blocks or concatenation counts as well). Other modules read through {@code LedgerQueries}, or join the ledger's
 * views ({@code ledger_licenses}, {@code ledger_apple_users}).
 */
class LedgerOwnershipTests {

    private static final Pattern WRITE = Pattern.compile("(insert\\s+into|update|delete\\s+from)\\s+(licenses|pools|apple_users)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern READ = Pattern.compile("(from|join)\\s+(licenses|pools|apple_users)\\b", Pattern.CASE_INSENSITIVE);
    private static final Path SOURCES = Path.of("src/main/java/dev/orchard/server");

    @Test
    void onlyTheLedgerWritesLicensesPoolsAndAppleUsers() throws IOException {
        assertThat(outsideTheLedger(WRITE)).as("writes to the ledger's tables outside the ledger module").isEmpty();
        assertThat(inTheLedger(WRITE)).as("the check sees what it looks for: the ledger itself writes them").isTrue();
    }

    @Test
    void onlyTheLedgerReadsLicensesPoolsAndAppleUsers() throws IOException {
        assertThat(outsideTheLedger(READ)).as("reads of the ledger's tables outside the ledger module").isEmpty();
        assertThat(inTheLedger(READ)).as("the check sees what it looks for: the ledger itself reads them").isTrue();
        // a view's name is not mistaken for its table, and the other modules do use the views
        assertThat(READ.matcher("join ledger_licenses l").find()).isFalse();
        assertThat(READ.matcher("select * from\n    licenses where id = ?").find()).isTrue();
    }

    private static List<String> outsideTheLedger(Pattern sql) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (f.startsWith(SOURCES.resolve("ledger"))) {
                    continue;
                }
                var m = sql.matcher(Files.readString(f));
                while (m.find()) {
                    found.add(SOURCES.relativize(f) + ": " + m.group());
                }
            }
        }
        return found;
    }

    private static boolean inTheLedger(Pattern sql) throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES.resolve("ledger"))) {
            return files.filter(p -> p.toString().endsWith(".java")).anyMatch(p -> {
                try {
                    return sql.matcher(Files.readString(p)).find();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
