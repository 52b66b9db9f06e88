package dev.orchard.server.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * How much a request may send, by endpoint class, enforced while the body is read (a 413 problem before it is
 * buffered), and how much request body all callers together may have in flight.
 *
 * @param apiBody     JSON API requests ({@code /api/**}) other than bulk uploads
 * @param bulkBody    bulk uploads: {@code POST /api/v1/devices}, {@code POST /api/v1/users},
 *                    {@code POST /api/v1/groups/{id}/members} (JSON or CSV)
 * @param webhookBody Apple notifications and MDM webhook events (checked before the signature is)
 * @param formBody    the admin UI's forms, the login form and token uploads
 * @param inFlight    the sum of the bodies being received at once; beyond it a request is answered 503 with
 *                    {@code Retry-After} instead of being read, so no number of callers can exhaust the heap
 */
@ConfigurationProperties("orchard.limits")
public record LimitsProperties(DataSize apiBody, DataSize bulkBody, DataSize webhookBody, DataSize formBody,
                               DataSize inFlight) {

    public LimitsProperties {
        apiBody = apiBody == null ? DataSize.ofMegabytes(2) : apiBody;
        bulkBody = bulkBody == null ? DataSize.ofMegabytes(32) : bulkBody;
        webhookBody = webhookBody == null ? DataSize.ofMegabytes(1) : webhookBody;
        formBody = formBody == null ? DataSize.ofKilobytes(256) : formBody;
        inFlight = inFlight == null ? DataSize.ofMegabytes(64) : inFlight;
        for (DataSize s : new DataSize[] {apiBody, bulkBody, webhookBody, formBody, inFlight}) {
            if (s.toBytes() < 1024) {
                throw new IllegalArgumentException("orchard.limits.* must be at least 1KB");
            }
        }
    }
}
