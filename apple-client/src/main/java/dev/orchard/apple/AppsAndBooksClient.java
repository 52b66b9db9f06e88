package dev.orchard.apple;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import dev.orchard.apple.model.AssetQuery;
import dev.orchard.apple.model.AssignmentQuery;
import dev.orchard.apple.model.ClientConfigRequest;
import dev.orchard.apple.model.ClientConfigResponse;
import dev.orchard.apple.model.EventResponse;
import dev.orchard.apple.model.GetAssetsResponse;
import dev.orchard.apple.model.GetAssignmentsResponse;
import dev.orchard.apple.model.GetUsersResponse;
import dev.orchard.apple.model.ManageAssetsRequest;
import dev.orchard.apple.model.ManageUsersRequest;
import dev.orchard.apple.model.ResponseAsset;
import dev.orchard.apple.model.Assignment;
import dev.orchard.apple.model.ResponseUser;
import dev.orchard.apple.model.RevokeAssetsRequest;
import dev.orchard.apple.model.ServiceConfigResponse;
import dev.orchard.apple.model.StatusResponse;
import dev.orchard.apple.model.UserQuery;

/**
 * Apple's Apps and Books for Organizations API v2, one method per endpoint. Thread-safe and stateless per
 * location: every call names the location's {@link SToken}, sent as {@code Authorization: Bearer <sToken>}.
 *
 * <p>Errors: any non-2xx answer, and any answer whose body carries an {@code errorNumber}, throws
 * {@link AppleApiException}; no answer throws {@link AppleTransportException}. The client never retries or sleeps;
 * {@link AppleApiException#retryAt()} tells the caller when Apple allows the next try.
 *
 * <pre>{@code
 * var client = AppsAndBooksClient.builder().build();          // Apple's production base URL
 * var token = SToken.parse(Files.readString(Path.of("org.vpptoken")));
 * var config = client.clientConfig(token);
 * var walk = client.assignments(token, AssignmentQuery.all());
 * walk.items().forEach(a -> System.out.println(a.adamId() + " " + a.serialNumber()));
 * String next = walk.firstVersionId();                         // for the next incremental read
 * }</pre>
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/app-book-and-subscription-management">Apple: App and Book Management</a>
 */
public final class AppsAndBooksClient {

    /** Apple's production base URL of the v2 API. */
    public static final URI APPLE_BASE_URI = URI.create("https://vpp.itunes.apple.com/mdm/v2/");

    private final URI baseUri;
    private final Map<Endpoint, URI> overrides;
    private final Transport transport;

    private AppsAndBooksClient(URI baseUri, Map<Endpoint, URI> overrides, Transport transport) {
        this.baseUri = baseUri;
        this.overrides = overrides;
        this.transport = transport;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A client that uses the endpoint URLs Apple published in {@code service/config → urls}; endpoints missing
     * from the map keep this client's URL. Apple says these URLs can change and should be re-read every 5 minutes.
     */
    public AppsAndBooksClient withServiceUrls(Map<String, String> urls) {
        var map = new EnumMap<Endpoint, URI>(Endpoint.class);
        map.putAll(overrides);
        for (Endpoint e : Endpoint.values()) {
            String url = e.urlKey() == null ? null : urls.get(e.urlKey());
            if (url != null && !url.isBlank()) {
                map.put(e, URI.create(url));
            }
        }
        return new AppsAndBooksClient(baseUri, map, transport);
    }

    /** The URL this client calls for an endpoint. */
    public URI uri(Endpoint endpoint) {
        URI override = overrides.get(endpoint);
        return override != null ? override : baseUri.resolve(endpoint.path());
    }

    /**
     * Error codes, request limits, notification types and endpoint URLs. Needs no token.
     *
     * @see <a href="https://developer.apple.com/documentation/devicemanagement/service-config">Apple: Service config</a>
     */
    public ServiceConfigResponse serviceConfig() {
        return get(Endpoint.SERVICE_CONFIG, null, Map.of(), ServiceConfigResponse.class);
    }

    /**
     * The location's configuration: country, name, owner ({@code mdmInfo}) and notification settings.
     *
     * @see <a href="https://developer.apple.com/documentation/devicemanagement/client-config-71glv">Apple: Read client config</a>
     */
    public ClientConfigResponse clientConfig(SToken token) {
        return get(Endpoint.CLIENT_CONFIG, token, Map.of(), ClientConfigResponse.class);
    }

    /**
     * Sets notification settings and/or claims the location with {@code mdmInfo}. With a notification URL, Apple
     * first sends a {@code TEST_NOTIFICATION} and rejects the call with 9728 when it cannot be delivered.
     *
     * @see <a href="https://developer.apple.com/documentation/devicemanagement/client-config-4szk1">Apple: Update client config</a>
     */
    public ClientConfigResponse updateClientConfig(SToken token, ClientConfigRequest request) {
        return post(Endpoint.CLIENT_CONFIG, token, request, ClientConfigResponse.class);
    }

    /**
     * One page of the location's assets.
     *
     * @see <a href="https://developer.apple.com/documentation/devicemanagement/get-assets-4ski1">Apple: Get assets</a>
     */
    public GetAssetsResponse assetsPage(SToken token, AssetQuery query, int pageIndex) {
        return get(Endpoint.GET_ASSETS, token, paged(query.parameters(), pageIndex), GetAssetsResponse.class);
    }

    /** All pages of the location's assets, fetched lazily. */
    public PageWalk<ResponseAsset, GetAssetsResponse> assets(SToken token, AssetQuery query) {
        return new PageWalk<>(Endpoint.GET_ASSETS.path(), i -> assetsPage(token, query, i), 0);
    }

    /**
     * One page of assignments (licenses in use); with {@code sinceVersionId}, only those changed since.
     *
     * @see <a href="https://developer.apple.com/documentation/devicemanagement/get-assignments-9wv1e">Apple: Get assignments</a>
     */
    public GetAssignmentsResponse assignmentsPage(SToken token, AssignmentQuery query, int pageIndex) {
        return get(Endpoint.GET_ASSIGNMENTS, token, paged(query.parameters(), pageIndex), GetAssignmentsResponse.class);
    }

    /** All pages of assignments, fetched lazily. */
    public PageWalk<Assignment, GetAssignmentsResponse> assignments(SToken token, AssignmentQuery query) {
        return assignments(token, query, 0);
    }

    /** Pages of assignments from {@code startPage} on, to resume an interrupted walk. */
    public PageWalk<Assignment, GetAssignmentsResponse> assignments(SToken token, AssignmentQuery query, int startPage) {
        return new PageWalk<>(Endpoint.GET_ASSIGNMENTS.path(), i -> assignmentsPage(token, query, i), startPage);
    }

    /**
     * Assigns every listed asset to every listed device and user. Asynchronous: follow the event id.
     *
     * @see <a href="https://developer.apple.com/documentation/devicemanagement/associate-assets">Apple: Associate assets</a>
     */
    public EventResponse associate(SToken token, ManageAssetsRequest request) {
        return post(Endpoint.ASSOCIATE_ASSETS, token, request, EventResponse.class);
    }

    /**
     * Takes the listed assets back from the listed devices and users. Asynchronous.
     *
     * @see <a href="https://developer.apple.com/documentation/devicemanagement/disassociate-assets">Apple: Disassociate assets</a>
     */
    public EventResponse disassociate(SToken token, ManageAssetsRequest request) {
        return post(Endpoint.DISASSOCIATE_ASSETS, token, request, EventResponse.class);
    }

    /**
     * Takes every revocable asset back from the listed devices and users. Asynchronous.
     *
     * @see <a href="https://developer.apple.com/documentation/devicemanagement/revoke-assets">Apple: Revoke assets</a>
     */
    public EventResponse revoke(SToken token, RevokeAssetsRequest request) {
        return post(Endpoint.REVOKE_ASSETS, token, request, EventResponse.class);
    }

    /**
     * One page of users.
     *
     * @see <a href="https://developer.apple.com/documentation/devicemanagement/get-users-4mwln">Apple: Get users</a>
     */
    public GetUsersResponse usersPage(SToken token, UserQuery query, int pageIndex) {
        return get(Endpoint.GET_USERS, token, paged(query.parameters(), pageIndex), GetUsersResponse.class);
    }

    /** All pages of users, fetched lazily. */
    public PageWalk<ResponseUser, GetUsersResponse> users(SToken token, UserQuery query) {
        return new PageWalk<>(Endpoint.GET_USERS.path(), i -> usersPage(token, query, i), 0);
    }

    /**
     * Registers users; with a managed Apple ID they are associated at once, otherwise invited. Asynchronous.
     *
     * @see <a href="https://developer.apple.com/documentation/devicemanagement/create-users">Apple: Create users</a>
     */
    public EventResponse createUsers(SToken token, ManageUsersRequest request) {
        return post(Endpoint.CREATE_USERS, token, request, EventResponse.class);
    }

    /**
     * Updates users' email or managed Apple ID. Asynchronous.
     *
     * @see <a href="https://developer.apple.com/documentation/devicemanagement/update-users">Apple: Update users</a>
     */
    public EventResponse updateUsers(SToken token, ManageUsersRequest request) {
        return post(Endpoint.UPDATE_USERS, token, request, EventResponse.class);
    }

    /**
     * Retires users. Asynchronous.
     *
     * @see <a href="https://developer.apple.com/documentation/devicemanagement/retire-users">Apple: Retire users</a>
     */
    public EventResponse retireUsers(SToken token, ManageUsersRequest request) {
        return post(Endpoint.RETIRE_USERS, token, request, EventResponse.class);
    }

    /**
     * Progress of an asynchronous event. Apple asks for at least 30 s between polls of a pending event.
     *
     * @see <a href="https://developer.apple.com/documentation/devicemanagement/events-status">Apple: Event status</a>
     */
    public StatusResponse status(SToken token, String eventId) {
        Objects.requireNonNull(eventId, "eventId");
        return get(Endpoint.EVENT_STATUS, token, Map.of("eventId", eventId), StatusResponse.class);
    }

    private static Map<String, String> paged(Map<String, String> parameters, int pageIndex) {
        if (pageIndex < 0) {
            throw new IllegalArgumentException("pageIndex must be >= 0");
        }
        var p = new LinkedHashMap<>(parameters);
        p.put("pageIndex", Integer.toString(pageIndex));
        return p;
    }

    private <T> T get(Endpoint endpoint, SToken token, Map<String, String> query, Class<T> type) {
        HttpRequest.Builder request = transport.request(Transport.withQuery(uri(endpoint), query)).GET();
        authorize(request, token);
        return transport.read(endpoint.path(), transport.send(endpoint.path(), request.build()), type);
    }

    private <T> T post(Endpoint endpoint, SToken token, Object body, Class<T> type) {
        Objects.requireNonNull(body, "request body");
        HttpRequest.Builder request = transport.request(uri(endpoint))
                .header("Content-Type", "application/json")
                .POST(transport.json(body));
        authorize(request, token);
        return transport.read(endpoint.path(), transport.send(endpoint.path(), request.build()), type);
    }

    private static void authorize(HttpRequest.Builder request, SToken token) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token.secret());
        }
    }

    /** Configures base URL, HTTP client, timeouts and clock. Defaults talk to Apple's production service. */
    public static final class Builder {
        private URI baseUri = APPLE_BASE_URI;
        private HttpClient httpClient;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private String userAgent = "Orchard/0.1 (Apple license manager)";
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Base URL of the v2 API, for example a simulator's {@code http://127.0.0.1:8999/mdm/v2/}. */
        public Builder baseUri(URI uri) {
            String s = uri.toString();
            this.baseUri = URI.create(s.endsWith("/") ? s : s + "/");
            return this;
        }

        public Builder httpClient(HttpClient client) {
            this.httpClient = client;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = userAgent;
            return this;
        }

        /** The clock that turns a delta-seconds {@code Retry-After} into an instant. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public AppsAndBooksClient build() {
            HttpClient http = httpClient != null ? httpClient : HttpClient.newBuilder()
                    .connectTimeout(connectTimeout)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
            return new AppsAndBooksClient(baseUri, new EnumMap<>(Endpoint.class),
                    new Transport(http, requestTimeout, userAgent, clock));
        }
    }
}
