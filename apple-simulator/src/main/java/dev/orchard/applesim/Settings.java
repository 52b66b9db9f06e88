package dev.orchard.applesim;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Switchable behaviour of the simulator. Where Apple's behaviour is undocumented the default is the one our
 * reference recommends; each can be changed at start or through {@code POST /_sim/settings}.
 */
final class Settings {

    /** Records per page of assets, assignments and users (Apple: "several hundred"; examples show 1000). */
    volatile int pageSize = 1000;
    /**
     * Requests per second per token; 0 = unlimited. Apple's example limit is 15. It is what service/config
     * advertises as {@code maxRequestPerSecond}, so a client that obeys the advertised limit is held to it too.
     */
    volatile int rateLimit = 15;
    /** How long an asynchronous event takes from PENDING to its end. */
    volatile long eventDelayMs = 1000;
    /**
     * Hold every new event PENDING (accepted, nothing applied, no notification) until the switch is turned off:
     * a barrier for tests that act while Apple is still working on a request, instead of racing a delay.
     */
    volatile boolean holdEvents;
    /** Re-associating an assigned pair: false = no-op success (default), true = fails with 9616. */
    volatile boolean repeatAssociateFails;
    /** Disassociating a pair that is not assigned: false = no-op success (default), true = fails with 9619. */
    volatile boolean disassociateMissingFails;
    /** Accept serialNumbers and clientUserIds in one request (Apple's examples do; a stricter reading says no). */
    volatile boolean mixedTargets = true;
    /** Put tokenExpirationDate on every response (Apple's examples do; its older text says within 15 days). */
    volatile boolean tokenExpirationAlways = true;
    /** Send every notification twice with the same notificationId, as Apple's best-effort delivery may. */
    volatile boolean duplicateNotifications;
    /** Retiring a user also releases its revocable licenses (v1 did; v2 is undocumented). */
    volatile boolean retireReleasesLicenses;
    /** Reject sinceVersionId on GET assets with 9602 instead of ignoring it. */
    volatile boolean assetsRejectSinceVersion;
    /** Allow http:// notification URLs to loopback hosts (so tests need no TLS). */
    volatile boolean allowHttpLoopbackNotifications = true;
    /** Delay before the 2nd and 3rd delivery attempt of a notification (Apple: 1–5 minutes in all). */
    volatile long notificationRetryDelayMs = 1000;
    /** Print one line per request. */
    volatile boolean logRequests = true;
    /**
     * What service/config advertises as {@code maxRequestPerSecond} while the rate is unlimited: Apple always
     * publishes a number, and one far above what a client can reach lets the client run at its own speed.
     */
    static final int UNLIMITED_ADVERTISED_RATE = 1000;
    /** service/config limits other than the request rate ({@link #rateLimit}); Apple's example values. */
    volatile Map<String, Integer> limits = Map.ofEntries(
            Map.entry("maxAssets", 25), Map.entry("maxUsers", 100), Map.entry("maxNotificationLength", 512),
            Map.entry("maxRevokeClientUserIds", 100), Map.entry("maxClientUserIds", 1000),
            Map.entry("maxSerialNumbers", 1000), Map.entry("maxRevokeSerialNumbers", 100),
            Map.entry("maxSubscriptions", 25),
            Map.entry("maxSubscriptionClientUserIds", 1000), Map.entry("maxMdmNameLength", 100),
            Map.entry("maxMdmMetadataLength", 255), Map.entry("maxMdmIdLength", 100));

    int limit(String name) {
        return limits.getOrDefault(name, Integer.MAX_VALUE);
    }

    /** The limits service/config publishes: {@link #limits} and the request rate. */
    SortedMap<String, Integer> advertisedLimits() {
        var all = new TreeMap<>(limits);
        all.put(MAX_REQUEST_PER_SECOND, rateLimit > 0 ? rateLimit : UNLIMITED_ADVERTISED_RATE);
        return all;
    }

    static final String MAX_REQUEST_PER_SECOND = "maxRequestPerSecond";
}
