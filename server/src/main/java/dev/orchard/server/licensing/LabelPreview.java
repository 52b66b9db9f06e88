package dev.orchard.server.licensing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.stereotype.Service;

import dev.orchard.server.ledger.LedgerQueries;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.DirectoryUser;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Label;

/**
 * What-if of a label change before it is saved: walks every active device and every user once, with the labels as
 * they are and as they would be. An Apple License Label change counts the licenses of its account that rule R4a
 * would reclaim (holders it no longer covers) exactly; an App label change counts the device and user targets that
 * would newly want an app without holding it (an upper bound: the pass still applies license types, account
 * coverage and what is left in the pools) and those that would stop wanting one (their licenses stay: Orchard
 * reclaims only on the events of rule R4).
 */
@Service
public class LabelPreview {

    /** The effect of a change, with a few examples of each. */
    public record Effect(long mayAssign, long noLongerWanted, long reclaims, List<String> assignExamples,
                         List<String> reclaimExamples) {
    }

    private static final int PAGE = 5000;
    private static final int EXAMPLES = 10;

    private final Inventory inventory;
    private final LedgerQueries ledger;

    LabelPreview(Inventory inventory, LedgerQueries ledger) {
        this.inventory = inventory;
        this.ledger = ledger;
    }

    /** What a label names that Orchard does not know yet: serials no device has reported, store ids no account holds. */
    public record NotYet(List<String> serials, List<String> adamIds) {
        public boolean isEmpty() {
            return serials.isEmpty() && adamIds.isEmpty();
        }

        /** One sentence per kind, for the preview (labelled ahead on purpose). */
        public List<String> notes() {
            var notes = new ArrayList<String>();
            if (!serials.isEmpty()) {
                notes.add("No device has reported serial " + few(serials) + " yet: the label covers it once it enrols.");
            }
            if (!adamIds.isEmpty()) {
                notes.add("No account holds app " + few(adamIds) + " yet: it is assigned once an account buys it.");
            }
            return notes;
        }

        private static String few(List<String> values) {
            return values.size() <= 5 ? String.join(", ", values)
                    : String.join(", ", values.subList(0, 5)) + " and " + (values.size() - 5) + " more";
        }
    }

    /** The serials (targets and exclusions) and apps of {@code label} that Orchard does not know yet. */
    public NotYet notYet(Label label) {
        var serials = new java.util.LinkedHashSet<String>();
        for (var t : label.named()) {
            if (t.type() == dev.orchard.server.inventory.LabelTarget.Type.SERIAL) {
                serials.add(t.value());
            }
        }
        inventory.devices(serials).forEach(d -> serials.remove(d.serialNumber()));
        var held = ledger.pools(null).stream().map(LedgerQueries.Pool::adamId).collect(java.util.stream.Collectors.toSet());
        return new NotYet(List.copyOf(serials), label.adamIds().stream().filter(a -> !held.contains(a)).toList());
    }

    /**
     * Refuses a label that names a serial or an app Orchard does not know, most often a typo, unless it is labelled
     * {@code ahead} on purpose (devices before they enrol, apps before they are bought).
     */
    public void checkKnown(Label label, boolean ahead) {
        NotYet unknown = ahead ? new NotYet(List.of(), List.of()) : notYet(label);
        var reasons = new ArrayList<String>();
        if (!unknown.serials().isEmpty()) {
            reasons.add("no device has reported serial " + NotYet.few(unknown.serials()));
        }
        if (!unknown.adamIds().isEmpty()) {
            reasons.add("no account holds app " + NotYet.few(unknown.adamIds()));
        }
        if (!reasons.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", reasons) + ". To label ahead of the device's enrolment or "
                    + "the purchase, tick \"Label ahead\" (API: \"ahead\": true).");
        }
    }

    /** {@code proposed} replaces the label of the same id (0: a new one); {@code delete} previews removing it. */
    public Effect preview(Label proposed, boolean delete) {
        List<Label> before = inventory.labels();
        List<Label> after = new ArrayList<>(before.stream().filter(l -> l.id() != proposed.id() || proposed.id() == 0).toList());
        if (!delete) {
            after.add(proposed);
        }
        var counter = new Counter(userBasedApps(proposed));
        String afterSerial = "";
        List<Device> devices;
        do {
            devices = inventory.devices(null, Device.Status.ACTIVE, afterSerial, PAGE);
            Set<String> owners = new HashSet<>();
            devices.forEach(d -> {
                if (d.ownerUserId() != null) {
                    owners.add(d.ownerUserId());
                }
            });
            Map<String, Set<String>> groups = inventory.groupsOf(owners);
            Map<String, Set<String>> held = held(true, devices.stream().map(Device::serialNumber).toList(), proposed);
            Map<String, Set<String>> ownersHeld = held(false, List.copyOf(owners), proposed);
            for (Device d : devices) {
                Set<String> g = d.ownerUserId() == null ? Set.of() : groups.getOrDefault(d.ownerUserId(), Set.of());
                counter.target("device " + d.serialNumber(), d.ownerUserId(), held.getOrDefault(d.serialNumber(), Set.of()),
                        d.ownerUserId() == null ? Set.of() : ownersHeld.getOrDefault(d.ownerUserId(), Set.of()), proposed,
                        l -> l.coversDevice(d, g), before, after);
            }
            afterSerial = devices.isEmpty() ? afterSerial : devices.get(devices.size() - 1).serialNumber();
        } while (devices.size() == PAGE);
        String afterUser = null;
        List<DirectoryUser> users;
        do {
            users = inventory.users(null, afterUser, PAGE);
            List<String> ids = users.stream().map(DirectoryUser::userId).toList();
            Map<String, Set<String>> groups = inventory.groupsOf(ids);
            Map<String, Set<String>> held = held(false, ids, proposed);
            for (String id : ids) {
                Set<String> g = groups.getOrDefault(id, Set.of());
                Set<String> own = held.getOrDefault(id, Set.of());
                counter.target("user " + id, null, own, own, proposed, l -> l.coversUser(id, g), before, after);
            }
            afterUser = users.isEmpty() ? afterUser : users.get(users.size() - 1).userId();
        } while (users.size() == PAGE);
        return new Effect(counter.mayAssign, counter.noLongerWanted, counter.reclaims, counter.assignExamples,
                counter.reclaimExamples);
    }

    /**
     * Licenses the holders have: for an Apple License Label, this account's licenses Orchard assigned (only those
     * R4a takes back); for an App label, every app held in any account.
     */
    private Map<String, Set<String>> held(boolean devices, List<String> holders, Label proposed) {
        return ledger.appsHeld(devices, holders, proposed.kind() == Label.Kind.LICENSE ? proposed.accountId() : null);
    }

    /**
     * The proposed label's apps that are user-based on every device (books, apps without device licensing, apps set
     * user-based): one license per user, whichever of the user's devices wants it.
     */
    private Set<String> userBasedApps(Label proposed) {
        Map<String, List<LedgerQueries.Pool>> pools = new HashMap<>();
        ledger.pools(null).forEach(p -> pools.computeIfAbsent(p.adamId(), k -> new ArrayList<>()).add(p));
        Set<String> userBased = new HashSet<>();
        for (String adamId : proposed.adamIds()) {
            List<LedgerQueries.Pool> ps = pools.getOrDefault(adamId, List.of());
            boolean book = ps.stream().anyMatch(p -> "Book".equalsIgnoreCase(p.productType()));
            boolean deviceAssignable = !ps.isEmpty() && ps.stream().anyMatch(LedgerQueries.Pool::deviceAssignable);
            if (AssignmentPolicy.userBasedEverywhere(new AssignmentPolicy.AppFacts(adamId, book, deviceAssignable,
                    inventory.settings(adamId)))) {
                userBased.add(adamId);
            }
        }
        return userBased;
    }

    /**
     * Counts one target's difference between the label sets. A user-based app is counted once per user, as the pass
     * assigns it: through any of the user's devices, or the user directly; a device-based app once per device, and
     * never for a user targeted directly (device-based apps reach users through their devices).
     */
    private static final class Counter {
        long mayAssign;
        long noLongerWanted;
        long reclaims;
        final List<String> assignExamples = new ArrayList<>();
        final List<String> reclaimExamples = new ArrayList<>();
        private final Set<String> userBased;
        private final Set<String> usersCounted = new HashSet<>();
        private final Set<String> usersDropped = new HashSet<>();

        Counter(Set<String> userBased) {
            this.userBased = userBased;
        }

        /** The name the app is counted under for this target, or null when the pass would not assign it there. */
        private String countedAs(String name, String owner, String app) {
            boolean device = name.startsWith("device ");
            if (!userBased.contains(app)) {
                return device ? name : null;
            }
            String user = device ? owner : name.substring("user ".length());
            return user == null ? null : "user " + user;
        }

        /** {@code held}: the target's apps; {@code userHeld}: the apps its user holds user-based licenses of. */
        void target(String name, String owner, Set<String> held, Set<String> userHeld, Label proposed,
                    java.util.function.Predicate<Label> covers, List<Label> before, List<Label> after) {
            if (proposed.kind() == Label.Kind.LICENSE) {
                boolean was = covered(before, proposed.accountId(), covers);
                boolean is = covered(after, proposed.accountId(), covers);
                if (was && !is && !held.isEmpty()) {
                    reclaims += held.size();
                    example(reclaimExamples, name + ": " + String.join(", ", held));
                }
                return;
            }
            Set<String> wantedBefore = wanted(before, covers);
            Set<String> wantedAfter = wanted(after, covers);
            for (String app : wantedAfter) {
                String as = countedAs(name, owner, app);
                boolean user = userBased.contains(app);
                boolean has = as != null && (user ? userHeld.contains(app) : held.contains(app));
                if (as != null && !wantedBefore.contains(app) && !has && (!user || usersCounted.add(as + "/" + app))) {
                    mayAssign++;
                    example(assignExamples, as + ": " + app);
                }
            }
            for (String app : wantedBefore) {
                String as = countedAs(name, owner, app);
                if (as != null && !wantedAfter.contains(app) && (!userBased.contains(app) || usersDropped.add(as + "/" + app))) {
                    noLongerWanted++;
                }
            }
        }

        private static boolean covered(List<Label> labels, Long account, java.util.function.Predicate<Label> covers) {
            return labels.stream().anyMatch(l -> l.kind() == Label.Kind.LICENSE && account.equals(l.accountId()) && covers.test(l));
        }

        private static Set<String> wanted(List<Label> labels, java.util.function.Predicate<Label> covers) {
            Set<String> apps = new HashSet<>();
            labels.stream().filter(l -> l.kind() == Label.Kind.APP && covers.test(l)).forEach(l -> apps.addAll(l.adamIds()));
            return apps;
        }

        private static void example(List<String> examples, String text) {
            if (examples.size() < EXAMPLES) {
                examples.add(text);
            }
        }
    }
}
