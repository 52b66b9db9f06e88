package dev.orchard.server.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Where the key for secrets at rest comes from: {@code ORCHARD_SECRET_KEY} (Base64 of 32 bytes), else
 * {@code <data-dir>/secret.key}, created on first start readable by its owner only.
 */
@Configuration(proxyBeanMethods = false)
class SecretKeys {

    private static final Logger LOG = LoggerFactory.getLogger(SecretKeys.class);
    static final String FILE_NAME = "secret.key";

    @Bean
    SecretCipher secretCipher(SecurityProperties security, OrchardProperties orchard) {
        return new SecretCipher(load(security.secretKey(), orchard.dataDir()));
    }

    static SecretKey load(String configured, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            return decode(configured.strip(), "ORCHARD_SECRET_KEY");
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                try {
                    if (supportsPosix(dataDir)) {
                        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    } else {
                        Files.createFile(file);
                    }
                    Files.writeString(file, Base64.getEncoder().encodeToString(key), StandardCharsets.US_ASCII,
                            StandardOpenOption.TRUNCATE_EXISTING);
                    LOG.info("Generated the key for secrets at rest in {} (owner-only); back it up with the database", file);
                } catch (FileAlreadyExistsException raced) {
                    LOG.debug("another process created {} first", file);
                }
            }
            return decode(Files.readString(file, StandardCharsets.US_ASCII).strip(), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secret key " + file, e);
        }
    }

    private static boolean supportsPosix(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().containsAll(Set.of("posix"));
    }

    private static SecretKey decode(String base64, String source) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the secret key from " + source + " is not Base64");
        }
        if (bytes.length != 32) {
            throw new IllegalStateException("the secret key from " + source + " must be 32 bytes (Base64 of 32 random bytes)");
        }
        return new SecretKeySpec(bytes, "AES");
    }
}
