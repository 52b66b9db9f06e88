package dev.orchard.applesim;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Every location the simulator knows, found by uId or by token, and the store catalog shared by them. */
final class Registry {

    private final Clock clock;
    private final Map<String, Location> byUid = new ConcurrentHashMap<>();
    private final Map<String, Location> byToken = new ConcurrentHashMap<>();
    private final Map<String, Location> byRetiredToken = new ConcurrentHashMap<>();
    private final Map<String, SimAsset.CatalogEntry> catalog = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> customOwners = new ConcurrentHashMap<>();

    Registry(Clock clock) {
        this.clock = clock;
    }

    List<Location> locations() {
        return new ArrayList<>(byUid.values());
    }

    Location byUid(String uId) {
        return byUid.get(uId);
    }

    Location byToken(String token) {
        return byToken.get(token);
    }

    /** A token that once belonged to a location and was replaced (answers 9625). */
    Location byReplacedToken(String token) {
        return byRetiredToken.get(token);
    }

    SimAsset.CatalogEntry catalog(String adamId) {
        return catalog.get(adamId);
    }

    boolean owns(Location loc, String adamId) {
        return loc != null && customOwners.getOrDefault(adamId, Set.of()).contains(loc.uId);
    }

    /** Issues a new token for a location; the old one answers "revoked" from now on, as after a renewal at Apple. */
    synchronized String renew(Location loc, Instant expiresAt) {
        byToken.remove(loc.sToken);
        byRetiredToken.put(loc.sToken, loc);
        loc.sToken = token(loc.orgName, expiresAt);
        loc.expiresAt = expiresAt;
        loc.revoked = false;
        byToken.put(loc.sToken, loc);
        return loc.sToken;
    }

    synchronized Location add(Seed.SeedLocation seed) {
        if (seed.orgName() == null || seed.orgName().isBlank()) {
            throw new IllegalArgumentException("orgName is required");
        }
        String country = seed.countryCode() == null ? "US" : seed.countryCode().toUpperCase(Locale.ROOT);
        String uId = seed.uId() != null ? seed.uId()
                : Long.toString(1_000_000_000_000_000L + ThreadLocalRandom.current().nextLong(8_999_999_999_999_999L));
        if (byUid.containsKey(uId)) {
            throw new IllegalArgumentException("a location with uId " + uId + " exists");
        }
        Instant expiresAt = seed.expiresAt() != null ? Instant.parse(normalize(seed.expiresAt()))
                : clock.instant().plus(365, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        String sToken = seed.sToken() != null ? seed.sToken().strip() : token(seed.orgName(), expiresAt);
        if (byToken.containsKey(sToken)) {
            throw new IllegalArgumentException("another location uses this sToken");
        }
        var loc = new Location(uId, sToken, seed.orgName(),
                seed.locationName() == null ? seed.orgName() : seed.locationName(), country,
                seed.defaultPlatform() == null ? "enterprisestore" : seed.defaultPlatform(), expiresAt,
                ThreadLocalRandom.current().nextLong());
        for (Seed.SeedAsset a : seed.assets()) {
            loc.addAsset(asset(loc, a));
        }
        for (Seed.SeedUser u : seed.users()) {
            var user = new SimUser(u.clientUserId());
            user.email = u.email();
            EventProcessor.link(user, u.managedAppleId());
            loc.touch(user);
        }
        for (Seed.SeedAssignment a : seed.assignments()) {
            SimAsset asset = loc.asset(a.adamId(), a.pricingParam());
            if (asset == null) {
                throw new IllegalArgumentException("assignment of unknown asset " + a.adamId());
            }
            if ((a.serialNumber() == null) == (a.clientUserId() == null)) {
                throw new IllegalArgumentException("an assignment needs exactly one of serialNumber and clientUserId");
            }
            if (loc.assign(asset, a.serialNumber(), a.clientUserId()) == Location.Change.NOT_ENOUGH_LICENSES) {
                throw new IllegalArgumentException("asset " + a.adamId() + " has fewer licenses than assignments");
            }
        }
        byUid.put(uId, loc);
        byToken.put(sToken, loc);
        return loc;
    }

    SimAsset asset(Location loc, Seed.SeedAsset a) {
        if (a.adamId() == null || a.adamId().isBlank()) {
            throw new IllegalArgumentException("asset adamId is required");
        }
        boolean book = "Book".equalsIgnoreCase(a.productType());
        boolean free = Boolean.TRUE.equals(a.free());
        boolean deviceAssignable = !book && (a.deviceAssignable() == null || a.deviceAssignable());
        boolean revocable = !book && (a.revocable() == null || a.revocable());
        List<String> platforms = a.supportedPlatforms() == null || a.supportedPlatforms().isEmpty()
                ? List.of("iOS") : a.supportedPlatforms();
        Set<String> countries = new HashSet<>();
        if (a.countries() != null) {
            a.countries().forEach(c -> countries.add(c.toUpperCase(Locale.ROOT)));
        }
        boolean custom = Boolean.TRUE.equals(a.custom());
        var entry = new SimAsset.CatalogEntry(a.adamId(), a.name() == null ? "App " + a.adamId() : a.name(),
                a.bundleId() == null ? "com.example.app" + a.adamId() : a.bundleId(),
                a.version() == null ? "1.0" : a.version(),
                a.externalVersionId() == null ? Long.toString(800_000_000L + Math.abs(a.adamId().hashCode() % 1000))
                        : a.externalVersionId(),
                platforms, Set.copyOf(countries), custom, book, deviceAssignable,
                a.minimumOsVersion() == null ? "15.0" : a.minimumOsVersion());
        SimAsset.CatalogEntry known = catalog.putIfAbsent(a.adamId(), entry);
        entry = known != null ? known : entry;
        if (custom) {
            customOwners.computeIfAbsent(a.adamId(), k -> ConcurrentHashMap.newKeySet()).add(loc.uId);
        }
        return new SimAsset(a.adamId(), a.pricingParam() == null ? "STDQ" : a.pricingParam(),
                book ? "Book" : "App", deviceAssignable, revocable, platforms, free,
                a.totalCount() == null ? 0 : a.totalCount(), entry);
    }

    /**
     * Adds a large organisation quickly for benchmarks: apps with enough licenses, users, and assignments spread
     * over the apps (device assignments, plus user assignments when users exist).
     */
    Map<String, Long> generate(Location loc, int assetCount, int assignmentCount, int userCount) {
        if (assetCount < 1 && assignmentCount > 0) {
            throw new IllegalArgumentException("assignments need at least one asset");
        }
        long started = System.nanoTime();
        String prefix = Long.toString(Math.abs(loc.salt % 90_000) + 10_000);
        var assets = new ArrayList<SimAsset>(assetCount);
        long perAsset = assetCount == 0 ? 0 : (assignmentCount + assetCount - 1) / assetCount;
        for (int i = 0; i < assetCount; i++) {
            String adamId = "9" + prefix + String.format("%05d", i);
            var seed = new Seed.SeedAsset(adamId, "STDQ", "App", (int) Math.min(Integer.MAX_VALUE - 1, perAsset * 2 + 100),
                    true, true, List.of("iOS", "macOS"), "Generated App " + i, "com.example.generated" + prefix + "." + i,
                    "1.0", List.of(), false, false, null, null);
            SimAsset asset = asset(loc, seed);
            loc.addAsset(asset);
            assets.add(asset);
        }
        for (int i = 0; i < userCount; i++) {
            var user = new SimUser(("gen-" + prefix + "-user-" + i).intern());
            user.email = "user" + i + "@example.com";
            EventProcessor.link(user, "user" + i + "@appleid.example.com");
            loc.touch(user);
        }
        // a tenth are user assignments, each (asset, user) pair once: pair i is (i mod assets, i div assets)
        long userAssignments = userCount == 0 ? 0 : Math.min(assignmentCount / 10, (long) assetCount * userCount);
        for (int i = 0; i < assignmentCount; i++) {
            SimAsset asset = assets.get(i % assetCount);
            if (i < userAssignments) {
                loc.assign(asset, null, "gen-" + prefix + "-user-" + (i / assetCount));
            } else {
                loc.assign(asset, String.format("G%s%07d", prefix, i), null);
            }
        }
        return Map.of("assets", (long) assetCount, "assignments", (long) loc.assignments.size(),
                "users", (long) userCount, "millis", (System.nanoTime() - started) / 1_000_000);
    }

    /** A content token in Apple's format: Base64 of {@code {"token","expDate","orgName"}}. */
    static String token(String orgName, Instant expiresAt) {
        String inner = Base64.getEncoder().encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        String json = SimJson.object().put("token", inner).put("expDate", SimJson.appleDate(expiresAt))
                .put("orgName", orgName).toString();
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Seeds may write Apple's {@code +0000} form or ISO's {@code Z}. */
    private static String normalize(String date) {
        String d = date.strip();
        if (d.matches(".*[+-]\\d{4}$")) {
            d = d.substring(0, d.length() - 2) + ":" + d.substring(d.length() - 2);
        }
        return java.time.OffsetDateTime.parse(d).toInstant().toString();
    }

}
