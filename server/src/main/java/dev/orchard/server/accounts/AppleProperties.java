package dev.orchard.server.accounts;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How Orchard reaches Apple.
 *
 * @param baseUrl               v2 API base ({@code https://vpp.itunes.apple.com/mdm/v2/}; the simulator in demo mode)
 * @param contentLookupUrl      content metadata lookup (custom apps visible with the account's token)
 * @param storeLookupUrl        public iTunes lookup
 * @param requestTimeout        timeout of one Apple request
 * @param maxConcurrentRequests concurrent requests per account (Apple: at most 5)
 * @param initialBackoff        first wait after a failure that came without Retry-After
 * @param maxBackoff            longest backoff wait
 * @param serviceConfigTtl      how long service/config (limits, URLs) is reused (Apple: re-read every 5 minutes)
 */
@ConfigurationProperties("orchard.apple")
public record AppleProperties(URI baseUrl, URI contentLookupUrl, URI storeLookupUrl, Duration requestTimeout,
                              int maxConcurrentRequests, Duration initialBackoff, Duration maxBackoff,
                              Duration serviceConfigTtl) {

    public AppleProperties {
        if (maxConcurrentRequests < 1 || maxConcurrentRequests > 5) {
            throw new IllegalArgumentException("orchard.apple.max-concurrent-requests must be 1..5 (Apple allows 5)");
        }
    }
}
