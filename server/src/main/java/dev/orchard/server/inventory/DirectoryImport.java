package dev.orchard.server.inventory;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.audit.AuditTrail;

/**
 * Applies what a source's sync read, in one transaction, to the users and groups that source owns (a source never
 * changes users or groups of the API, of a CSV or of another source, except to adopt one with the same id): new and
 * changed users, groups with their effective members (nested groups expanded), and on a full read the users and
 * groups the directory no longer has. Every membership change names its users to the licensing pass, so a member who
 * left a group that an Apple License Label uses has the license reclaimed (R4a) by the normal pass. Audited with the
 * source as actor ({@code directory:<name>}).
 */
@Component
class DirectoryImport {

    /** What a sync changed. */
    record Summary(int created, int updated, int deleted, int kept, int groupsCreated, int groupsDeleted, int membersAdded,
                   int membersRemoved) {
        String text() {
            return created + " users created, " + updated + " updated, " + deleted + " deleted" + (kept > 0 ? ", " + kept
                    + " kept (deleted in the directory)" : "") + "; " + groupsCreated + " groups created, " + groupsDeleted
                    + " deleted; " + membersAdded + " memberships added, " + membersRemoved + " removed";
        }
    }

    private static final int LISTED = 20;

    private final Directory directory;
    private final AuditTrail audit;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    DirectoryImport(Directory directory, AuditTrail audit, ApplicationEventPublisher events, Clock clock) {
        this.directory = directory;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
    }

    @Transactional
    Summary apply(DirectorySource source, LdapReader.Snapshot read) {
        Instant now = clock.instant();
        String actor = "directory:" + source.name();
        Map<String, LdapReader.Entry> stored = directory.sourceUsers(source.id());
        int created = 0;
        int updated = 0;
        for (LdapReader.Entry e : read.users().values()) {
            LdapReader.Entry before = stored.get(e.user().userId());
            if (before == null || !before.equals(e)) {
                if (directory.upsertSourceUser(source.id(), e, now)) {
                    created++;
                } else {
                    updated++;
                }
            }
        }
        Map<String, LdapReader.Entry> owned = new HashMap<>(stored);
        owned.putAll(read.users());
        Set<String> changed = new HashSet<>();
        int deleted = 0;
        int kept = 0;
        if (read.full()) {
            Set<String> gone = new HashSet<>(stored.keySet());
            gone.removeAll(read.users().keySet());
            for (String id : gone) {
                owned.remove(id);
                if (source.onDelete() == DirectorySource.OnDelete.RECLAIM) {
                    changed.add(id);
                    directory.deleteUser(id);
                    audit.record(actor, "USER_DELETED", "user " + id, "deleted in the directory", "OK");
                    deleted++;
                } else {
                    kept++;
                }
            }
            if (kept > 0) {
                directory.detachUsers(source.id(), gone);
                audit.record(actor, "USERS_KEPT", kept + " users", "deleted in the directory, kept as the source says: "
                        + listed(gone), "OK");
            }
        }
        Map<String, String> idByDn = new HashMap<>();
        owned.forEach((id, e) -> {
            if (e.dn() != null) {
                idByDn.put(e.dn(), id);
            }
        });
        var byDn = LdapGroups.byDn(read.groups());
        int groupsCreated = 0;
        int added = 0;
        int removed = 0;
        for (LdapReader.GroupEntry g : read.groups().values()) {
            if (directory.saveSourceGroup(source.id(), g.id(), g.name(), now)) {
                groupsCreated++;
                audit.record(actor, "GROUP_SAVED", "group " + g.id(), "'" + g.name() + "'", "OK");
            }
            Set<String> want = LdapGroups.members(g, byDn, idByDn, owned.keySet());
            Set<String> have = new HashSet<>(directory.members(g.id()));
            List<String> add = want.stream().filter(u -> !have.contains(u)).sorted().toList();
            List<String> remove = have.stream().filter(u -> owned.containsKey(u) && !want.contains(u)).sorted().toList();
            added += directory.addMembers(g.id(), add);
            removed += directory.removeMembers(g.id(), remove);
            if (!add.isEmpty() || !remove.isEmpty()) {
                changed.addAll(add);
                changed.addAll(remove);
                audit.record(actor, "GROUP_MEMBERS_CHANGED", "group " + g.id(), "added " + add.size() + listed(add)
                        + ", removed " + remove.size() + listed(remove), "OK");
            }
        }
        int groupsDeleted = 0;
        if (read.full()) {
            for (String g : directory.sourceGroups(source.id())) {
                if (!read.groups().containsKey(g)) {
                    changed.addAll(directory.members(g));
                    directory.deleteGroup(g);
                    audit.record(actor, "GROUP_DELETED", "group " + g, "deleted in the directory", "OK");
                    groupsDeleted++;
                }
            }
        }
        var summary = new Summary(created, updated, deleted, kept, groupsCreated, groupsDeleted, added, removed);
        if (created + updated > 0) {
            audit.record(actor, "USERS_UPSERTED", (created + updated) + " users", "created " + created + ", updated " + updated, "OK");
            changed.addAll(read.users().keySet().stream().filter(id -> !Objects.equals(stored.get(id), read.users().get(id))).toList());
        }
        if (!changed.isEmpty()) {
            events.publishEvent(InventoryEvents.Changed.users(changed));
        }
        return summary;
    }

    private static String listed(java.util.Collection<String> ids) {
        if (ids.isEmpty()) {
            return "";
        }
        var sorted = ids.stream().sorted().toList();
        return " (" + String.join(", ", sorted.subList(0, Math.min(LISTED, sorted.size())))
                + (sorted.size() > LISTED ? " and " + (sorted.size() - LISTED) + " more" : "") + ")";
    }
}
