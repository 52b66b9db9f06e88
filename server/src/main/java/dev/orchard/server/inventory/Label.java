package dev.orchard.server.inventory;

import java.util.List;
import java.util.Set;

/**
 * An Apple License Label (kind LICENSE: who may consume the licenses of {@code accountId}) or an App label (kind
 * APP: who should get {@code adamIds}).
 */
public record Label(long id, Kind kind, String name, Long accountId, List<LabelTarget> targets, List<String> adamIds) {

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
    }

    public boolean coversDevice(Device d, Set<String> ownerGroups) {
        return targets.stream().anyMatch(t -> t.coversDevice(d, ownerGroups));
    }

    public boolean coversUser(String userId, Set<String> groups) {
        return targets.stream().anyMatch(t -> t.coversUser(userId, groups));
    }
}
