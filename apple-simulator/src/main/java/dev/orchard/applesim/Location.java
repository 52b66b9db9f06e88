package dev.orchard.applesim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import tools.jackson.databind.node.ObjectNode;

/**
 * One Apple location (one content token): its assets and counts, assignments, users, events, owner and
 * notification settings, and a monotone change sequence from which versionIds are minted. All mutation happens
 * under this object's monitor.
 */
final class Location {

    enum Change { DONE, NO_OP, NOT_ENOUGH_LICENSES }

    final String uId;
    final String orgName;
    final String locationName;
    final String countryCode;
    final String defaultPlatform;
    final long salt;
    volatile String sToken;
    volatile Instant expiresAt;
    volatile boolean revoked;
    volatile ObjectNode mdmInfo;
    volatile String notificationUrl;
    volatile String notificationAuthToken;
    volatile List<String> notificationTypes = List.of();

    final Map<String, SimAsset> assets = new LinkedHashMap<>();
    final Map<SimAssignment, SimAssignment> assignments = new HashMap<>();
    final TreeMap<Long, SimAssignment> assignmentsBySeq = new TreeMap<>();
    final Map<String, List<SimUser>> users = new LinkedHashMap<>();
    final TreeMap<Long, SimUser> usersBySeq = new TreeMap<>();
    final Map<String, SimEvent> events = new ConcurrentHashMap<>();

    long seq;
    long assetsVersion;
    long assignmentsVersion;
    long usersVersion;
    long minValidSeq;

    Location(String uId, String sToken, String orgName, String locationName, String countryCode,
             String defaultPlatform, Instant expiresAt, long salt) {
        this.uId = uId;
        this.sToken = sToken;
        this.orgName = orgName;
        this.locationName = locationName;
        this.countryCode = countryCode;
        this.defaultPlatform = defaultPlatform;
        this.expiresAt = expiresAt;
        this.salt = salt;
    }

    String websiteUrl() {
        return "volumestore".equals(defaultPlatform) ? "https://school.apple.com" : "https://business.apple.com";
    }

    synchronized long nextSeq() {
        return ++seq;
    }

    synchronized void addAsset(SimAsset asset) {
        assets.put(asset.key(), asset);
        assetsVersion = nextSeq();
    }

    synchronized SimAsset asset(String adamId, String pricingParam) {
        return assets.get(SimAsset.key(adamId, pricingParam == null ? "STDQ" : pricingParam));
    }

    /** A purchase (positive) or refund (negative) of licenses. */
    synchronized void changeTotal(SimAsset asset, int delta) {
        if (!asset.unlimited) {
            asset.totalCount = Math.max(0, asset.totalCount + delta);
        }
        assetsVersion = nextSeq();
    }

    synchronized Change assign(SimAsset asset, String serialNumber, String clientUserId) {
        var probe = new SimAssignment(asset, serialNumber, clientUserId);
        if (assignments.containsKey(probe)) {
            return Change.NO_OP;
        }
        if (!asset.unlimited && asset.assignedCount >= asset.totalCount) {
            return Change.NOT_ENOUGH_LICENSES;
        }
        probe.seq = nextSeq();
        assignments.put(probe, probe);
        assignmentsBySeq.put(probe.seq, probe);
        asset.assignedCount++;
        assignmentsVersion = probe.seq;
        assetsVersion = probe.seq;
        return Change.DONE;
    }

    synchronized Change unassign(SimAsset asset, String serialNumber, String clientUserId) {
        SimAssignment existing = assignments.remove(new SimAssignment(asset, serialNumber, clientUserId));
        if (existing == null) {
            return Change.NO_OP;
        }
        assignmentsBySeq.remove(existing.seq);
        asset.assignedCount--;
        long s = nextSeq();
        assignmentsVersion = s;
        assetsVersion = s;
        return Change.DONE;
    }

    /** The revocable assets a device or user holds now. */
    synchronized List<SimAsset> revocableHeldBy(String serialNumber, String clientUserId) {
        var held = new ArrayList<SimAsset>();
        for (SimAsset asset : assets.values()) {
            if (asset.revocable && assignments.containsKey(new SimAssignment(asset, serialNumber, clientUserId))) {
                held.add(asset);
            }
        }
        return held;
    }

    synchronized SimUser activeUser(String clientUserId) {
        List<SimUser> records = users.get(clientUserId);
        if (records == null) {
            return null;
        }
        for (SimUser u : records) {
            if (u.isActive()) {
                return u;
            }
        }
        return null;
    }

    /** Writes a user record (new or changed) into the change log. */
    synchronized void touch(SimUser user) {
        if (user.seq != 0) {
            usersBySeq.remove(user.seq);
        } else {
            users.computeIfAbsent(user.clientUserId, k -> new ArrayList<>(1)).add(user);
        }
        user.seq = nextSeq();
        usersBySeq.put(user.seq, user);
        usersVersion = user.seq;
    }

    synchronized String version(int dataset) {
        long v = switch (dataset) {
            case Versions.ASSETS -> assetsVersion;
            case Versions.ASSIGNMENTS -> assignmentsVersion;
            default -> usersVersion;
        };
        return Versions.encode(salt, dataset, v);
    }

    /** The sequence behind a client's sinceVersionId; 9721 when this location never issued it or forgot it. */
    synchronized long since(int dataset, String versionId) {
        long s = Versions.decode(salt, dataset, versionId);
        if (s < 0 || s > seq || s < minValidSeq) {
            throw ErrorCatalog.error(9721);
        }
        return s;
    }

    /** Forgets every version issued so far, as Apple does when its history expires. */
    synchronized void forgetVersions() {
        minValidSeq = nextSeq();
        assetsVersion = minValidSeq;
        assignmentsVersion = minValidSeq;
        usersVersion = minValidSeq;
    }

    /** Adds the fields Apple puts on every v2 response. */
    void envelope(ObjectNode body, boolean withExpiry) {
        if (mdmInfo != null) {
            body.set("mdmInfo", mdmInfo.deepCopy());
        }
        if (withExpiry) {
            body.put("tokenExpirationDate", SimJson.appleDate(expiresAt));
        }
        body.put("uId", uId);
    }

    synchronized ObjectNode summary() {
        ObjectNode node = SimJson.object();
        node.put("uId", uId);
        node.put("sToken", sToken);
        node.put("orgName", orgName);
        node.put("locationName", locationName);
        node.put("countryCode", countryCode);
        node.put("defaultPlatform", defaultPlatform);
        node.put("expiresAt", SimJson.appleDate(expiresAt));
        node.put("revoked", revoked);
        if (mdmInfo != null) {
            node.set("mdmInfo", mdmInfo.deepCopy());
        }
        node.put("notificationUrl", notificationUrl);
        var types = node.putArray("notificationTypes");
        notificationTypes.forEach(types::add);
        node.put("assets", assets.size());
        node.put("assignments", assignments.size());
        node.put("users", users.size());
        return node;
    }
}
