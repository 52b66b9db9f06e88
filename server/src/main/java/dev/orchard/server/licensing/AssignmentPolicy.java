package dev.orchard.server.licensing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.orchard.server.inventory.AppSettings;
import dev.orchard.server.inventory.Device;

/**
 * Decides, for one target that an App label wants to have one app, which license it gets: a pure function of the
 * facts given, so every rule is table-tested. Rules applied, in order:
 * <ul>
 *   <li>type (R12, R13): device-based unless the app is set user-based; a Shared iPad always device-based; a User
 *       Enrollment device, a book or an app without device licensing always user-based;</li>
 *   <li>an existing license for the app and the target in any account is kept, never duplicated; a device-based
 *       license is not taken when the device's user holds a user-based one Orchard assigned (R11);</li>
 *   <li>the account: by priority, among usable accounts holding the app whose Apple License Label covers the
 *       target, supporting the device's platform, allowed across countries (R2: iOS/iPadOS 9+, macOS 10.11+, and
 *       the app sold in the device's store), with a license available — otherwise the target waits (R7).</li>
 * </ul>
 */
public final class AssignmentPolicy {

    private AssignmentPolicy() {
    }

    /** Who holds a license. */
    public enum HolderType {
        DEVICE, USER;

        /** Whom a license of the ledger is for. */
        public static HolderType of(dev.orchard.server.ledger.LicenseRow license) {
            return license.device() ? DEVICE : USER;
        }
    }

    /** What is known of the app: a book, whether it has device licensing, its settings. */
    public record AppFacts(String adamId, boolean book, boolean deviceAssignable, AppSettings settings) {
    }

    /** One account's pool of the app and what that account allows for this target. */
    public record Pool(long accountId, String accountName, int priority, String country, boolean usable,
                       String pricingParam, long available, boolean unlimited, boolean deviceAssignable,
                       Set<String> platforms, boolean coversDevice, boolean coversUser) {
    }

    /** A license of this app already held by the device or by its user. */
    public record Held(long accountId, String pricingParam, HolderType type, String holder, boolean byOrchard) {
    }

    /**
     * The facts of one decision. {@code device} is null for a user targeted directly (no device context);
     * {@code availableIn} says, per country, whether the app is sold there (absent = unknown).
     */
    public record Case(Device device, String userId, AppFacts app, List<Pool> pools, List<Held> held,
                       Map<String, Boolean> availableIn, boolean optedOut) {
    }

    /** The outcome. */
    public sealed interface Decision permits Keep, Assign, Wait, Skip {
    }

    /** Nothing to do: the target is licensed already. */
    public record Keep(String why) implements Decision {
    }

    /** Assign a license of this pool. */
    public record Assign(long accountId, String pricingParam, HolderType type, String holder) implements Decision {
    }

    /** The target qualifies but every qualifying pool is empty: it waits for licenses (served in order). */
    public record Wait(HolderType type, String holder, String reason) implements Decision {
    }

    /** The target cannot be licensed for a reason an administrator must fix (shown with the target). */
    public record Skip(HolderType type, String holder, String reason) implements Decision {
    }

    static final String NO_ACCOUNT_HOLDS = "no account holds this app; buy it in Apple Business Manager";

    public static Decision decide(Case c) {
        Device d = c.device();
        HolderType type = type(d, c.app());
        String holder = type == HolderType.DEVICE ? d.serialNumber() : c.userId();
        if (d != null && !d.active()) {
            return new Skip(type, holder, "the device is retired");
        }
        if (d != null && d.sharedIpad() && !c.app().deviceAssignable()) {
            return new Skip(type, holder, "a Shared iPad takes device-based licenses only and this app has none (R12)");
        }
        if (holder == null && c.pools().isEmpty()) {
            // an app no account holds (an unknown store id too) looks user-based; say what is really missing
            return new Skip(type, d == null ? null : d.serialNumber(), NO_ACCOUNT_HOLDS);
        }
        if (holder == null) {
            return new Skip(type, d == null ? null : d.serialNumber(),
                    "a user-based license is needed and the device has no user; set the device's owner");
        }
        for (Held h : c.held()) {
            if (h.type() == type && h.holder().equals(holder)) {
                return new Keep("already licensed by account " + h.accountId());
            }
            if (d != null && h.type() == HolderType.DEVICE && h.holder().equals(d.serialNumber())) {
                return new Keep("the device holds a device-based license of account " + h.accountId());
            }
            if (type == HolderType.DEVICE && h.type() == HolderType.USER && h.byOrchard() && h.holder().equals(d.ownerUserId())) {
                return new Keep("the device's user holds a user-based license Orchard assigned (R11)");
            }
        }
        if (c.optedOut()) {
            return new Skip(type, holder, "the license was reclaimed on purpose; allow it again and the next pass assigns it");
        }
        return choose(c, type, holder);
    }

    static HolderType type(Device d, AppFacts app) {
        if (d == null) {
            return HolderType.USER;
        }
        if (d.sharedIpad()) {
            return HolderType.DEVICE;
        }
        if (d.enrollment() == Device.Enrollment.USER || app.book() || !app.deviceAssignable()) {
            return HolderType.USER;
        }
        return app.settings().licenseType() == AppSettings.LicenseType.USER ? HolderType.USER : HolderType.DEVICE;
    }

    /** Whether the app is user-based on every device (a book, no device licensing, or set user-based). */
    public static boolean userBasedEverywhere(AppFacts app) {
        return app.book() || !app.deviceAssignable() || app.settings().licenseType() == AppSettings.LicenseType.USER;
    }

    private static Decision choose(Case c, HolderType type, String holder) {
        if (c.pools().isEmpty()) {
            return new Skip(type, holder, NO_ACCOUNT_HOLDS);
        }
        Device d = c.device();
        // the furthest any pool got, to explain a refusal: 0 unusable, 1 not covered, 2 platform, 3 country, 4 empty
        int furthest = -1;
        var reasons = new ArrayList<String>();
        var empty = new ArrayList<String>();
        List<Pool> ordered = c.pools().stream()
                .sorted(Comparator.comparingInt(Pool::priority).thenComparingLong(Pool::accountId)).toList();
        for (Pool p : ordered) {
            String name = "'" + p.accountName() + "'";
            int stage;
            String why = null;
            if (!p.usable()) {
                stage = 0;
                why = name + " cannot assign now (expired, revoked or managed by another MDM)";
            } else if (!(type == HolderType.DEVICE ? p.coversDevice() : p.coversUser())) {
                stage = 1;
                why = "no Apple License Label of " + name + " covers this " + (type == HolderType.DEVICE ? "device" : "user");
            } else if (type == HolderType.DEVICE && !p.deviceAssignable()) {
                stage = 1;
                why = name + "'s licenses of this app cannot be assigned to devices";
            } else if (d != null && !p.platforms().isEmpty() && !p.platforms().contains(d.platform().applePlatform())) {
                stage = 2;
                why = "the app in " + name + " does not support " + d.platform().applePlatform();
            } else if ((why = crossCountry(d, p, c.availableIn())) != null) {
                stage = 3;
                why = name + ": " + why;
            } else if (!p.unlimited() && p.available() <= 0) {
                stage = 4;
                empty.add(name);
            } else {
                return new Assign(p.accountId(), p.pricingParam(), type, holder);
            }
            furthest = Math.max(furthest, stage);
            if (why != null) {
                reasons.add(why);
            }
        }
        if (furthest == 4) {
            return new Wait(type, holder, "no license left in " + String.join(", ", empty) + "; buy more in Apple Business "
                    + "Manager (free apps: more licenses can be added at no cost) or reclaim unused ones (R7)");
        }
        return new Skip(type, holder, String.join("; ", reasons));
    }

    /** Rule R2; null when the pool may serve the device. */
    static String crossCountry(Device d, Pool p, Map<String, Boolean> availableIn) {
        if (d == null || d.country() == null || p.country() == null || d.country().equalsIgnoreCase(p.country())) {
            return null;
        }
        if (!supportsCrossCountry(d)) {
            return "bought in " + p.country() + " and the device (" + d.platform().applePlatform() + " "
                    + (d.osVersion() == null ? "unknown version" : d.osVersion()) + ", store " + d.country()
                    + ") needs iOS 9 or macOS 10.11 or later to use another country's license";
        }
        Boolean available = availableIn.get(d.country());
        if (available == null) {
            return "could not check whether the app is sold in the " + d.country() + " store; checked again on the next pass";
        }
        return available ? null : "the app is not sold in the " + d.country() + " store";
    }

    static boolean supportsCrossCountry(Device d) {
        int[] v = d.osMajorMinor();
        return switch (d.platform()) {
            case IOS, IPADOS, TVOS -> v[0] >= 9;
            case MACOS -> v[0] > 10 || (v[0] == 10 && v[1] >= 11);
            case VISIONOS -> true;
        };
    }
}
