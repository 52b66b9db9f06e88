package dev.orchard.server.inventory;

import java.util.List;
import java.util.Set;

/**
 * An Apple License Label (kind LICENSE: who may consume the licenses of {@code accountId}) or an App label (kind
 * APP: who should get {@code adamIds}). It takes in whoever one of its {@code targets} covers and none of its
 * {@code exclusions} does: "every device except the kiosks", "the Sales group but not Pia".
 */
public record Label(long id, Kind kind, String name, Long accountId, List<LabelTarget> targets, List<String> adamIds,
                    List<LabelTarget> exclusions) {

    public enum Kind { LICENSE, APP }

    public Label {
        if (kind == null) {
            throw new IllegalArgumentException("kind is required (LICENSE or APP)");
        }
        name = dev.orchard.server.system.Fields.required("name", name, 200);
        if (kind == Kind.LICENSE && accountId == null) {
            throw new IllegalArgumentException("an Apple License Label needs accountId");
        }
        if (kind == Kind.APP && accountId != null) {
            throw new IllegalArgumentException("an App label names apps, not an account");
        }
        targets = targets == null ? List.of() : List.copyOf(targets);
        adamIds = adamIds == null ? List.of() : adamIds.stream().map(Identifiers::adamId).distinct().toList();
        if (kind == Kind.LICENSE && !adamIds.isEmpty()) {
            throw new IllegalArgumentException("an Apple License Label applies an account, not apps");
        }
        exclusions = exclusions == null ? List.of() : List.copyOf(exclusions);
        if (exclusions.stream().anyMatch(t -> t.type() == LabelTarget.Type.ALL)) {
            throw new IllegalArgumentException("an exclusion of ALL would leave the label nobody; delete the label instead");
        }
        for (LabelTarget t : exclusions) {
            if (targets.contains(t)) {
                throw new IllegalArgumentException(t.type() + (t.value() == null ? "" : " " + t.value())
                        + " is both a target and an exclusion; keep one");
            }
        }
    }

    /** A label without exclusions. */
    public Label(long id, Kind kind, String name, Long accountId, List<LabelTarget> targets, List<String> adamIds) {
        this(id, kind, name, accountId, targets, adamIds, List.of());
    }

    public boolean coversDevice(Device d, Set<String> ownerGroups) {
        return targets.stream().anyMatch(t -> t.coversDevice(d, ownerGroups)) && excludingDevice(d, ownerGroups) == null;
    }

    public boolean coversUser(String userId, Set<String> groups) {
        return targets.stream().anyMatch(t -> t.coversUser(userId, groups)) && excludingUser(userId, groups) == null;
    }

    /** The exclusion that keeps the device out, or null. */
    public LabelTarget excludingDevice(Device d, Set<String> ownerGroups) {
        return exclusions.stream().filter(t -> t.coversDevice(d, ownerGroups)).findFirst().orElse(null);
    }

    /** The exclusion that keeps the user out, or null (a SERIAL or RULE exclusion keeps out devices, not users). */
    public LabelTarget excludingUser(String userId, Set<String> groups) {
        return exclusions.stream().filter(t -> t.coversUser(userId, groups)).findFirst().orElse(null);
    }

    /** The targets and the exclusions: everything the label names. */
    public List<LabelTarget> named() {
        return java.util.stream.Stream.concat(targets.stream(), exclusions.stream()).toList();
    }
}
