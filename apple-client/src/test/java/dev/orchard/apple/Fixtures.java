package dev.orchard.apple;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Apple's documented example bodies, kept under {@code src/test/resources/dev/orchard/apple/examples}. */
final class Fixtures {

    private Fixtures() {
    }

    static String text(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("examples/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(String name) {
        return text(name).getBytes(StandardCharsets.UTF_8);
    }

    static SToken token() {
        return SToken.parse(SToken.encode("VFdwQmVVMTZRVEZOUkVsNlRWUk5NRTFVUlhkTlJFMTRUa1JqZUUxRVJYcE5ha1V3VFVSak1FMVVZM2xOUkUxMA==",
                Instant.parse("2030-11-08T22:33:22Z"), "ORG12345"));
    }
}
