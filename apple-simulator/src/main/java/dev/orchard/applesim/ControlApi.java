package dev.orchard.applesim;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The simulator's control API under {@code /_sim/}: loopback callers only, no Apple authentication. Lets tests
 * and demos add locations, buy and refund licenses, hand a location to another MDM, expire or revoke a token,
 * make assignments "from elsewhere", inject faults and read the request and notification logs.
 */
final class ControlApi {

    private final Settings settings;
    private final Registry registry;
    private final Notifier notifier;
    private final Faults faults;
    private final RequestLog requests;
    private final Clock clock;

    private final EventProcessor events;

    ControlApi(Settings settings, Registry registry, Notifier notifier, Faults faults, RequestLog requests,
               EventProcessor events, Clock clock) {
        this.settings = settings;
        this.events = events;
        this.registry = registry;
        this.notifier = notifier;
        this.faults = faults;
        this.requests = requests;
        this.clock = clock;
    }

    void handle(Exchange ex) throws IOException {
        InetSocketAddress remote = ex.http.getRemoteAddress();
        if (remote == null || !remote.getAddress().isLoopbackAddress()) {
            ex.send(403, SimJson.object().put("error", "the control API answers loopback callers only"));
            return;
        }
        String[] p = ex.path.replaceFirst("^/_sim/?", "").replaceAll("/+$", "").split("/");
        String route = ex.method + " " + String.join("/", p);
        try {
            ex.send(200, route(ex, p, route));
        } catch (IllegalArgumentException e) {
            ex.send(400, SimJson.object().put("error", e.getMessage()));
        } catch (NotFound e) {
            ex.send(404, SimJson.object().put("error", e.getMessage()));
        }
    }

    private JsonNode route(Exchange ex, String[] p, String route) throws IOException {
        if (route.equals("GET locations")) {
            ArrayNode list = SimJson.MAPPER.createArrayNode();
            registry.locations().forEach(l -> list.add(l.summary()));
            return list;
        }
        if (route.equals("POST locations")) {
            return registry.add(Seed.readLocation(ex.body())).summary();
        }
        if (route.equals("POST faults")) {
            JsonNode spec = ex.json();
            faults.add(new Faults.Fault((ObjectNode) spec));
            return faults.describe();
        }
        if (route.equals("GET faults")) {
            return faults.describe();
        }
        if (route.equals("DELETE faults")) {
            faults.clear();
            return faults.describe();
        }
        if (route.equals("GET requests")) {
            return requests.describe(ex.query.get("uId"), ex.query.get("path"));
        }
        if (route.equals("DELETE requests")) {
            requests.clear();
            return SimJson.object().put("cleared", true);
        }
        if (route.equals("GET notifications")) {
            return notifier.describe(ex.query.get("uId"), ex.query.get("type"));
        }
        if (route.equals("DELETE notifications")) {
            notifier.clear();
            return SimJson.object().put("cleared", true);
        }
        if (route.equals("GET stats")) {
            return stats();
        }
        if (route.equals("GET settings")) {
            return settingsNode();
        }
        if (route.equals("POST settings")) {
            applySettings(ex.json());
            return settingsNode();
        }
        if (p.length >= 3 && p[0].equals("locations")) {
            Location loc = registry.byUid(p[1]);
            if (loc == null) {
                throw new NotFound("no location with uId " + p[1]);
            }
            return location(ex, loc, String.join("/", java.util.Arrays.copyOfRange(p, 2, p.length)));
        }
        if (p.length == 2 && p[0].equals("locations") && ex.method.equals("GET")) {
            Location loc = registry.byUid(p[1]);
            if (loc == null) {
                throw new NotFound("no location with uId " + p[1]);
            }
            return loc.summary();
        }
        throw new NotFound("no control route " + route);
    }

    private JsonNode location(Exchange ex, Location loc, String action) throws IOException {
        if (!ex.method.equals("POST")) {
            throw new NotFound("control actions on a location are POSTs");
        }
        JsonNode body = ex.body().length == 0 ? SimJson.object() : ex.json();
        switch (action) {
            case "purchases" -> {
                String adamId = required(body, "adamId");
                String pricing = body.hasNonNull("pricingParam") ? body.get("pricingParam").asString() : "STDQ";
                int count = body.hasNonNull("count") ? body.get("count").asInt() : 0;
                if (count == 0) {
                    throw new IllegalArgumentException("count must be non-zero (negative for a refund)");
                }
                SimAsset asset = loc.asset(adamId, pricing);
                if (asset == null) {
                    ObjectNode seed = SimJson.object().put("adamId", adamId).put("pricingParam", pricing)
                            .put("totalCount", 0);
                    body.properties().forEach(e -> {
                        if (!seed.has(e.getKey()) && !e.getKey().equals("count")) {
                            seed.set(e.getKey(), e.getValue());
                        }
                    });
                    asset = registry.asset(loc, SimJson.MAPPER.treeToValue(seed, Seed.SeedAsset.class));
                    loc.addAsset(asset);
                }
                loc.changeTotal(asset, count);
                notifier.send(loc, "ASSET_COUNT", SimJson.object().put("adamId", adamId).put("countDelta", count)
                        .put("pricingParam", pricing));
                ObjectNode n = SimJson.object();
                Listings.writeAsset(n, asset, true);
                return n;
            }
            case "claim" -> {
                JsonNode info = body.get("mdmInfo");
                if (info == null || !info.isObject()) {
                    throw new IllegalArgumentException("mdmInfo {id, name, metadata} is required");
                }
                loc.mdmInfo = SimJson.object().put("id", required(info, "id"))
                        .put("metadata", info.hasNonNull("metadata") ? info.get("metadata").asString() : "")
                        .put("name", info.hasNonNull("name") ? info.get("name").asString() : "Other MDM");
                return loc.summary();
            }
            case "expire" -> {
                loc.expiresAt = clock.instant().minusSeconds(1);
                return loc.summary();
            }
            case "revoke" -> {
                loc.revoked = true;
                return loc.summary();
            }
            case "renew" -> {
                int days = body.hasNonNull("days") ? body.get("days").asInt() : 365;
                registry.renew(loc, clock.instant().plus(days, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS));
                return loc.summary();
            }
            case "generate" -> {
                var result = registry.generate(loc, intField(body, "assets", 10), intField(body, "assignments", 0),
                        intField(body, "users", 0));
                ObjectNode n = SimJson.object();
                result.forEach(n::put);
                return n;
            }
            case "assignments" -> {
                return externalAssignment(loc, body, true);
            }
            case "assignments/remove" -> {
                return externalAssignment(loc, body, false);
            }
            case "users/accept" -> {
                return accept(loc, required(body, "clientUserId"), body.hasNonNull("managedAppleId")
                        ? body.get("managedAppleId").asString() : required(body, "clientUserId") + "@appleid.example.com");
            }
            case "reset-versions" -> {
                loc.forgetVersions();
                return loc.summary();
            }
            default -> throw new NotFound("no control action " + action);
        }
    }

    /** An assignment made or removed by someone else (another MDM, Apple's portal): no event, no notification. */
    private JsonNode externalAssignment(Location loc, JsonNode body, boolean add) {
        String adamId = required(body, "adamId");
        String pricing = body.hasNonNull("pricingParam") ? body.get("pricingParam").asString() : "STDQ";
        SimAsset asset = loc.asset(adamId, pricing);
        if (asset == null) {
            throw new IllegalArgumentException("the location has no asset " + adamId + "/" + pricing);
        }
        String serial = body.hasNonNull("serialNumber") ? body.get("serialNumber").asString() : null;
        String user = body.hasNonNull("clientUserId") ? body.get("clientUserId").asString() : null;
        if ((serial == null) == (user == null)) {
            throw new IllegalArgumentException("give exactly one of serialNumber and clientUserId");
        }
        Location.Change change = add ? loc.assign(asset, serial, user) : loc.unassign(asset, serial, user);
        return SimJson.object().put("result", change.name());
    }

    private JsonNode accept(Location loc, String clientUserId, String appleId) {
        SimUser user;
        synchronized (loc) {
            user = loc.activeUser(clientUserId);
            if (user == null) {
                throw new NotFound("no active user " + clientUserId);
            }
            EventProcessor.link(user, appleId);
            loc.touch(user);
        }
        ObjectNode payload = SimJson.object();
        Listings.writeUser(payload.putArray("associatedUsers").addObject(), user);
        notifier.send(loc, "USER_ASSOCIATED", payload);
        ObjectNode n = SimJson.object();
        Listings.writeUser(n, user);
        return n;
    }

    /** Heap in use and the size of every location's data, for benchmarks. */
    private ObjectNode stats() {
        Runtime rt = Runtime.getRuntime();
        ObjectNode n = SimJson.object();
        n.put("heapUsedBytes", rt.totalMemory() - rt.freeMemory());
        n.put("heapMaxBytes", rt.maxMemory());
        long assignments = 0;
        for (Location l : registry.locations()) {
            synchronized (l) {
                assignments += l.assignments.size();
            }
        }
        n.put("locations", registry.locations().size());
        n.put("assignments", assignments);
        return n;
    }

    private ObjectNode settingsNode() {
        ObjectNode n = SimJson.object();
        n.put("pageSize", settings.pageSize);
        n.put("rateLimit", settings.rateLimit);
        n.put("eventDelayMs", settings.eventDelayMs);
        n.put("holdEvents", settings.holdEvents);
        n.put("repeatAssociateFails", settings.repeatAssociateFails);
        n.put("disassociateMissingFails", settings.disassociateMissingFails);
        n.put("mixedTargets", settings.mixedTargets);
        n.put("tokenExpirationAlways", settings.tokenExpirationAlways);
        n.put("duplicateNotifications", settings.duplicateNotifications);
        n.put("retireReleasesLicenses", settings.retireReleasesLicenses);
        n.put("assetsRejectSinceVersion", settings.assetsRejectSinceVersion);
        n.put("notificationRetryDelayMs", settings.notificationRetryDelayMs);
        n.put("logRequests", settings.logRequests);
        ObjectNode limits = n.putObject("limits");
        settings.advertisedLimits().forEach(limits::put);
        return n;
    }

    private void applySettings(JsonNode b) {
        if (b.hasNonNull("pageSize")) {
            int size = b.get("pageSize").asInt();
            if (size < 1) {
                throw new IllegalArgumentException("pageSize must be at least 1");
            }
            settings.pageSize = size;
        }
        if (b.hasNonNull("rateLimit")) {
            settings.rateLimit = Math.max(0, b.get("rateLimit").asInt());
        }
        if (b.hasNonNull("eventDelayMs")) {
            settings.eventDelayMs = Math.max(0, b.get("eventDelayMs").asLong());
        }
        if (b.hasNonNull("holdEvents")) {
            if (b.get("holdEvents").asBoolean()) {
                settings.holdEvents = true;
            } else {
                events.release();
            }
        }
        if (b.hasNonNull("repeatAssociateFails")) {
            settings.repeatAssociateFails = b.get("repeatAssociateFails").asBoolean();
        }
        if (b.hasNonNull("disassociateMissingFails")) {
            settings.disassociateMissingFails = b.get("disassociateMissingFails").asBoolean();
        }
        if (b.hasNonNull("mixedTargets")) {
            settings.mixedTargets = b.get("mixedTargets").asBoolean();
        }
        if (b.hasNonNull("tokenExpirationAlways")) {
            settings.tokenExpirationAlways = b.get("tokenExpirationAlways").asBoolean();
        }
        if (b.hasNonNull("duplicateNotifications")) {
            settings.duplicateNotifications = b.get("duplicateNotifications").asBoolean();
        }
        if (b.hasNonNull("retireReleasesLicenses")) {
            settings.retireReleasesLicenses = b.get("retireReleasesLicenses").asBoolean();
        }
        if (b.hasNonNull("assetsRejectSinceVersion")) {
            settings.assetsRejectSinceVersion = b.get("assetsRejectSinceVersion").asBoolean();
        }
        if (b.hasNonNull("notificationRetryDelayMs")) {
            settings.notificationRetryDelayMs = Math.max(0, b.get("notificationRetryDelayMs").asLong());
        }
        if (b.hasNonNull("logRequests")) {
            settings.logRequests = b.get("logRequests").asBoolean();
        }
        if (b.hasNonNull("limits")) {
            Map<String, Integer> limits = new HashMap<>(settings.limits);
            b.get("limits").properties().forEach(e -> limits.put(e.getKey(), e.getValue().asInt()));
            Integer rate = limits.remove(Settings.MAX_REQUEST_PER_SECOND); // the advertised rate is the enforced one
            if (rate != null) {
                settings.rateLimit = Math.max(0, rate);
            }
            settings.limits = Map.copyOf(limits);
        }
    }

    private static String required(JsonNode body, String field) {
        if (!body.hasNonNull(field) || body.get(field).asString().isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        return body.get(field).asString();
    }

    private static int intField(JsonNode body, String field, int fallback) {
        int v = body.hasNonNull(field) ? body.get(field).asInt() : fallback;
        if (v < 0) {
            throw new IllegalArgumentException(field + " must not be negative");
        }
        return v;
    }


    /** A control route or location that does not exist. */
    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message, null, false, false);
        }
    }
}
