package dev.orchard.server.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretCipherTests {

    @TempDir
    Path dir;

    @Test
    void sealsAndOpensWithAFreshIvEachTime() {
        var cipher = new SecretCipher(SecretKeys.load(null, dir));

        String a = cipher.encrypt("the secret token", "account-token");
        String b = cipher.encrypt("the secret token", "account-token");

        assertThat(a).isNotEqualTo(b).doesNotContain("the secret token");
        assertThat(cipher.decrypt(a, "account-token")).isEqualTo("the secret token");
    }

    @Test
    void aCiphertextIsBoundToItsPurposeAndKey() {
        var cipher = new SecretCipher(SecretKeys.load(null, dir));
        String sealed = cipher.encrypt("x", "account-token");

        assertThatThrownBy(() -> cipher.decrypt(sealed, "notification-secret"))
                .hasMessageContaining("wrong ORCHARD_SECRET_KEY");
        var other = new SecretCipher(SecretKeys.load(Base64.getEncoder().encodeToString(new byte[32]), dir));
        assertThatThrownBy(() -> other.decrypt(sealed, "account-token")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cipher.decrypt("garbage!", "account-token")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theGeneratedKeyIsOwnerOnlyAndReused() throws Exception {
        var first = SecretKeys.load(null, dir);
        Path file = dir.resolve(SecretKeys.FILE_NAME);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(SecretKeys.load(null, dir).getEncoded()).isEqualTo(first.getEncoded());
    }

    @Test
    void aConfiguredKeyMustBe32BytesOfBase64() {
        assertThatThrownBy(() -> SecretKeys.load("not base64!", dir)).hasMessageContaining("not Base64");
        assertThatThrownBy(() -> SecretKeys.load(Base64.getEncoder().encodeToString(new byte[16]), dir))
                .hasMessageContaining("32 bytes");
        assertThat(Files.exists(dir.resolve(SecretKeys.FILE_NAME))).isFalse();
    }
}
