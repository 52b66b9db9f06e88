package dev.orchard.server.accounts;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.orchard.apple.AppleException;
import dev.orchard.apple.AppsAndBooksClient;
import dev.orchard.apple.ServiceLimits;

/**
 * Apple's service configuration (request limits and endpoint URLs), re-read at most every
 * {@code orchard.apple.service-config-ttl}; when Apple cannot be reached the last known values (or Apple's
 * documented examples) are used.
 */
@Component
public class AppleService {

    private static final Logger LOG = LoggerFactory.getLogger(AppleService.class);

    private final AppsAndBooksClient baseClient;
    private final AppleProperties properties;
    private final Clock clock;
    private volatile ServiceLimits limits = ServiceLimits.DEFAULTS;
    private volatile AppsAndBooksClient client;
    private volatile Instant refreshedAt = Instant.MIN;

    AppleService(AppsAndBooksClient baseClient, AppleProperties properties, Clock clock) {
        this.baseClient = baseClient;
        this.properties = properties;
        this.clock = clock;
        this.client = baseClient;
    }

    private volatile String invitationTemplate;

    /** The page where a user accepts Apple's invitation (service/config's invitationEmail), or null when unknown. */
    public String invitationUrl(String inviteCode) {
        refreshIfStale();
        String template = invitationTemplate;
        if (template == null || inviteCode == null) {
            return null;
        }
        return template.replace("%25inviteCode%25", inviteCode).replace("%inviteCode%", inviteCode);
    }

    public ServiceLimits limits() {
        refreshIfStale();
        return limits;
    }

    /** The client using the endpoint URLs Apple currently publishes. */
    AppsAndBooksClient client() {
        refreshIfStale();
        return client;
    }

    private void refreshIfStale() {
        Instant now = clock.instant();
        if (refreshedAt.plus(properties.serviceConfigTtl()).isAfter(now)) {
            return;
        }
        synchronized (this) {
            if (refreshedAt.plus(properties.serviceConfigTtl()).isAfter(now)) {
                return;
            }
            try {
                var config = baseClient.serviceConfig();
                limits = ServiceLimits.from(config.limits());
                Map<String, String> urls = config.urls();
                client = baseClient.withServiceUrls(urls);
                invitationTemplate = urls == null ? null : urls.get("invitationEmail");
                refreshedAt = now;
            } catch (AppleException e) {
                LOG.warn("Could not read Apple's service configuration, keeping the last known limits: {}", e.getMessage());
                refreshedAt = now.minus(properties.serviceConfigTtl()).plusSeconds(30);
            }
        }
    }
}
