package dev.orchard.server.system;

import java.net.URI;
import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Installation-wide settings.
 *
 * @param dataDir   where the embedded database and the generated secret key live
 * @param publicUrl the HTTPS URL under which Apple can reach this Orchard (for notifications); empty = none
 */
@ConfigurationProperties("orchard")
public record OrchardProperties(Path dataDir, URI publicUrl) {

    public OrchardProperties {
        if (dataDir == null) {
            dataDir = Path.of("data");
        }
        if (publicUrl != null && publicUrl.toString().isBlank()) {
            publicUrl = null;
        }
    }
}
