package dev.orchard.server.inventory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.system.ConflictException;
import dev.orchard.server.system.NotFoundException;

/**
 * Users and groups as an identity provider provisions them (SCIM): what the API's inventory does, plus whether a user
 * is active and the provider's own ids. A deactivated user stays, out of every group, so the licenses those groups
 * gave are reclaimed by the normal pass (R4a); reactivating does not bring the groups back (the provider sends them
 * again). Every change is audited with the provider's token as actor ({@code scim:<token name>}).
 */
@Service
public class Provisioning {

    /** A user with the SCIM-only fields and the groups it is in. */
    public record User(DirectoryUser user, boolean active, String externalId, List<String> groups) {
    }

    /** A group with its members. */
    public record GroupView(String id, String name, String externalId, List<String> members) {
    }

    private final Inventory inventory;
    private final Directory directory;
    private final AuditTrail audit;
    private final ApplicationEventPublisher events;

    Provisioning(Inventory inventory, Directory directory, AuditTrail audit, ApplicationEventPublisher events) {
        this.inventory = inventory;
        this.directory = directory;
        this.audit = audit;
        this.events = events;
    }

    public Optional<User> user(String id) {
        return directory.user(id).map(u -> {
            var p = directory.provisioned(id).orElse(new Directory.Provisioned(true, null));
            return new User(u, p.active(), p.externalId(), directory.groupsOfUser(id));
        });
    }

    public Optional<User> userByExternalId(String externalId) {
        return directory.userIdByExternalId(externalId).flatMap(this::user);
    }

    /** Users in id order from a 0-based position. */
    public List<User> users(int offset, int count) {
        return directory.usersAt(offset, count).stream().map(u -> user(u.userId()).orElseThrow()).toList();
    }

    public long userCount() {
        return directory.userCount();
    }

    /** A new user; 409 when the id is taken (the provider then looks it up and links it). */
    @Transactional
    public User createUser(DirectoryUser u, boolean active, String externalId) {
        if (directory.user(u.userId()).isPresent()) {
            throw new ConflictException("a user with userName '" + u.userId() + "' exists");
        }
        inventory.upsertUsers(List.of(u));
        directory.provision(u.userId(), true, externalId);
        if (!active) {
            setActive(u.userId(), false);
        }
        return user(u.userId()).orElseThrow();
    }

    /** Replaces the user's fields (PUT, or PATCH applied to the current ones). */
    @Transactional
    public User replaceUser(String id, DirectoryUser u, boolean active, String externalId) {
        User current = user(id).orElseThrow(() -> new NotFoundException("no user " + id));
        if (!current.user().userId().equals(u.userId())) {
            throw new IllegalArgumentException("userName cannot change: it is the id Apple knows the user by (clientUserId)");
        }
        if (!current.user().equals(u)) {
            inventory.upsertUsers(List.of(u));
        }
        directory.provision(id, current.active(), externalId);
        if (current.active() != active) {
            setActive(id, active);
        }
        return user(id).orElseThrow();
    }

    @Transactional
    public void setActive(String id, boolean active) {
        var p = directory.provisioned(id).orElseThrow(() -> new NotFoundException("no user " + id));
        if (p.active() == active) {
            return;
        }
        directory.provision(id, active, p.externalId());
        List<String> left = active ? List.of() : directory.leaveAllGroups(id);
        audit.record("scim", active ? "USER_ACTIVATED" : "USER_DEACTIVATED", "user " + id,
                active ? "active again" : "deactivated; left " + (left.isEmpty() ? "no group" : String.join(", ", left)), "OK");
        events.publishEvent(InventoryEvents.Changed.users(Set.of(id)));
    }

    @Transactional
    public void deleteUser(String id) {
        inventory.deleteUser(id);
    }

    public Optional<GroupView> group(String id) {
        return directory.groupName(id).map(name -> new GroupView(id, name, directory.groupExternalId(id).orElse(null),
                directory.members(id)));
    }

    public List<GroupView> groups() {
        return inventory.groups().stream().map(g -> group(g.groupId()).orElseThrow()).toList();
    }

    /** A new group named {@code displayName}; its id is made from the name (what labels show), unique. */
    @Transactional
    public GroupView createGroup(String displayName, String externalId, List<String> members) {
        String base = displayName.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        base = base.isEmpty() ? "group" : base.length() > 200 ? base.substring(0, 200) : base;
        String id = base;
        for (int n = 2; directory.groupExists(id); n++) {
            id = base + "-" + n;
        }
        inventory.saveGroup(id, displayName);
        directory.setGroupExternalId(id, externalId);
        if (!members.isEmpty()) {
            inventory.changeMembers(id, members, List.of());
        }
        return group(id).orElseThrow();
    }

    @Transactional
    public void renameGroup(String id, String displayName) {
        requireGroup(id);
        inventory.saveGroup(id, displayName);
    }

    @Transactional
    public void setGroupExternalId(String id, String externalId) {
        requireGroup(id);
        directory.setGroupExternalId(id, externalId);
    }

    /** Adds and removes members; users unknown or deactivated are refused for adding. */
    @Transactional
    public void changeMembers(String id, List<String> add, List<String> remove) {
        requireGroup(id);
        for (String u : add) {
            if (!directory.provisioned(u).map(Directory.Provisioned::active).orElse(true)) {
                throw new IllegalArgumentException("user " + u + " is deactivated: activate it before adding it to a group");
            }
        }
        if (!add.isEmpty() || !remove.isEmpty()) {
            inventory.changeMembers(id, add, remove);
        }
    }

    /** Makes the members exactly these. */
    @Transactional
    public void replaceMembers(String id, List<String> members) {
        requireGroup(id);
        Set<String> want = new HashSet<>(members);
        List<String> have = directory.members(id);
        var remove = new ArrayList<String>();
        have.stream().filter(u -> !want.contains(u)).forEach(remove::add);
        var add = members.stream().filter(u -> !have.contains(u)).distinct().toList();
        changeMembers(id, add, remove);
    }

    @Transactional
    public void deleteGroup(String id) {
        inventory.deleteGroup(id);
    }

    private void requireGroup(String id) {
        if (!directory.groupExists(id)) {
            throw new NotFoundException("no group " + id);
        }
    }
}
