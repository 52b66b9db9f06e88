package dev.orchard.applesim;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Apple's v2 endpoints under {@code /mdm/v2}: authentication, faults, rate limit, synchronous validation, then
 * either an answer from state or an asynchronous event.
 */
final class AppleApi {

    private static final Map<String, Set<String>> ROUTES = Map.ofEntries(
            Map.entry("service/config", Set.of("GET")),
            Map.entry("client/config", Set.of("GET", "POST")),
            Map.entry("assets", Set.of("GET")),
            Map.entry("assignments", Set.of("GET")),
            Map.entry("assets/associate", Set.of("POST")),
            Map.entry("assets/disassociate", Set.of("POST")),
            Map.entry("assets/revoke", Set.of("POST")),
            Map.entry("users", Set.of("GET")),
            Map.entry("users/create", Set.of("POST")),
            Map.entry("users/update", Set.of("POST")),
            Map.entry("users/retire", Set.of("POST")),
            Map.entry("status", Set.of("GET")));

    private final Settings settings;
    private final Registry registry;
    private final Listings listings;
    private final EventProcessor events;
    private final Notifier notifier;
    private final Faults faults;
    private final RateLimiter rateLimiter;
    private final Clock clock;
    private final ClientConfig clientConfig;
    private volatile URI baseUri;

    AppleApi(Settings settings, Registry registry, EventProcessor events, Notifier notifier, Faults faults,
             RateLimiter rateLimiter, Clock clock) {
        this.settings = settings;
        this.registry = registry;
        this.listings = new Listings(settings);
        this.events = events;
        this.notifier = notifier;
        this.faults = faults;
        this.rateLimiter = rateLimiter;
        this.clock = clock;
        this.clientConfig = new ClientConfig(settings, notifier);
    }

    void baseUri(URI uri) {
        this.baseUri = uri;
    }

    void handle(Exchange ex) throws IOException, InterruptedException {
        String route = ex.path.replaceFirst("^/mdm/v2/?", "").replaceAll("/+$", "");
        Set<String> methods = ROUTES.get(route);
        if (methods == null) {
            throw new AppleError(404, 9602, "Invalid argument: no such endpoint " + route);
        }
        Location loc = route.equals("service/config") ? null : authenticate(ex);
        if (route.startsWith("assets/") && "POST".equals(ex.method)) {
            ex.subjects = subjects(ex);
        }
        Faults.Fault fault = faults.takeRequestFault(loc == null ? null : loc.uId, route, ex.rawQuery);
        if (fault != null) {
            if (fault.delayMs > 0) {
                Thread.sleep(fault.delayMs);
            }
            if (fault.drop) {
                ex.drop();
                return;
            }
            if (fault.status != null || fault.errorNumber != null) {
                int number = fault.errorNumber != null ? fault.errorNumber
                        : fault.status == 429 ? 9646 : fault.status == 503 ? 9729 : 9603;
                String message = fault.errorMessage != null ? fault.errorMessage : ErrorCatalog.message(number);
                throw new AppleError(fault.httpStatus(), number, message, null, fault.retryAfterSeconds);
            }
        }
        if (loc != null) {
            long wait = rateLimiter.acquire(loc.uId, settings.rateLimit);
            if (wait > 0) {
                throw new AppleError(429, 9646, ErrorCatalog.message(9646), null, (int) wait);
            }
        }
        if (!methods.contains(ex.method)) {
            throw ErrorCatalog.error(9726);
        }
        JsonNode body = null;
        if ("POST".equals(ex.method)) {
            String type = ex.header("Content-Type");
            if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
                throw ErrorCatalog.error(9727);
            }
            body = ex.json();
        }
        ObjectNode answer = dispatch(route, ex, loc, body);
        if (loc != null) {
            loc.envelope(answer, settings.tokenExpirationAlways);
        }
        if (fault != null && fault.answerDelayMs > 0) {
            Thread.sleep(fault.answerDelayMs); // acted on: the request is Apple's now, whatever becomes of the answer
        }
        if (fault != null && fault.dropAnswer) {
            ex.drop();
            return;
        }
        ex.send(200, answer);
    }

    private Location authenticate(Exchange ex) {
        String header = ex.header("Authorization");
        if (header == null || !header.startsWith("Bearer ") || header.substring(7).isBlank()) {
            throw ErrorCatalog.error(9722);
        }
        String token = header.substring(7).strip();
        Location loc = registry.byToken(token);
        if (loc == null) {
            Location replaced = registry.byReplacedToken(token);
            if (replaced != null) {
                ex.uId = replaced.uId;
                throw ErrorCatalog.error(9625);
            }
            throw ErrorCatalog.error(9622);
        }
        ex.uId = loc.uId;
        if (loc.revoked) {
            throw ErrorCatalog.error(9625);
        }
        if (!clock.instant().isBefore(loc.expiresAt)) {
            throw ErrorCatalog.error(9621);
        }
        return loc;
    }

    private ObjectNode dispatch(String route, Exchange ex, Location loc, JsonNode body) {
        return switch (route) {
            case "service/config" -> serviceConfig();
            case "client/config" -> "GET".equals(ex.method) ? clientConfig.read(loc) : clientConfig.update(loc, body);
            case "assets" -> listings.assets(loc, ex.query, pageIndex(ex));
            case "assignments" -> listings.assignments(loc, ex.query, pageIndex(ex));
            case "users" -> listings.users(loc, ex.query, pageIndex(ex));
            case "assets/associate" -> manageAssets(loc, body, "ASSOCIATE");
            case "assets/disassociate" -> manageAssets(loc, body, "DISASSOCIATE");
            case "assets/revoke" -> revoke(loc, body);
            case "users/create" -> manageUsers(loc, body, "CREATE");
            case "users/update" -> manageUsers(loc, body, "UPDATE");
            case "users/retire" -> manageUsers(loc, body, "RETIRE");
            case "status" -> status(loc, ex.query.get("eventId"));
            default -> throw ErrorCatalog.error(9602);
        };
    }

    private ObjectNode serviceConfig() {
        ObjectNode body = SimJson.object();
        var codes = body.putArray("errorCodes");
        ErrorCatalog.MESSAGES.forEach((n, m) -> codes.addObject().put("errorMessage", m).put("errorNumber", n));
        ObjectNode limits = body.putObject("limits");
        settings.advertisedLimits().forEach(limits::put);
        var types = body.putArray("notificationTypes");
        ClientConfig.NOTIFICATION_TYPES.stream().filter(t -> !t.equals("TEST_NOTIFICATION")).forEach(types::add);
        ObjectNode urls = body.putObject("urls");
        String v2 = baseUri + "mdm/v2/";
        urls.put("clientConfig", v2 + "client/config");
        urls.put("getAssets", v2 + "assets");
        urls.put("getAssignments", v2 + "assignments");
        urls.put("associateAssets", v2 + "assets/associate");
        urls.put("disassociateAssets", v2 + "assets/disassociate");
        urls.put("revokeAssets", v2 + "assets/revoke");
        urls.put("getUsers", v2 + "users");
        urls.put("createUsers", v2 + "users/create");
        urls.put("updateUsers", v2 + "users/update");
        urls.put("retireUsers", v2 + "users/retire");
        urls.put("eventStatus", v2 + "status");
        urls.put("contentMetadataLookup", baseUri + "WebObjects/MZStorePlatform.woa/wa/lookup");
        urls.put("invitationEmail", baseUri + "invite?inviteCode=%25inviteCode%25&mt=8");
        return body;
    }

    private static int pageIndex(Exchange ex) {
        String p = ex.query.get("pageIndex");
        if (p == null || p.isEmpty()) {
            return 0;
        }
        try {
            return Integer.parseInt(p);
        } catch (NumberFormatException e) {
            throw ErrorCatalog.error(9650);
        }
    }

    /** The targets an associate, disassociate or revoke request names (none when its body is not JSON). */
    private static List<String> subjects(Exchange ex) {
        try {
            JsonNode body = ex.json();
            var named = new ArrayList<String>(strings(body, "serialNumbers"));
            named.addAll(strings(body, "clientUserIds"));
            return named;
        } catch (IOException | RuntimeException unreadable) {
            return List.of();
        }
    }

    private ObjectNode manageAssets(Location loc, JsonNode body, String type) {
        List<SimAsset> assets = new ArrayList<>();
        JsonNode assetNodes = body.get("assets");
        if (assetNodes == null || !assetNodes.isArray() || assetNodes.isEmpty()) {
            throw ErrorCatalog.error(9718);
        }
        List<String> users = strings(body, "clientUserIds");
        List<String> serials = strings(body, "serialNumbers");
        if (!users.isEmpty() && !serials.isEmpty() && !settings.mixedTargets) {
            throw AppleError.badRequest(9602, "Invalid argument: send clientUserIds or serialNumbers, not both");
        }
        if (assetNodes.size() > settings.limit("maxAssets")) {
            throw ErrorCatalog.error(9700);
        }
        checkTargets(users, serials, "maxClientUserIds", "maxSerialNumbers");
        var keys = new LinkedHashSet<String>();
        var unknown = new ArrayList<String>();
        for (JsonNode a : assetNodes) {
            String adamId = a.hasNonNull("adamId") ? a.get("adamId").asString() : null;
            String pricing = a.hasNonNull("pricingParam") ? a.get("pricingParam").asString() : "STDQ";
            if (adamId == null || adamId.isBlank()) {
                throw ErrorCatalog.error(9718);
            }
            if (!keys.add(SimAsset.key(adamId, pricing))) {
                throw ErrorCatalog.error(9703);
            }
            SimAsset asset = loc.asset(adamId, pricing);
            if (asset == null) {
                unknown.add(adamId);
            } else {
                assets.add(asset);
            }
        }
        if (!unknown.isEmpty()) {
            throw assetError(9602, "Invalid argument: the location has no such asset", unknown);
        }
        if (!serials.isEmpty()) {
            List<String> notAssignable = assets.stream().filter(a -> !a.deviceAssignable).map(a -> a.adamId).toList();
            if (!notAssignable.isEmpty()) {
                throw assetError(9707, ErrorCatalog.message(9707), notAssignable);
            }
        }
        if ("DISASSOCIATE".equals(type)) {
            List<String> notRevocable = assets.stream().filter(a -> !a.revocable).map(a -> a.adamId).toList();
            if (!notRevocable.isEmpty()) {
                throw assetError(9706, ErrorCatalog.message(9706), notRevocable);
            }
        }
        var tasks = new ArrayList<SimEvent.Task>(assets.size() * (users.size() + serials.size()));
        for (SimAsset asset : assets) {
            users.forEach(u -> tasks.add(new SimEvent.Task(asset, null, u, null)));
            serials.forEach(s -> tasks.add(new SimEvent.Task(asset, s, null, null)));
        }
        return eventResponse(events.submit(loc, type, tasks, faults.takeEventFault(loc.uId, "assets/" + type.toLowerCase(java.util.Locale.ROOT))));
    }

    private ObjectNode revoke(Location loc, JsonNode body) {
        List<String> users = strings(body, "clientUserIds");
        List<String> serials = strings(body, "serialNumbers");
        checkTargets(users, serials, "maxRevokeClientUserIds", "maxRevokeSerialNumbers");
        var tasks = new ArrayList<SimEvent.Task>();
        users.forEach(u -> loc.revocableHeldBy(null, u).forEach(a -> tasks.add(new SimEvent.Task(a, null, u, null))));
        serials.forEach(s -> loc.revocableHeldBy(s, null).forEach(a -> tasks.add(new SimEvent.Task(a, s, null, null))));
        return eventResponse(events.submit(loc, "REVOKE", tasks, faults.takeEventFault(loc.uId, "assets/revoke")));
    }

    /** Apple's synchronous checks of the target lists: 9719 none, 9701/9702 over the limit, 9704/9705 duplicates. */
    private void checkTargets(List<String> users, List<String> serials, String maxUsers, String maxSerials) {
        if (users.isEmpty() && serials.isEmpty()) {
            throw ErrorCatalog.error(9719);
        }
        if (users.size() > settings.limit(maxUsers)) {
            throw ErrorCatalog.error(9701);
        }
        if (serials.size() > settings.limit(maxSerials)) {
            throw ErrorCatalog.error(9702);
        }
        requireUnique(users, 9704);
        requireUnique(serials, 9705);
    }

    private ObjectNode manageUsers(Location loc, JsonNode body, String type) {
        JsonNode nodes = body.get("users");
        if (nodes == null || !nodes.isArray() || nodes.isEmpty()) {
            throw ErrorCatalog.error(9720);
        }
        if (nodes.size() > settings.limit("maxUsers")) {
            throw ErrorCatalog.error(9714);
        }
        var ids = new LinkedHashSet<String>();
        var tasks = new ArrayList<SimEvent.Task>();
        for (JsonNode n : nodes) {
            String id = n.hasNonNull("clientUserId") ? n.get("clientUserId").asString() : null;
            if (id == null || id.isBlank()) {
                throw AppleError.badRequest(9602, "Invalid argument: clientUserId is required");
            }
            if (!ids.add(id)) {
                throw ErrorCatalog.error(9715);
            }
            String email = n.hasNonNull("email") ? n.get("email").asString() : null;
            if (email != null && !email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
                throw ErrorCatalog.error(9717);
            }
            String managed = n.hasNonNull("managedAppleId") ? n.get("managedAppleId").asString() : null;
            tasks.add(new SimEvent.Task(null, null, id, new Seed.SeedUser(id, email, managed)));
        }
        return eventResponse(events.submit(loc, type, tasks, faults.takeEventFault(loc.uId, "users/" + type.toLowerCase(java.util.Locale.ROOT))));
    }

    private ObjectNode status(Location loc, String eventId) {
        if (eventId == null || eventId.isBlank()) {
            throw AppleError.badRequest(9602, "Invalid argument: eventId is required");
        }
        SimEvent event = loc.events.get(eventId);
        if (event == null) {
            throw ErrorCatalog.error(9708);
        }
        return event.statusBody();
    }

    private static ObjectNode eventResponse(SimEvent event) {
        return SimJson.object().put("eventId", event.eventId);
    }

    private static AppleError assetError(int number, String message, List<String> adamIds) {
        ObjectNode info = SimJson.object();
        var array = info.putArray("assets");
        adamIds.forEach(id -> array.addObject().put("adamId", id));
        return new AppleError(400, number, message, info, null);
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode node = body.get(field);
        var list = new ArrayList<String>();
        if (node == null || node.isNull()) {
            return list;
        }
        if (!node.isArray()) {
            throw AppleError.badRequest(9602, "Invalid argument: " + field + " must be an array");
        }
        for (JsonNode n : node) {
            String v = n.asString();
            if (v == null || v.isBlank()) {
                throw AppleError.badRequest(9602, "Invalid argument: blank entry in " + field);
            }
            list.add(v);
        }
        return list;
    }

    private static void requireUnique(List<String> values, int errorNumber) {
        if (new LinkedHashSet<>(values).size() != values.size()) {
            throw ErrorCatalog.error(errorNumber);
        }
    }
}
