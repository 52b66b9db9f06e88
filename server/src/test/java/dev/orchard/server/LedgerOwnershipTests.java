package dev.orchard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The license truth has one writer: no SQL outside the {@code ledger} module inserts, updates or deletes rows of
 * {@code licenses}, {@code pools} or {@code apple_users} (read from the sources, so a statement built from text
 * blocks or concatenation counts as well).
 */
class LedgerOwnershipTests {

    private static final Pattern WRITE = Pattern.compile("(insert\\s+into|update|delete\\s+from)\\s+(licenses|pools|apple_users)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Path SOURCES = Path.of("src/main/java/dev/orchard/server");

    @Test
    void onlyTheLedgerWritesLicensesPoolsAndAppleUsers() throws IOException {
        List<String> writers = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (f.startsWith(SOURCES.resolve("ledger"))) {
                    continue;
                }
                var m = WRITE.matcher(Files.readString(f));
                while (m.find()) {
                    writers.add(SOURCES.relativize(f) + ": " + m.group());
                }
            }
        }
        assertThat(writers).as("writes to the ledger's tables outside the ledger module").isEmpty();
        // and the check sees what it looks for: the ledger module itself writes them
        try (Stream<Path> files = Files.walk(SOURCES.resolve("ledger"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".java")).anyMatch(p -> {
                try {
                    return WRITE.matcher(Files.readString(p)).find();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })).isTrue();
        }
    }
}
