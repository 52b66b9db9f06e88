package dev.orchard.applesim;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Paginated reads of assets, assignments and users. The filtered list for one query at one version is kept as a
 * snapshot of references, so walking a million assignments costs one filter pass, not one per page; a write mints
 * a new version and so a new snapshot, which is how {@code totalPages} can change during a walk, as at Apple.
 */
final class Listings {

    private static final int CACHED_SNAPSHOTS = 8;

    private final Settings settings;
    private final Map<String, List<?>> snapshots = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<?>> eldest) {
            return size() > CACHED_SNAPSHOTS;
        }
    };

    Listings(Settings settings) {
        this.settings = settings;
    }

    ObjectNode assets(Location loc, Map<String, String> q, int pageIndex) {
        if (q.containsKey("sinceVersionId") && settings.assetsRejectSinceVersion) {
            throw AppleError.badRequest(9602, "sinceVersionId is not supported for assets");
        }
        synchronized (loc) {
            String unlimited = q.get("unlimited");
            Predicate<SimAsset> filter = a -> matches(q, "adamId", a.adamId) && matches(q, "pricingParam", a.pricingParam)
                    && matches(q, "productType", a.productType)
                    && matches(q, "revocable", Boolean.toString(a.revocable))
                    && matches(q, "deviceAssignable", Boolean.toString(a.deviceAssignable))
                    && within(q, "minAvailableCount", "maxAvailableCount", a.available())
                    && within(q, "minAssignedCount", "maxAssignedCount", a.assignedCount)
                    && !("false".equals(unlimited) && a.unlimited);
            List<SimAsset> all = snapshot(loc, Versions.ASSETS, q, () -> loc.assets.values(), filter);
            ObjectNode page = page(loc, Versions.ASSETS, all.size(), pageIndex);
            ArrayNode assets = page.putArray("assets");
            ArrayNode unlimitedAssets = "true".equals(unlimited) ? page.putArray("unlimitedAssets") : null;
            for (SimAsset a : slice(all, pageIndex)) {
                if (unlimitedAssets != null && a.unlimited) {
                    writeAsset(unlimitedAssets.addObject(), a, false);
                } else {
                    writeAsset(assets.addObject(), a, true);
                }
            }
            return page;
        }
    }

    ObjectNode assignments(Location loc, Map<String, String> q, int pageIndex) {
        synchronized (loc) {
            String since = q.get("sinceVersionId");
            Collection<SimAssignment> source = since == null ? loc.assignmentsBySeq.values()
                    : loc.assignmentsBySeq.tailMap(loc.since(Versions.ASSIGNMENTS, since), false).values();
            boolean excludeInactive = "true".equals(q.get("excludeInactiveUsers"));
            Predicate<SimAssignment> filter = a -> matches(q, "adamId", a.asset.adamId)
                    && matches(q, "pricingParam", a.asset.pricingParam)
                    && matches(q, "serialNumber", a.serialNumber) && matches(q, "clientUserId", a.clientUserId)
                    && !(excludeInactive && a.clientUserId != null && loc.activeUser(a.clientUserId) == null);
            List<SimAssignment> all = snapshot(loc, Versions.ASSIGNMENTS, q, () -> source, filter);
            ObjectNode page = page(loc, Versions.ASSIGNMENTS, all.size(), pageIndex);
            ArrayNode list = page.putArray("assignments");
            boolean userState = "true".equals(q.get("includeUserState"));
            for (SimAssignment a : slice(all, pageIndex)) {
                ObjectNode n = list.addObject();
                n.put("adamId", a.asset.adamId);
                if (a.clientUserId != null) {
                    n.put("clientUserId", a.clientUserId);
                }
                n.put("pricingParam", a.asset.pricingParam);
                if (a.serialNumber != null) {
                    n.put("serialNumber", a.serialNumber);
                }
                if (userState && a.clientUserId != null) {
                    SimUser u = loc.activeUser(a.clientUserId);
                    n.put("userStatus", u == null ? "Retired" : u.status);
                    if (u != null && u.idHash != null) {
                        n.put("idHash", u.idHash);
                    }
                }
            }
            return page;
        }
    }

    ObjectNode users(Location loc, Map<String, String> q, int pageIndex) {
        synchronized (loc) {
            String since = q.get("sinceVersionId");
            TreeMap<Long, SimUser> bySeq = loc.usersBySeq;
            Collection<SimUser> source = since == null ? bySeq.values()
                    : bySeq.tailMap(loc.since(Versions.USERS, since), false).values();
            boolean activeOnly = "true".equals(q.get("activeOnly"));
            boolean retiredOnly = "true".equals(q.get("retiredOnly"));
            Predicate<SimUser> filter = u -> matches(q, "clientUserId", u.clientUserId)
                    && !(activeOnly && !u.isActive()) && !(retiredOnly && u.isActive());
            List<SimUser> all = snapshot(loc, Versions.USERS, q, () -> source, filter);
            ObjectNode page = page(loc, Versions.USERS, all.size(), pageIndex);
            ArrayNode list = page.putArray("users");
            for (SimUser u : slice(all, pageIndex)) {
                writeUser(list.addObject(), u);
            }
            return page;
        }
    }

    static void writeUser(ObjectNode n, SimUser u) {
        n.put("clientUserId", u.clientUserId);
        if (u.email != null) {
            n.put("email", u.email);
        }
        if (u.idHash != null) {
            n.put("idHash", u.idHash);
        }
        if (u.inviteCode != null && "Registered".equals(u.status)) {
            n.put("inviteCode", u.inviteCode);
        }
        n.put("status", u.status);
    }

    static void writeAsset(ObjectNode n, SimAsset a, boolean withCounts) {
        n.put("adamId", a.adamId);
        n.put("assignedCount", a.assignedCount);
        if (withCounts) {
            n.put("availableCount", a.unlimited ? SimAsset.UNLIMITED : a.available());
        }
        n.put("deviceAssignable", a.deviceAssignable);
        n.put("pricingParam", a.pricingParam);
        n.put("productType", a.productType);
        if (withCounts) {
            n.put("retiredCount", a.retiredCount);
        }
        n.put("revocable", a.revocable);
        var platforms = n.putArray("supportedPlatforms");
        a.supportedPlatforms.forEach(platforms::add);
        if (withCounts) {
            n.put("totalCount", a.totalCount);
        }
    }

    private ObjectNode page(Location loc, int dataset, int total, int pageIndex) {
        int size = settings.pageSize;
        int totalPages = Math.max(1, (total + size - 1) / size);
        if (pageIndex < 0 || pageIndex >= totalPages) {
            throw ErrorCatalog.error(9650);
        }
        ObjectNode page = SimJson.object();
        page.put("currentPageIndex", pageIndex);
        if (pageIndex + 1 < totalPages) {
            page.put("nextPageIndex", pageIndex + 1);
        }
        page.put("size", Math.max(0, Math.min(size, total - pageIndex * size)));
        page.put("totalPages", totalPages);
        page.put("versionId", loc.version(dataset));
        return page;
    }

    private <T> List<T> slice(List<T> all, int pageIndex) {
        int size = settings.pageSize;
        int from = Math.min(all.size(), pageIndex * size);
        return all.subList(from, Math.min(all.size(), from + size));
    }

    @SuppressWarnings("unchecked")
    private synchronized <T> List<T> snapshot(Location loc, int dataset, Map<String, String> q,
                                              java.util.function.Supplier<Collection<T>> source, Predicate<T> filter) {
        var key = new StringBuilder(loc.uId).append('|').append(dataset).append('|').append(loc.version(dataset))
                .append('|').append(settings.pageSize);
        new TreeMap<>(q).forEach((k, v) -> {
            if (!"pageIndex".equals(k)) {
                key.append('|').append(k).append('=').append(v);
            }
        });
        return (List<T>) snapshots.computeIfAbsent(key.toString(), k -> {
            var list = new ArrayList<T>();
            for (T item : source.get()) {
                if (filter.test(item)) {
                    list.add(item);
                }
            }
            list.trimToSize();
            return list;
        });
    }

    private static boolean matches(Map<String, String> q, String name, String value) {
        String wanted = q.get(name);
        return wanted == null || wanted.equals(value);
    }

    private static boolean within(Map<String, String> q, String minName, String maxName, long value) {
        return (q.get(minName) == null || value >= parse(q.get(minName)))
                && (q.get(maxName) == null || value <= parse(q.get(maxName)));
    }

    private static long parse(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw AppleError.badRequest(9602, "Invalid argument: " + v);
        }
    }

}
