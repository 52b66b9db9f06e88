package dev.orchard.server.licensing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.orchard.server.inventory.AppSettings;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.Platform;
import dev.orchard.server.licensing.AssignmentPolicy.AppFacts;
import dev.orchard.server.licensing.AssignmentPolicy.Assign;
import dev.orchard.server.licensing.AssignmentPolicy.Case;
import dev.orchard.server.licensing.AssignmentPolicy.Decision;
import dev.orchard.server.licensing.AssignmentPolicy.Held;
import dev.orchard.server.licensing.AssignmentPolicy.HolderType;
import dev.orchard.server.licensing.AssignmentPolicy.Keep;
import dev.orchard.server.licensing.AssignmentPolicy.Pool;
import dev.orchard.server.licensing.AssignmentPolicy.Skip;
import dev.orchard.server.licensing.AssignmentPolicy.Wait;

/** Every rule of the assignment policy, one table row each. */
class AssignmentPolicyTests {

    static final String APP = "361309726";

    static Device iphone(String country, String os) {
        return new Device("C02PHONE01", null, Platform.IOS, os, "iPhone15,2", country, false, Device.Enrollment.DEVICE, "ann",
                Device.Status.ACTIVE, null);
    }

    static final Device US_PHONE = iphone("US", "17.4");
    static final Device OLD_DE_PHONE = iphone("DE", "8.4");
    static final Device NEW_DE_PHONE = iphone("DE", "17.4");
    static final Device OLD_MAC_DE = new Device("C02MAC0001", null, Platform.MACOS, "10.10.5", "MacBookPro", "DE", false,
            Device.Enrollment.DEVICE, "ann", Device.Status.ACTIVE, null);
    static final Device NEW_MAC_DE = new Device("C02MAC0002", null, Platform.MACOS, "10.11", "MacBookPro", "DE", false,
            Device.Enrollment.DEVICE, "ann", Device.Status.ACTIVE, null);
    static final Device SHARED_IPAD = new Device("DMPSHARED1", null, Platform.IPADOS, "17.1", "iPad13,1", "US", true,
            Device.Enrollment.DEVICE, null, Device.Status.ACTIVE, null);
    static final Device BYOD = new Device("BYOD000001", null, Platform.IOS, "17.1", "iPhone14,2", "US", false,
            Device.Enrollment.USER, "bob", Device.Status.ACTIVE, null);
    static final Device NO_USER = new Device("C02NOUSER1", null, Platform.IOS, "17.1", "iPhone14,2", "US", false,
            Device.Enrollment.DEVICE, null, Device.Status.ACTIVE, null);
    static final Device RETIRED = new Device("C02RETIRE1", null, Platform.IOS, "17.1", "iPhone14,2", "US", false,
            Device.Enrollment.DEVICE, "ann", Device.Status.RETIRED, null);
    static final Device TV = new Device("C02APPLETV", null, Platform.TVOS, "17.1", "AppleTV", "US", false,
            Device.Enrollment.DEVICE, null, Device.Status.ACTIVE, null);

    static AppFacts app() {
        return new AppFacts(APP, false, true, AppSettings.defaults(APP));
    }

    static AppFacts userBasedApp() {
        return new AppFacts(APP, false, true, new AppSettings(APP, AppSettings.LicenseType.USER, true, false, false, true, false));
    }

    static AppFacts book() {
        return new AppFacts(APP, true, false, AppSettings.defaults(APP));
    }

    static AppFacts noDeviceLicensing() {
        return new AppFacts(APP, false, false, AppSettings.defaults(APP));
    }

    /** A pool: account id, priority, country, available; usable, covering, iOS and macOS. */
    static Pool pool(long account, int priority, String country, long available) {
        return new Pool(account, "acct" + account, priority, country, true, "STDQ", available, false, true,
                Set.of("iOS", "macOS"), true, true);
    }

    static Pool unusable(long account) {
        return new Pool(account, "acct" + account, 1, "US", false, "STDQ", 10, false, true, Set.of("iOS"), true, true);
    }

    static Pool uncovered(long account) {
        return new Pool(account, "acct" + account, 1, "US", true, "STDQ", 10, false, true, Set.of("iOS"), false, false);
    }

    static Pool macOnly(long account) {
        return new Pool(account, "acct" + account, 1, "US", true, "STDQ", 10, false, true, Set.of("macOS"), true, true);
    }

    static Pool unlimited(long account) {
        return new Pool(account, "acct" + account, 1, "US", true, "STDQ", 0, true, true, Set.of("iOS"), true, true);
    }

    static Case on(Device d, AppFacts app, List<Pool> pools) {
        return new Case(d, d == null ? "ann" : d.ownerUserId(), app, pools, List.of(), Map.of(), false);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // type (R12, R13)
                Arguments.of("device-based by default", on(US_PHONE, app(), List.of(pool(1, 1, "US", 5))),
                        new Assign(1, "STDQ", HolderType.DEVICE, "C02PHONE01")),
                Arguments.of("app set user-based", on(US_PHONE, userBasedApp(), List.of(pool(1, 1, "US", 5))),
                        new Assign(1, "STDQ", HolderType.USER, "ann")),
                Arguments.of("Shared iPad is always device-based (R12)", on(SHARED_IPAD, userBasedApp(), List.of(pool(1, 1, "US", 5))),
                        new Assign(1, "STDQ", HolderType.DEVICE, "DMPSHARED1")),
                Arguments.of("Shared iPad and an app without device licensing", on(SHARED_IPAD, noDeviceLicensing(), List.of(pool(1, 1, "US", 5))),
                        "Skip:Shared iPad"),
                Arguments.of("User Enrollment is always user-based (R13)", on(BYOD, app(), List.of(pool(1, 1, "US", 5))),
                        new Assign(1, "STDQ", HolderType.USER, "bob")),
                Arguments.of("a book is user-based (R13)", on(US_PHONE, book(), List.of(pool(1, 1, "US", 5))),
                        new Assign(1, "STDQ", HolderType.USER, "ann")),
                Arguments.of("no device licensing means user-based (R13)", on(US_PHONE, noDeviceLicensing(), List.of(pool(1, 1, "US", 5))),
                        new Assign(1, "STDQ", HolderType.USER, "ann")),
                Arguments.of("a user targeted directly", on(null, book(), List.of(pool(1, 1, "US", 5))),
                        new Assign(1, "STDQ", HolderType.USER, "ann")),
                Arguments.of("user-based on a device without a user", on(NO_USER, book(), List.of(pool(1, 1, "US", 5))),
                        "Skip:has no user"),
                Arguments.of("a retired device", on(RETIRED, app(), List.of(pool(1, 1, "US", 5))), "Skip:retired"),
                // account choice (R6)
                Arguments.of("priority wins", on(US_PHONE, app(), List.of(pool(2, 2, "US", 5), pool(1, 1, "US", 5))),
                        new Assign(1, "STDQ", HolderType.DEVICE, "C02PHONE01")),
                Arguments.of("an empty pool passes to the next", on(US_PHONE, app(), List.of(pool(1, 1, "US", 0), pool(2, 2, "US", 5))),
                        new Assign(2, "STDQ", HolderType.DEVICE, "C02PHONE01")),
                Arguments.of("an unusable account is passed over", on(US_PHONE, app(), List.of(unusable(1), pool(2, 2, "US", 5))),
                        new Assign(2, "STDQ", HolderType.DEVICE, "C02PHONE01")),
                Arguments.of("an account whose label does not cover the device", on(US_PHONE, app(), List.of(uncovered(1))),
                        "Skip:no Apple License Label"),
                Arguments.of("the platform must be supported", on(US_PHONE, app(), List.of(macOnly(1))), "Skip:does not support iOS"),
                Arguments.of("tvOS is not in the app's platforms", on(TV, app(), List.of(pool(1, 1, "US", 5))), "Skip:does not support tvOS"),
                Arguments.of("unlimited free app never runs out", on(US_PHONE, app(), List.of(unlimited(1))),
                        new Assign(1, "STDQ", HolderType.DEVICE, "C02PHONE01")),
                Arguments.of("no account holds the app", on(US_PHONE, app(), List.of()), "Skip:no account holds"),
                Arguments.of("an app no account holds, on a device without a user", on(NO_USER, noDeviceLicensing(), List.of()),
                        "Skip:no account holds"),
                // waitlist (R7)
                Arguments.of("every qualifying pool is empty", on(US_PHONE, app(), List.of(pool(1, 1, "US", 0))),
                        "Wait:free apps: more licenses can be added at no cost"),
                // R2 cross-country
                Arguments.of("an old iPhone in another country", on(OLD_DE_PHONE, app(), List.of(pool(1, 1, "US", 5))),
                        "Skip:needs iOS 9"),
                Arguments.of("an old iPhone uses its own country's account", on(OLD_DE_PHONE, app(),
                        List.of(pool(1, 1, "US", 5), pool(2, 2, "DE", 5))), new Assign(2, "STDQ", HolderType.DEVICE, "C02PHONE01")),
                Arguments.of("macOS 10.10 in another country", on(OLD_MAC_DE, app(), List.of(pool(1, 1, "US", 5))), "Skip:macOS 10.11"),
                Arguments.of("availability unknown", on(NEW_DE_PHONE, app(), List.of(pool(1, 1, "US", 5))), "Skip:could not check"),
                Arguments.of("a new iPhone, app sold in its store", new Case(NEW_DE_PHONE, "ann", app(), List.of(pool(1, 1, "US", 5)),
                        List.of(), Map.of("DE", true), false), new Assign(1, "STDQ", HolderType.DEVICE, "C02PHONE01")),
                Arguments.of("a new Mac, app sold in its store", new Case(NEW_MAC_DE, "ann", app(), List.of(pool(1, 1, "US", 5)),
                        List.of(), Map.of("DE", true), false), new Assign(1, "STDQ", HolderType.DEVICE, "C02MAC0002")),
                Arguments.of("a new iPhone, app not sold in its store", new Case(NEW_DE_PHONE, "ann", app(), List.of(pool(1, 1, "US", 5)),
                        List.of(), Map.of("DE", false), false), "Skip:not sold in the DE store"),
                // reuse, R11, opt-outs
                Arguments.of("an existing license in another account is kept", new Case(US_PHONE, "ann", app(),
                        List.of(pool(1, 1, "US", 5)), List.of(new Held(7, "STDQ", HolderType.DEVICE, "C02PHONE01", false)),
                        Map.of(), false), "Keep:account 7"),
                Arguments.of("R11: the user holds a user-based license from Orchard", new Case(US_PHONE, "ann", app(),
                        List.of(pool(1, 1, "US", 5)), List.of(new Held(1, "STDQ", HolderType.USER, "ann", true)), Map.of(), false),
                        "Keep:R11"),
                Arguments.of("R11 is about Orchard's licenses only", new Case(US_PHONE, "ann", app(),
                        List.of(pool(1, 1, "US", 5)), List.of(new Held(1, "STDQ", HolderType.USER, "ann", false)), Map.of(), false),
                        new Assign(1, "STDQ", HolderType.DEVICE, "C02PHONE01")),
                Arguments.of("user-based: the user's license is reused", new Case(BYOD, "bob", app(),
                        List.of(pool(1, 1, "US", 5)), List.of(new Held(3, "STDQ", HolderType.USER, "bob", false)), Map.of(), false),
                        "Keep:account 3"),
                Arguments.of("reclaimed on purpose", new Case(US_PHONE, "ann", app(), List.of(pool(1, 1, "US", 5)), List.of(),
                        Map.of(), true), "Skip:reclaimed on purpose"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String rule, Case c, Object expected) {
        Decision d = AssignmentPolicy.decide(c);
        if (expected instanceof Decision e) {
            assertThat(d).as(rule).isEqualTo(e);
            return;
        }
        String[] kindAndText = ((String) expected).split(":", 2);
        String reason = switch (kindAndText[0]) {
            case "Skip" -> {
                assertThat(d).as(rule).isInstanceOf(Skip.class);
                yield ((Skip) d).reason();
            }
            case "Wait" -> {
                assertThat(d).as(rule).isInstanceOf(Wait.class);
                yield ((Wait) d).reason();
            }
            default -> {
                assertThat(d).as(rule).isInstanceOf(Keep.class);
                yield ((Keep) d).why();
            }
        };
        assertThat(reason).as(rule).contains(kindAndText[1]);
    }
}
