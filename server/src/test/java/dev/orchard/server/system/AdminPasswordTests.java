package dev.orchard.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/** The configured admin password may be given as a bcrypt hash; anything else is a password to hash. */
class AdminPasswordTests {

    @Test
    void aBcryptHashIsTakenAsItIsAndAnythingElseIsAPassword() {
        String hash = new BCryptPasswordEncoder(4).encode("correct horse");
        assertThat(FirstStart.hashed("{bcrypt}" + hash)).isTrue();
        assertThat(FirstStart.hashed("{bcrypt}" + hash.replace("$2a$", "$2y$"))).isTrue(); // htpasswd's form
        assertThat(FirstStart.hashed(hash)).as("without the encoder's prefix").isFalse();
        assertThat(FirstStart.hashed("{bcrypt}" + hash.substring(0, hash.length() - 1))).isFalse();
        assertThat(FirstStart.hashed("{bcrypt}correct horse battery staple")).isFalse();
        assertThat(FirstStart.hashed("{noop}secret")).isFalse();
        assertThat(FirstStart.hashed(null)).isFalse();
    }
}
