package dev.orchard.server.mdm;

import java.time.Instant;

/**
 * An MDM server Orchard sends commands through. {@code kind} picks the connector; the secrets (NanoMDM's API key
 * or the webhook's signing key, and the key NanoMDM signs its events with) are stored encrypted and never shown.
 * {@code urlForm} says where a NanoMDM-kind server has its API (NanoMDM's {@code /v1/…} or NanoHUB's
 * {@code /api/v1/nanomdm/…}); {@code licenseOnly} means another tool installs the apps of its devices: Orchard
 * assigns and reclaims their licenses and sends them no install commands. {@code unreachableSince} is when Orchard
 * last found it unreachable with no request reaching it since (null: the last request reached it), with the error.
 */
public record MdmServer(long id, String name, Kind kind, String url, boolean isDefault, boolean hasApiKey,
                        boolean hasEventsSecret, UrlForm urlForm, boolean licenseOnly, Instant createdAt, Instant updatedAt,
                        Instant unreachableSince, String unreachableError) {

    public MdmServer(long id, String name, Kind kind, String url, boolean isDefault, boolean hasApiKey, boolean hasEventsSecret,
                     UrlForm urlForm, boolean licenseOnly, Instant createdAt, Instant updatedAt) {
        this(id, name, kind, url, isDefault, hasApiKey, hasEventsSecret, urlForm, licenseOnly, createdAt, updatedAt, null, null);
    }

    /** Where a NanoMDM-kind server's API lives. */
    public enum UrlForm {
        /** NanoMDM itself: {@code {url}/v1/enqueue/…}, {@code {url}/v1/push/…}, HTTP Basic user {@code nanomdm}. */
        NANOMDM,
        /** NanoHUB: {@code {url}/api/v1/nanomdm/enqueue/…}, HTTP Basic user {@code nanohub}. */
        NANOHUB
    }

    /** The connector that speaks to the server. */
    public enum Kind {
        /** NanoMDM or NanoHUB: {@code PUT {url}/v1/enqueue/{ids}} with the plist, HTTP Basic API key. */
        NANOMDM,
        /** Any other MDM: a signed JSON POST per device to {@code url}. */
        WEBHOOK
    }

    /** Validates what an administrator entered. */
    static void check(String name, Kind kind, String url) {
        dev.orchard.server.system.Fields.required("name", name, 100);
        if (kind == null) {
            throw new IllegalArgumentException("kind is required (NANOMDM or WEBHOOK)");
        }
        dev.orchard.server.system.Fields.url("url", url == null ? null : url.strip(), 2000, java.util.Set.of("http", "https"),
                "an http(s) URL with a host, like https://mdm.example.com");
    }
}
