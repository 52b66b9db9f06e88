package dev.orchard.server.system;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Says where to go once Orchard is ready: the address of the admin UI and who signs in (the first line a newcomer
 * looks for in the log).
 */
@Component
class ReadyBanner {

    private static final Logger LOG = LoggerFactory.getLogger(ReadyBanner.class);

    private final OrchardProperties properties;

    ReadyBanner(OrchardProperties properties) {
        this.properties = properties;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        if (event.getApplicationContext() instanceof WebServerApplicationContext web && web.getWebServer() != null) {
            String url = properties.publicUrl() != null ? properties.publicUrl().toString()
                    : "http://localhost:" + web.getWebServer().getPort() + "/";
            LOG.info("Orchard is ready: open {} and sign in as 'admin' (API: {}api/v1, documentation: {}swagger-ui.html)",
                    url, url, url);
        }
    }
}
