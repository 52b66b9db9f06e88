package dev.orchard.apple;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.orchard.apple.model.AppMetadata;
import tools.jackson.databind.JsonNode;

/**
 * App metadata from Apple's two lookups:
 * <ul>
 *   <li>the content metadata lookup ({@code contentMetadataLookup} in service/config, MZStorePlatform
 *       {@code wa/lookup}), which sees custom (B2B) apps when the location's sToken is sent as the {@code itvt}
 *       cookie;</li>
 *   <li>the public iTunes lookup ({@code lookup?id=…&country=…}), unauthenticated, for public apps only.</li>
 * </ul>
 * Both are storefront-specific: an app that is not sold in a country has no result there, which is how Orchard
 * learns country availability.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/getting-app-and-book-information-legacy">Apple: Getting app and book information (legacy)</a>
 * @see <a href="https://developer.apple.com/library/archive/documentation/AudioVideo/Conceptual/iTuneSearchAPI/Searching.html">Apple: iTunes Search API</a>
 */
public final class AppMetadataClient {

    public static final URI APPLE_CONTENT_LOOKUP_URI =
            URI.create("https://uclient-api.itunes.apple.com/WebObjects/MZStorePlatform.woa/wa/lookup");
    public static final URI APPLE_STORE_LOOKUP_URI = URI.create("https://itunes.apple.com/lookup");

    private static final String ENDPOINT_CONTENT = "contentMetadataLookup";
    private static final String ENDPOINT_STORE = "itunes/lookup";

    private final URI contentLookupUri;
    private final URI storeLookupUri;
    private final int idsPerRequest;
    private final Transport transport;

    private AppMetadataClient(URI contentLookupUri, URI storeLookupUri, int idsPerRequest, Transport transport) {
        this.contentLookupUri = contentLookupUri;
        this.storeLookupUri = storeLookupUri;
        this.idsPerRequest = idsPerRequest;
        this.transport = transport;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The same client with the content lookup URL published by {@code service/config → urls}. */
    public AppMetadataClient withContentLookupUri(URI uri) {
        return new AppMetadataClient(uri, storeLookupUri, idsPerRequest, transport);
    }

    /**
     * Metadata of these apps in one storefront, keyed by adamId; ids without a result are absent (not sold there,
     * unknown, or a custom app the token does not own).
     *
     * @param token    the location's token, sent as the {@code itvt} cookie so its custom apps are visible; may
     *                 be null for a public lookup
     * @param platform {@code enterprisestore} or {@code volumestore} (client config {@code defaultPlatform})
     * @param country  ISO 3166 alpha-2 storefront, for example {@code US}
     */
    public Map<String, AppMetadata> contentMetadata(SToken token, Collection<String> adamIds, String platform,
                                                    String country) {
        var result = new LinkedHashMap<String, AppMetadata>();
        for (List<String> chunk : RequestBatches.chunks(new LinkedHashSet<>(adamIds), idsPerRequest)) {
            var query = new LinkedHashMap<String, String>();
            query.put("version", "2");
            query.put("id", String.join(",", chunk));
            query.put("p", "mdm-lockup");
            query.put("caller", "MDM");
            query.put("platform", platform == null ? "enterprisestore" : platform);
            query.put("cc", country.toLowerCase(Locale.ROOT));
            query.put("l", "en");
            HttpRequest.Builder request = transport.request(Transport.withQuery(contentLookupUri, query)).GET();
            if (token != null) {
                request.header("Cookie", "itvt=" + token.secret());
            }
            JsonNode root = transport.read(ENDPOINT_CONTENT, transport.send(ENDPOINT_CONTENT, request.build()), JsonNode.class);
            JsonNode results = root.get("results");
            if (results != null && results.isObject()) {
                for (var e : results.properties()) {
                    result.put(e.getKey(), fromContent(e.getKey(), e.getValue(), country));
                }
            }
        }
        return result;
    }

    /** Metadata of one app in one storefront, or empty when it has no result there. */
    public Optional<AppMetadata> contentMetadata(SToken token, String adamId, String platform, String country) {
        return Optional.ofNullable(contentMetadata(token, List.of(adamId), platform, country).get(adamId));
    }

    /**
     * The public store's record of an app in a country, or empty when it is not sold there. Cannot see custom apps.
     * Apple allows about 20 calls per minute: cache the answers.
     */
    public Optional<AppMetadata> storeLookup(String adamId, String country) {
        var query = new LinkedHashMap<String, String>();
        query.put("id", adamId);
        query.put("country", country.toLowerCase(Locale.ROOT));
        HttpRequest request = transport.request(Transport.withQuery(storeLookupUri, query)).GET().build();
        JsonNode root = transport.read(ENDPOINT_STORE, transport.send(ENDPOINT_STORE, request), JsonNode.class);
        JsonNode results = root.get("results");
        if (results == null || !results.isArray()) {
            return Optional.empty();
        }
        for (JsonNode r : results) {
            if (adamId.equals(text(r, "trackId"))) {
                return Optional.of(fromStore(adamId, r, country));
            }
        }
        return Optional.empty();
    }

    private static AppMetadata fromContent(String adamId, JsonNode r, String country) {
        String version = null;
        String externalId = null;
        JsonNode offers = r.get("offers");
        if (offers != null && offers.isArray() && !offers.isEmpty()) {
            JsonNode v = offers.get(0).get("version");
            if (v != null) {
                version = text(v, "display");
                externalId = text(v, "externalId");
            }
        }
        String icon = null;
        JsonNode artwork = r.get("artwork");
        if (artwork != null && artwork.isObject()) {
            icon = artworkUrl(text(artwork, "url"));
        }
        return new AppMetadata(adamId, text(r, "name"), text(r, "bundleId"), text(r, "artistName"), icon, version,
                externalId, strings(r.get("deviceFamilies")), text(r, "kind"),
                bool(r, "isVppDeviceBasedLicensingEnabled"), Boolean.TRUE.equals(bool(r, "isB2BCustomApp")),
                text(r, "minimumOSVersion"), country.toUpperCase(Locale.ROOT));
    }

    private static AppMetadata fromStore(String adamId, JsonNode r, String country) {
        String icon = text(r, "artworkUrl512");
        if (icon == null) {
            icon = text(r, "artworkUrl100");
        }
        if (icon == null) {
            icon = text(r, "artworkUrl60");
        }
        return new AppMetadata(adamId, text(r, "trackName"), text(r, "bundleId"), text(r, "artistName"), icon,
                text(r, "version"), null, strings(r.get("supportedDevices")), text(r, "kind"), null, false,
                text(r, "minimumOsVersion"), country.toUpperCase(Locale.ROOT));
    }

    /** Apple's artwork URLs are templates like {@code …/{w}x{h}bb.{f}}; Orchard shows 512-pixel PNGs. */
    static String artworkUrl(String template) {
        if (template == null) {
            return null;
        }
        return template.replace("{w}", "512").replace("{h}", "512").replace("{c}", "bb").replace("{f}", "png");
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    private static Boolean bool(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asBoolean();
    }

    private static List<String> strings(JsonNode node) {
        var list = new ArrayList<String>();
        if (node != null && node.isArray()) {
            node.forEach(n -> list.add(n.asString()));
        }
        return list;
    }

    /** Configures the lookup URLs, HTTP client and timeouts; defaults are Apple's public hosts. */
    public static final class Builder {
        private URI contentLookupUri = APPLE_CONTENT_LOOKUP_URI;
        private URI storeLookupUri = APPLE_STORE_LOOKUP_URI;
        private int idsPerRequest = 1;
        private HttpClient httpClient;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        public Builder contentLookupUri(URI uri) {
            this.contentLookupUri = uri;
            return this;
        }

        public Builder storeLookupUri(URI uri) {
            this.storeLookupUri = uri;
            return this;
        }

        /**
         * How many adamIds one content lookup may carry (comma-separated). Apple has not confirmed that the
         * lookup accepts several, so the default is one per request.
         */
        public Builder idsPerRequest(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("idsPerRequest must be >= 1");
            }
            this.idsPerRequest = n;
            return this;
        }

        public Builder httpClient(HttpClient client) {
            this.httpClient = client;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public AppMetadataClient build() {
            HttpClient http = httpClient != null ? httpClient
                    : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            return new AppMetadataClient(contentLookupUri, storeLookupUri, idsPerRequest,
                    new Transport(http, requestTimeout, "Orchard/0.1 (Apple license manager)", clock));
        }
    }
}
