package dev.orchard.server.licensing;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.stereotype.Service;

import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Label;
import dev.orchard.server.ledger.LicenseRow;
import dev.orchard.server.licensing.AssignmentPolicy.HolderType;

/**
 * "Why doesn't this device (or user) have the app?": for every app an App label wants for the target, and every
 * license the target holds, what Orchard does about it and why, account by account, with the action that fixes it.
 * It asks {@link AssignmentPolicy} exactly what a licensing pass would ask (the same {@link Pass} facts) and changes
 * nothing.
 */
@Service
public class WhyNot {

    /** Where an app stands for the target. */
    public enum State {
        /** Apple holds the license for it. */
        LICENSED,
        /** Orchard's assignment is queued or waiting for Apple's answer. */
        ASSIGNING,
        /** Orchard takes the license back (the reason says which rule). */
        RECLAIMING,
        /** Everything is in place; the next licensing pass assigns it. */
        NEXT_PASS,
        /** It qualifies, but the accounts that could serve it have no license left (R7). */
        WAITING,
        /** No account can serve it; the reason says what to fix. */
        BLOCKED,
        /** It was reclaimed on purpose and stays reclaimed until allowed again (R4c, R4d). */
        OPTED_OUT,
        /** Held, but no App label wants it any longer: a label change or a reclaim frees it. */
        NOT_WANTED,
        /** An App label names it for the target but one of the label's exclusions keeps the target out. */
        EXCLUDED
    }

    /** What fixes it, for the page to offer as a link or a button. */
    public enum Fix {
        NONE, ALLOW_AGAIN, SET_OWNER, LICENSE_LABELS, BUY_OR_RECLAIM, BUY, ACCOUNT, STORE, RETRY,
        /** Change the App label (its exclusions). */
        APP_LABELS
    }

    /**
     * One app for the target: who wants it ({@code labels}, the App labels' names), who would hold it ({@code
     * holderType} and {@code holder}, the device or its user), its state with the reason in words, the account that
     * holds or would serve it (null when none) and the fix.
     */
    public record Explanation(String adamId, List<String> labels, HolderType holderType, String holder, State state,
                              String reason, Long accountId, String accountName, Fix fix) {
    }

    private final Inventory inventory;
    private final AccountService accounts;
    private final LicensingData data;
    private final StoreAvailability stores;
    private final Clock clock;

    WhyNot(Inventory inventory, AccountService accounts, LicensingData data, StoreAvailability stores, Clock clock) {
        this.inventory = inventory;
        this.accounts = accounts;
        this.data = data;
        this.stores = stores;
        this.clock = clock;
    }

    /** Every app wanted for, or held by, the device (with its user's user-based licenses of those apps). */
    public List<Explanation> device(String serial) {
        Device d = inventory.device(serial).device();
        Pass pass = new Pass(inventory, accounts, data, clock.instant());
        String owner = d.ownerUserId();
        Set<String> groups = owner == null ? Set.of() : inventory.groupsOf(List.of(owner)).getOrDefault(owner, Set.of());
        Map<String, List<String>> wanted = new LinkedHashMap<>();
        for (Label l : pass.appLabels.coveringDevice(d, groups)) {
            l.adamIds().forEach(a -> wanted.computeIfAbsent(a, k -> new ArrayList<>()).add(l.name()));
        }
        pass.lookUpAvailability(stores, List.of(d), Map.of(d.serialNumber(), wanted.keySet()));
        List<LicenseRow> held = data.held(List.of(d.serialNumber()), owner == null ? List.of() : List.of(owner));
        List<String> holders = owner == null ? List.of(d.serialNumber()) : List.of(d.serialNumber(), owner);
        Set<String> optOuts = data.optOuts(holders);
        Map<String, String[]> listed = data.listed(holders);
        var out = new ArrayList<Explanation>();
        wanted.forEach((adamId, labels) -> out.add(explain(pass, d, owner, groups, List.of(d), adamId, labels, held, optOuts,
                listed)));
        // device licenses no label wants (a user's licenses belong on the user's page)
        held.stream().filter(h -> h.device() && !wanted.containsKey(h.adamId()))
                .forEach(h -> out.add(notWanted(pass, h, "device")));
        for (Label l : pass.appLabels.excludingDevice(d, groups)) {
            excluded(out, wanted.keySet(), l, l.excludingDevice(d, groups), HolderType.DEVICE, d.serialNumber());
        }
        return out;
    }

    /** Every user-based app wanted for, or held by, the user (device-based ones are on their devices' pages). */
    public List<Explanation> user(String userId) {
        String id = inventory.user(userId).userId();
        Pass pass = new Pass(inventory, accounts, data, clock.instant());
        Set<String> groups = inventory.groupsOf(List.of(id)).getOrDefault(id, Set.of());
        List<Device> own = inventory.devicesOwnedBy(List.of(id));
        Map<String, List<String>> wanted = new LinkedHashMap<>();
        for (Label l : pass.appLabels.coveringUser(id, groups)) {
            l.adamIds().stream().filter(a -> AssignmentPolicy.userBasedEverywhere(pass.app(a)))
                    .forEach(a -> wanted.computeIfAbsent(a, k -> new ArrayList<>()).add(l.name()));
        }
        List<LicenseRow> held = data.held(List.of(), List.of(id));
        Set<String> optOuts = data.optOuts(List.of(id));
        Map<String, String[]> listed = data.listed(List.of(id));
        var out = new ArrayList<Explanation>();
        wanted.forEach((adamId, labels) -> out.add(explain(pass, null, id, groups, own, adamId, labels, held, optOuts, listed)));
        held.stream().filter(h -> !h.device() && !wanted.containsKey(h.adamId()))
                .forEach(h -> out.add(notWanted(pass, h, "user")));
        for (Label l : pass.appLabels.excludingUser(id, groups)) {
            excluded(out, wanted.keySet(), l, l.excludingUser(id, groups), HolderType.USER, id);
        }
        return out;
    }

    private Explanation explain(Pass pass, Device d, String userId, Set<String> groups, List<Device> userDevices, String adamId,
                                List<String> labels, List<LicenseRow> held, Set<String> optOuts, Map<String, String[]> listed) {
        AssignmentPolicy.Case c = pass.caseFor(d, userId, groups, userDevices, adamId, held, optOuts);
        HolderType type = AssignmentPolicy.type(d, c.app());
        String holder = type == HolderType.DEVICE ? d.serialNumber() : userId;
        // a license being reclaimed is not "held" for the policy; say so before anything else
        for (LicenseRow h : held) {
            if (h.adamId().equals(adamId) && "RECLAIM".equals(h.intent()) && h.holder().equals(holder)) {
                return new Explanation(adamId, labels, type, holder, State.RECLAIMING, reclaimReason(h), h.accountId(),
                        name(pass, h.accountId()), Fix.NONE);
            }
        }
        AssignmentPolicy.Decision decision = AssignmentPolicy.decide(c);
        if (decision instanceof AssignmentPolicy.Keep k) {
            LicenseRow h = held.stream().filter(r -> r.adamId().equals(adamId) && !"RECLAIM".equals(r.intent()))
                    .filter(r -> r.holder().equals(holder) || d != null && r.holder().equals(d.serialNumber()))
                    .findFirst().or(() -> held.stream().filter(r -> r.adamId().equals(adamId)).findFirst()).orElse(null);
            Long account = h == null ? null : h.accountId();
            boolean inFlight = h != null && "ASSIGN".equals(h.intent());
            return new Explanation(adamId, labels, h == null ? type : HolderType.of(h), h == null ? holder : h.holder(),
                    inFlight ? State.ASSIGNING : State.LICENSED, inFlight
                            ? "Orchard's assignment is queued or waiting for Apple's answer" + (h.unwanted()
                                    ? "; it is no longer wanted and is taken back once Apple confirms it" : "")
                            : withNames(pass, k.why()), account, account == null ? null : name(pass, account), Fix.NONE);
        }
        String[] refused = holder == null ? null : listed.get(type + ":" + holder + ":" + adamId);
        if (decision instanceof AssignmentPolicy.Assign && refused != null) {
            // the policy would assign, but Apple refused the last assignment: that is where it stands
            return new Explanation(adamId, labels, type, holder, State.valueOf(refused[0]), refused[1]
                    + "; Orchard sends it again at the next licensing pass that looks at it, or retry the operation now", null,
                    null, Fix.RETRY);
        }
        if (decision instanceof AssignmentPolicy.Assign a) {
            return new Explanation(adamId, labels, type, holder, State.NEXT_PASS,
                    "the next licensing pass assigns a license of '" + name(pass, a.accountId()) + "'", a.accountId(),
                    name(pass, a.accountId()), Fix.NONE);
        }
        if (decision instanceof AssignmentPolicy.Wait w) {
            return new Explanation(adamId, labels, type, holder, State.WAITING, w.reason(), null, null, Fix.BUY_OR_RECLAIM);
        }
        AssignmentPolicy.Skip s = (AssignmentPolicy.Skip) decision;
        if (c.optedOut()) {
            return new Explanation(adamId, labels, type, holder, State.OPTED_OUT,
                    "the license was reclaimed on purpose; allow it again and the next pass assigns it", null, null,
                    Fix.ALLOW_AGAIN);
        }
        return new Explanation(adamId, labels, type, s.holder() == null ? holder : s.holder(), State.BLOCKED, s.reason(),
                null, null, fixFor(s.reason()));
    }

    private Explanation notWanted(Pass pass, LicenseRow h, String what) {
        if ("RECLAIM".equals(h.intent())) {
            return new Explanation(h.adamId(), List.of(), HolderType.of(h), h.holder(), State.RECLAIMING, reclaimReason(h),
                    h.accountId(), name(pass, h.accountId()), Fix.NONE);
        }
        String reason = "no App label wants this app for the " + what
                + ("EXTERNAL".equals(h.origin()) ? "; it was assigned outside Orchard, which leaves it as it is" : "")
                + (h.revocable() ? "" : "; Apple does not take licenses of books back");
        return new Explanation(h.adamId(), List.of(), HolderType.of(h), h.holder(), State.NOT_WANTED, reason, h.accountId(),
                name(pass, h.accountId()), Fix.NONE);
    }

    /**
     * The apps of an App label whose exclusion keeps the target out, unless another label wants them anyway or they are
     * listed already (a license still held is shown as not wanted).
     */
    private static void excluded(List<Explanation> out, Set<String> wanted, Label l, dev.orchard.server.inventory.LabelTarget by,
                                 HolderType type, String holder) {
        for (String adamId : l.adamIds()) {
            if (!wanted.contains(adamId) && out.stream().noneMatch(e -> e.adamId().equals(adamId) && holder.equals(e.holder()))) {
                out.add(new Explanation(adamId, List.of(l.name()), type, holder, State.EXCLUDED, "the App label '" + l.name()
                        + "' excludes this " + (type == HolderType.DEVICE ? "device" : "user") + " (" + by.type()
                        + (by.value() == null ? "" : " " + by.value()) + ")", null, null, Fix.APP_LABELS));
            }
        }
    }

    private static String reclaimReason(LicenseRow h) {
        return "Orchard is taking the license back"
                + (h.reclaimRule() == null ? "" : " (" + h.reclaimRule() + ": " + rule(h.reclaimRule()) + ")");
    }

    /** The reclaim rules in words (R4a–R4d). */
    static String rule(String code) {
        return switch (code) {
            case "R4a" -> "no Apple License Label of the account covers the holder any longer";
            case "R4b" -> "the device was retired";
            case "R4c" -> "the app was removed from the device";
            case "R4d" -> "an administrator reclaimed it";
            default -> "rule " + code;
        };
    }

    /** The reasons the policy gives, mapped to the place an administrator fixes them. */
    static Fix fixFor(String reason) {
        if (reason == null) {
            return Fix.NONE;
        }
        if (reason.contains("has no user")) {
            return Fix.SET_OWNER;
        }
        if (reason.contains("no account holds this app")) {
            return Fix.BUY;
        }
        if (reason.contains("no Apple License Label")) {
            return Fix.LICENSE_LABELS;
        }
        if (reason.contains("cannot assign now")) {
            return Fix.ACCOUNT;
        }
        if (reason.contains("store")) {
            return Fix.STORE;
        }
        return Fix.NONE;
    }

    /** "account 3" in the policy's words becomes the account's name. */
    private static String withNames(Pass pass, String why) {
        String out = why;
        for (var a : pass.accountsById.values()) {
            out = out.replaceAll("account " + a.id().value() + "\\b", java.util.regex.Matcher.quoteReplacement("'" + a.name() + "'"));
        }
        return out;
    }

    private static String name(Pass pass, long accountId) {
        var a = pass.accountsById.get(accountId);
        return a == null ? "account " + accountId : a.name();
    }
}
