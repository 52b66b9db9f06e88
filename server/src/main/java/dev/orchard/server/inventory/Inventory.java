package dev.orchard.server.inventory;

import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.system.ConflictException;
import dev.orchard.server.system.NotFoundException;

/**
 * The inventory's application service: every change is one transaction, audited, and announced with an
 * {@link InventoryEvents} event inside that transaction so the licensing engine records its consequences with it.
 */
@Service
public class Inventory {

    /** A device with its installed apps. */
    public record DeviceDetail(Device device, List<InstalledApp> apps) {
    }

    /** How many records an upsert created and updated. */
    public record Upserted(int created, int updated) {
    }

    private final Devices devices;
    private final Directory directory;
    private final Labels labels;
    private final AuditTrail audit;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    private final dev.orchard.server.system.PlannerStatistics statistics;

    Inventory(Devices devices, Directory directory, Labels labels, AuditTrail audit, ApplicationEventPublisher events,
              Clock clock, dev.orchard.server.system.PlannerStatistics statistics) {
        this.statistics = statistics;
        this.devices = devices;
        this.directory = directory;
        this.labels = labels;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
    }

    // --- devices

    private static final int SMALL = 100;

    @Transactional
    public Upserted upsertDevices(List<Device> list) {
        Map<String, Device> unique = list.stream().collect(Collectors.toMap(Device::serialNumber, d -> d, (a, b) -> b,
                java.util.LinkedHashMap::new));
        if (unique.size() <= SMALL) {
            // an MDM reports the same device over and over: what did not change is no change (no audit, no pass)
            unique.values().removeIf(d -> devices.find(d.serialNumber()).map(stored -> stored.sameAs(d)).orElse(false));
            if (unique.isEmpty()) {
                return new Upserted(0, 0);
            }
        }
        var retiredNow = unique.values().stream().filter(d -> !d.active())
                .filter(d -> devices.find(d.serialNumber()).map(Device::active).orElse(false)).toList();
        // a device that changes hands changes what its previous owner's user-based licenses cover
        Set<String> owners = new HashSet<>(devices.ownersOf(unique.keySet()));
        unique.values().stream().map(Device::ownerUserId).filter(java.util.Objects::nonNull).forEach(owners::add);
        int created = devices.upsert(List.copyOf(unique.values()), clock.instant());
        statistics.grew(dev.orchard.server.system.PlannerStatistics.Table.DEVICES, created);
        audit.record("api", "DEVICES_UPSERTED", unique.size() == 1 ? "device " + unique.keySet().iterator().next()
                : unique.size() + " devices", "created " + created + ", updated " + (unique.size() - created), "OK");
        retiredNow.forEach(d -> events.publishEvent(new InventoryEvents.DeviceRetired(d.serialNumber())));
        events.publishEvent(InventoryEvents.Changed.devices(unique.keySet(), owners));
        return new Upserted(created, unique.size() - created);
    }

    public DeviceDetail device(String serial) {
        String s = Identifiers.serial(serial);
        Device d = devices.find(s).orElseThrow(() -> new NotFoundException("no device with serial number " + s));
        return new DeviceDetail(d, devices.apps(s));
    }

    public Optional<Device> findDevice(String serial) {
        return devices.find(Identifiers.normalSerial(serial));
    }

    public List<Device> devices(String search, Device.Status status, String afterSerial, int limit) {
        return devices.page(search, status, afterSerial, limit);
    }

    /** These devices, whatever their status; unknown serials are left out. */
    public List<Device> devices(Collection<String> serials) {
        return devices.find(serials);
    }

    public List<Device> devicesOwnedBy(Collection<String> users) {
        return devices.ownedBy(users);
    }

    /** Retires the device (rule R4b: its device licenses are reclaimed). Retiring twice changes nothing. */
    @Transactional
    public Device retire(String serial) {
        String s = Identifiers.serial(serial);
        Device d = devices.find(s).orElseThrow(() -> new NotFoundException("no device with serial number " + s));
        if (devices.retire(s, clock.instant())) {
            audit.record("api", "DEVICE_RETIRED", "device " + s, null, "OK");
            events.publishEvent(new InventoryEvents.DeviceRetired(s));
            events.publishEvent(InventoryEvents.Changed.devices(Set.of(s),
                    d.ownerUserId() == null ? Set.of() : Set.of(d.ownerUserId())));
        }
        return devices.find(s).orElseThrow();
    }

    /**
     * Replaces the device's installed-app list with the MDM's latest report. Apps present in the previous report
     * and absent now were removed by the user (rule R4c). An unmanaged install of a wanted app is licensed by the
     * pass like any other target (rule R8). The pass does not read installed apps, so a report alone asks for none.
     */
    @Transactional
    public DeviceDetail reportApps(String serial, List<InstalledApp> apps) {
        String s = Identifiers.serial(serial);
        Device d = devices.find(s).orElseThrow(() -> new NotFoundException("no device with serial number " + s));
        Set<String> before = devices.apps(s).stream().map(InstalledApp::bundleId).collect(Collectors.toSet());
        Set<String> now = apps.stream().map(InstalledApp::bundleId).collect(Collectors.toSet());
        devices.replaceApps(s, apps, clock.instant());
        Set<String> removed = new HashSet<>(before);
        removed.removeAll(now);
        if (d.appsReportedAt() != null && !removed.isEmpty()) {
            events.publishEvent(new InventoryEvents.AppsRemoved(s, removed));
        }
        return new DeviceDetail(devices.find(s).orElseThrow(), devices.apps(s));
    }

    /**
     * The device was erased or re-enrolled: its app list is unknown until the MDM reports again, and that report is
     * a first one (nothing in it counts as removed by the user).
     */
    @Transactional
    public void forgetApps(String serial) {
        devices.forgetApps(Identifiers.serial(serial));
    }

    public long countDevices(Device.Status status) {
        return devices.count(status);
    }

    // --- users and groups

    @Transactional
    public Upserted upsertUsers(List<DirectoryUser> users) {
        Map<String, DirectoryUser> unique = users.stream().collect(Collectors.toMap(DirectoryUser::userId, u -> u,
                (a, b) -> b, java.util.LinkedHashMap::new));
        int created = directory.upsertUsers(List.copyOf(unique.values()), clock.instant());
        audit.record("api", "USERS_UPSERTED", unique.size() + " users", "created " + created, "OK");
        events.publishEvent(InventoryEvents.Changed.users(unique.keySet()));
        return new Upserted(created, unique.size() - created);
    }

    public DirectoryUser user(String id) {
        String u = Identifiers.user(id);
        return directory.user(u).orElseThrow(() -> new NotFoundException("no user " + u));
    }

    /** The directory user an MDM's account name (a managed Apple account, an e-mail or a user id) means, if any. */
    public Optional<String> userIdOf(String account) {
        return account == null || account.isBlank() ? Optional.empty() : directory.userIdOf(account.strip());
    }

    public List<DirectoryUser> users(Collection<String> ids) {
        return directory.users(ids);
    }

    public List<DirectoryUser> users(String search, String after, int limit) {
        return directory.usersPage(search, after, limit);
    }

    @Transactional
    public void deleteUser(String id) {
        String u = Identifiers.user(id);
        if (!directory.deleteUser(u)) {
            throw new NotFoundException("no user " + id);
        }
        audit.record("api", "USER_DELETED", "user " + id, null, "OK");
        events.publishEvent(InventoryEvents.Changed.users(Set.of(u)));
    }

    @Transactional
    public void saveGroup(String id, String name) {
        name = dev.orchard.server.system.Fields.required("name", name, 300);
        var before = directory.groupName(Identifiers.user(id));
        directory.createGroup(Identifiers.user(id), name, clock.instant());
        audit.record("api", before.isPresent() ? "GROUP_RENAMED" : "GROUP_SAVED", "group " + id,
                before.map(b -> "before: '" + b + "'; after: '").orElse("'") + name + "'", "OK");
    }

    @Transactional
    public void deleteGroup(String id) {
        List<String> members = directory.groupExists(id) ? directory.members(id) : List.of();
        if (!directory.deleteGroup(id)) {
            throw new NotFoundException("no group " + id);
        }
        audit.record("api", "GROUP_DELETED", "group " + id, null, "OK");
        events.publishEvent(InventoryEvents.Changed.users(members));
    }

    public List<Group> groups() {
        return directory.groups();
    }

    public List<String> members(String group) {
        requireGroup(group);
        return directory.members(group);
    }

    /** A page of a group's members (user ids in order) after {@code after} (null or "": from the first). */
    public List<String> members(String group, String after, int limit) {
        requireGroup(group);
        return directory.members(group, after == null ? "" : after, limit);
    }

    /** What a membership change did: users added to the group and removed from it (already members are not counted). */
    public record MembershipChange(int added, int removed) {
    }

    /** Adds and removes members in one change; unknown users are refused and nothing changes. */
    @Transactional
    public MembershipChange changeMembers(String group, List<String> add, List<String> remove) {
        requireGroup(group);
        List<String> toAdd = add == null ? List.of() : add.stream().map(Identifiers::user).distinct().toList();
        List<String> toRemove = remove == null ? List.of() : remove.stream().map(Identifiers::user).distinct().toList();
        if (toAdd.isEmpty() && toRemove.isEmpty()) {
            throw new IllegalArgumentException("add or remove must name at least one user");
        }
        List<String> missing = directory.missingUsers(toAdd);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("unknown users: " + String.join(", ", missing.subList(0, Math.min(10, missing.size())))
                    + (missing.size() > 10 ? " and " + (missing.size() - 10) + " more" : ""));
        }
        int added = directory.addMembers(group, toAdd);
        int removed = directory.removeMembers(group, toRemove);
        audit.record("api", "GROUP_MEMBERS_CHANGED", "group " + group, "added " + added + ", removed " + removed, "OK");
        Set<String> changed = new HashSet<>(toAdd);
        changed.addAll(toRemove);
        events.publishEvent(InventoryEvents.Changed.users(changed));
        return new MembershipChange(added, removed);
    }

    public Map<String, Set<String>> groupsOf(Collection<String> users) {
        return directory.groupsOf(users);
    }

    private void requireGroup(String group) {
        if (!directory.groupExists(group)) {
            throw new NotFoundException("no group " + group);
        }
    }

    // --- labels and app settings

    @Transactional
    public Label createLabel(Label l) {
        checkTargets(l);
        if (labels.nameTaken(l.name(), -1)) {
            throw new ConflictException("a label named '" + l.name() + "' exists");
        }
        long id = labels.insert(l, clock.instant());
        audit.record("api", "LABEL_CREATED", "label " + l.name(), describe(l), "OK");
        events.publishEvent(reach(l));
        return label(id);
    }

    @Transactional
    public Label replaceLabel(long id, Label l) {
        Label old = label(id);
        if (old.kind() != l.kind()) {
            throw new IllegalArgumentException("a label's kind cannot change");
        }
        checkTargets(l);
        if (labels.nameTaken(l.name(), id)) {
            throw new ConflictException("a label named '" + l.name() + "' exists");
        }
        labels.replace(id, l, clock.instant());
        audit.record("api", "LABEL_CHANGED", "label " + l.name(), "before: " + (old.name().equals(l.name()) ? "" : "'"
                + old.name() + "' ") + describe(old) + "; after: " + describe(l), "OK");
        events.publishEvent(reach(old, l));
        return label(id);
    }

    @Transactional
    public void deleteLabel(long id) {
        Label l = label(id);
        labels.delete(id);
        audit.record("api", "LABEL_DELETED", "label " + l.name(), "before: " + describe(l), "OK");
        events.publishEvent(reach(l));
    }

    /**
     * A label's GROUP and USER targets must name a group and a user Orchard has: a typo ("salez") used to be saved and
     * block every member it was meant for. A SERIAL may name a device not reported yet (devices are labelled before
     * they enrol); the preview counts what each target reaches.
     */
    public void checkTargets(Label l) {
        for (LabelTarget t : l.named()) {
            if (t.type() == LabelTarget.Type.GROUP && !directory.groupExists(t.value())) {
                var known = directory.groups().stream().map(Group::groupId).toList();
                throw new IllegalArgumentException("no group '" + t.value() + "'" + Typos.didYouMean(t.value(), known)
                        + "; create the group first (Users → Groups, or PUT /api/v1/groups/{id})");
            }
            if (t.type() == LabelTarget.Type.USER && directory.user(t.value()).isEmpty()) {
                throw new IllegalArgumentException("no user '" + t.value() + "'; add the user to the directory first");
            }
        }
    }

    /**
     * What a label's change reaches: the devices and users its versions (before and after) name — a serial, a user,
     * a group's members — so the pass looks at those (and their owners and devices) only. An ALL or RULE target can reach
     * any device: that change asks for a full pass.
     */
    private InventoryEvents.Changed reach(Label... versions) {
        Set<String> serials = new HashSet<>();
        Set<String> users = new HashSet<>();
        for (Label l : versions) {
            for (LabelTarget t : l.named()) { // an exclusion's change reaches whoever it names, as a target's does
                switch (t.type()) {
                    case ALL, RULE -> {
                        return InventoryEvents.Changed.everything("labels");
                    }
                    case SERIAL -> serials.add(t.value());
                    case USER -> users.add(t.value());
                    case GROUP -> {
                        if (directory.groupExists(t.value())) {
                            users.addAll(directory.members(t.value()));
                        }
                    }
                }
            }
        }
        return InventoryEvents.Changed.targets("labels", serials, users); // a device's owner comes with it (the pass)
    }

    public Label label(long id) {
        return labels.find(id).orElseThrow(() -> new NotFoundException("no label " + id));
    }

    public List<Label> labels() {
        return labels.all();
    }

    public Map<String, AppSettings> settings() {
        return labels.settings();
    }

    public AppSettings settings(String adamId) {
        return labels.settings().getOrDefault(Identifiers.adamId(adamId), AppSettings.defaults(adamId));
    }

    @Transactional
    public AppSettings saveSettings(AppSettings s) {
        AppSettings before = settings(s.adamId());
        if (before.equals(s) && labels.settings().containsKey(s.adamId())) {
            return s; // nothing to change, nothing to audit
        }
        labels.saveSettings(s, clock.instant());
        audit.record("api", "APP_SETTINGS_CHANGED", "app " + s.adamId(), "before: " + before + "; after: " + s, "OK");
        events.publishEvent(InventoryEvents.Changed.everything("settings of " + s.adamId()));
        return s;
    }

    private static String describe(Label l) {
        return l.kind() + (l.accountId() == null ? "" : " account " + l.accountId()) + ", targets "
                + l.targets().stream().map(Inventory::describe).collect(java.util.stream.Collectors.joining(" | ", "[", "]"))
                + (l.exclusions().isEmpty() ? "" : ", except " + l.exclusions().stream().map(Inventory::describe)
                        .collect(java.util.stream.Collectors.joining(" | ", "[", "]")))
                + (l.adamIds().isEmpty() ? "" : ", apps " + String.join(",", l.adamIds()));
    }

    private static String describe(LabelTarget t) {
        return t.type() + (t.value() == null ? "" : " " + t.value()) + (t.platform() == null ? "" : " platform " + t.platform())
                + (t.sharedIpad() == null ? "" : " sharedIpad " + t.sharedIpad()) + (t.enrollment() == null ? "" : " enrollment " + t.enrollment());
    }
}
