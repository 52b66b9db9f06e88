package dev.orchard.server.licensing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.Label;
import dev.orchard.server.inventory.LabelTarget;

/**
 * Labels indexed by what their targets name (a serial, a user, a group), so the labels covering one device or user
 * are found by looking at those entries and at the labels with broad targets (ALL, RULE), not at every label. A pass
 * asks this once per device and user; walking every label for each of them made a pass cost devices × labels
 * (measured: most of the convergence property's time once a few thousand labels existed).
 *
 * <p>Answers keep the labels' order, and each candidate is still checked with {@link Label#coversDevice} /
 * {@link Label#coversUser}, so the index only narrows where to look and never changes what covers what. A label's
 * exclusions are not indexed: they only ever take a candidate out.
 */
final class LabelCoverage {

    static final LabelCoverage NONE = new LabelCoverage(List.of());

    private final List<Label> labels;
    private final Map<String, List<Integer>> bySerial = new HashMap<>();
    private final Map<String, List<Integer>> byUser = new HashMap<>();
    private final Map<String, List<Integer>> byGroup = new HashMap<>();
    /** Labels with an ALL target (they cover every device and user). */
    private final List<Integer> everyone = new ArrayList<>();
    /** Labels with a RULE target (they may cover any device, and no user by themselves). */
    private final List<Integer> rules = new ArrayList<>();

    LabelCoverage(List<Label> labels) {
        this.labels = List.copyOf(labels);
        for (int i = 0; i < this.labels.size(); i++) {
            for (LabelTarget t : this.labels.get(i).targets()) {
                switch (t.type()) {
                    case ALL -> add(everyone, i);
                    case RULE -> add(rules, i);
                    case SERIAL -> add(bySerial.computeIfAbsent(t.value(), k -> new ArrayList<>()), i);
                    case USER -> add(byUser.computeIfAbsent(t.value(), k -> new ArrayList<>()), i);
                    case GROUP -> add(byGroup.computeIfAbsent(t.value(), k -> new ArrayList<>()), i);
                }
            }
        }
    }

    private static void add(List<Integer> list, int i) {
        if (list.isEmpty() || list.get(list.size() - 1) != i) {
            list.add(i);
        }
    }

    /** The labels covering the device, in the labels' order; {@code ownerGroups}: the groups of its owner. */
    List<Label> coveringDevice(Device d, Set<String> ownerGroups) {
        return deviceCandidates(d, ownerGroups).stream().map(labels::get).filter(l -> l.coversDevice(d, ownerGroups)).toList();
    }

    /** The labels whose targets take the device in and whose exclusions keep it out. */
    List<Label> excludingDevice(Device d, Set<String> ownerGroups) {
        return deviceCandidates(d, ownerGroups).stream().map(labels::get).filter(l -> l.excludingDevice(d, ownerGroups) != null
                && l.targets().stream().anyMatch(t -> t.coversDevice(d, ownerGroups))).toList();
    }

    private TreeSet<Integer> deviceCandidates(Device d, Set<String> ownerGroups) {
        TreeSet<Integer> candidates = new TreeSet<>(everyone);
        candidates.addAll(rules);
        candidates.addAll(bySerial.getOrDefault(d.serialNumber(), List.of()));
        if (d.ownerUserId() != null) {
            candidates.addAll(byUser.getOrDefault(d.ownerUserId(), List.of()));
            ownerGroups.forEach(g -> candidates.addAll(byGroup.getOrDefault(g, List.of())));
        }
        return candidates;
    }

    /** The labels covering the user by name, group or ALL (a device's coverage does not bring its owner in). */
    List<Label> coveringUser(String userId, Set<String> groups) {
        return userCandidates(userId, groups).stream().map(labels::get).filter(l -> l.coversUser(userId, groups)).toList();
    }

    /** The labels whose targets take the user in and whose exclusions keep them out. */
    List<Label> excludingUser(String userId, Set<String> groups) {
        return userCandidates(userId, groups).stream().map(labels::get).filter(l -> l.excludingUser(userId, groups) != null
                && l.targets().stream().anyMatch(t -> t.coversUser(userId, groups))).toList();
    }

    private TreeSet<Integer> userCandidates(String userId, Set<String> groups) {
        TreeSet<Integer> candidates = new TreeSet<>(everyone);
        candidates.addAll(byUser.getOrDefault(userId, List.of()));
        groups.forEach(g -> candidates.addAll(byGroup.getOrDefault(g, List.of())));
        return candidates;
    }

    boolean coversDevice(Device d, Set<String> ownerGroups) {
        return !coveringDevice(d, ownerGroups).isEmpty();
    }

    /** The user by name, group or ALL, or one of the user's active devices. */
    boolean coversUserOrDevices(String userId, Set<String> groups, List<Device> devices) {
        return !coveringUser(userId, groups).isEmpty() || devices.stream().anyMatch(d -> d.active() && coversDevice(d, groups));
    }
}
