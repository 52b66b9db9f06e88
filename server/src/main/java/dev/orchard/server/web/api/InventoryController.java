package dev.orchard.server.web.api;

import java.util.ArrayList;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.DirectoryUser;
import dev.orchard.server.inventory.Identifiers;
import dev.orchard.server.inventory.InstalledApp;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Platform;
import dev.orchard.server.licensing.AssignmentPolicy.HolderType;
import dev.orchard.server.licensing.Reclaims;
import dev.orchard.server.licensing.WhyNot;
import dev.orchard.server.ledger.LedgerQueries;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * Devices, directory users and groups. Bulk requests are all-or-nothing: one invalid record refuses the request
 * with its position and nothing is stored.
 */
@RestController
@Tag(name = "Inventory")
class InventoryController {

    /** A device as the API takes it; {@code status} ACTIVE (default) or RETIRED. */
    record DeviceInput(String serialNumber, String udid, String platform, String osVersion, String model, String country,
                       Boolean sharedIpad, String enrollment, String ownerUserId, String status) {
        Device toDevice() {
            return new Device(serialNumber, udid, Platform.parse(platform), osVersion, model, country,
                    Boolean.TRUE.equals(sharedIpad), enumOf(Device.Enrollment.class, enrollment, "enrollment"), ownerUserId,
                    enumOf(Device.Status.class, status, "status"), null);
        }
    }

    record UserInput(String userId, String email, String managedAppleId, String displayName) {
        DirectoryUser toUser() {
            return new DirectoryUser(userId, email, managedAppleId, displayName);
        }
    }

    record GroupInput(String name) {
    }

    record Membership(List<String> add, List<String> remove) {
    }

    private final Inventory inventory;
    private final LedgerQueries ledger;
    private final Reclaims reclaims;
    private final UserOverview users;
    private final dev.orchard.server.licensing.Waitlist waitlist;
    private final WhyNot whyNot;

    InventoryController(Inventory inventory, LedgerQueries ledger, Reclaims reclaims, UserOverview users,
                        dev.orchard.server.licensing.Waitlist waitlist, WhyNot whyNot) {
        this.waitlist = waitlist;
        this.inventory = inventory;
        this.ledger = ledger;
        this.reclaims = reclaims;
        this.users = users;
        this.whyNot = whyNot;
    }

    // --- devices

    @PutMapping("/api/v1/devices/{serial}")
    @Operation(summary = "Create or replace one device")
    Inventory.DeviceDetail putDevice(@PathVariable String serial, @RequestBody DeviceInput input) {
        Device d = input.toDevice();
        if (!d.serialNumber().equals(Identifiers.serial(serial))) {
            throw new IllegalArgumentException("the body's serialNumber differs from the path's");
        }
        inventory.upsertDevices(List.of(d));
        return inventory.device(serial);
    }

    @PostMapping(path = "/api/v1/devices", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create or replace devices in bulk (JSON array, all or nothing)")
    Inventory.Upserted postDevices(@RequestBody List<DeviceInput> input) {
        return inventory.upsertDevices(convert(input, DeviceInput::toDevice));
    }

    @PostMapping(path = "/api/v1/devices", consumes = "text/csv")
    @Operation(summary = "Create or replace devices in bulk from CSV with a header row naming the JSON fields")
    Inventory.Upserted postDevicesCsv(@RequestBody String csv) {
        var rows = Csv.parse(csv, java.util.Set.of("serialNumber", "udid", "platform", "osVersion", "model", "country",
                "sharedIpad", "enrollment", "ownerUserId", "status"));
        return inventory.upsertDevices(convert(rows, r -> new DeviceInput(r.get("serialNumber"), r.get("udid"), r.get("platform"),
                r.get("osVersion"), r.get("model"), r.get("country"), Csv.flag(r, "sharedIpad"),
                r.get("enrollment"), r.get("ownerUserId"), r.get("status")).toDevice()));
    }

    @GetMapping("/api/v1/devices")
    @Operation(summary = "Devices in serial order; search by a part of the serial, or a model or owner prefix; page with after")
    Paging.Page<Device> devices(@RequestParam(required = false) String search, @RequestParam(required = false) String status,
                                @RequestParam(required = false) String after, @RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        var items = inventory.devices(search, enumOf(Device.Status.class, status, "status"), after, limit);
        return Paging.of(items, limit, Device::serialNumber);
    }

    @GetMapping("/api/v1/devices/{serial}")
    @Operation(summary = "A device with its installed apps, the licenses it holds and what it waits for")
    DeviceView device(@PathVariable String serial) {
        var detail = inventory.device(serial);
        String s = detail.device().serialNumber();
        return new DeviceView(detail.device(), detail.apps(),
                ledger.licenses(new LedgerQueries.LicenseFilter(null, null, s, null, null), 0, 1000), waitlist.ofHolder("DEVICE", s));
    }

    /** A device with the apps it reported, the licenses it holds and what it waits for. */
    record DeviceView(Device device, List<dev.orchard.server.inventory.InstalledApp> apps, List<LedgerQueries.License> licenses,
                      List<dev.orchard.server.licensing.Waitlist.Entry> waitlist) {
    }

    /** "Why not?": one explanation per app. */
    record Why(List<WhyNot.Explanation> items) {
    }

    /** How many purposeful reclaims were lifted (0: there was none). */
    record Allowed(int cleared) {
    }

    /** A group as saved. */
    record GroupSaved(String groupId, String name) {
    }

    @GetMapping("/api/v1/devices/{serial}/why")
    @Operation(summary = "Why not? Every app an App label wants for the device, and every device license it holds: its "
            + "state (LICENSED, ASSIGNING, RECLAIMING, NEXT_PASS, WAITING, BLOCKED, OPTED_OUT, NOT_WANTED), the reason, the "
            + "account and the fix; the licensing pass's own rules, read now, changing nothing")
    Why whyDevice(@PathVariable String serial) {
        return new Why(whyNot.device(serial));
    }

    @PostMapping("/api/v1/devices/{serial}/retire")
    @Operation(summary = "Retire a device: its device-based licenses are reclaimed (R4b)")
    Device retire(@PathVariable String serial) {
        return inventory.retire(serial);
    }

    @PutMapping("/api/v1/devices/{serial}/apps")
    @Operation(summary = "The device's installed apps as the MDM reports them (apps gone since the last report are reclaimed, R4c)")
    Inventory.DeviceDetail apps(@PathVariable String serial, @RequestBody List<InstalledApp> apps) {
        return inventory.reportApps(serial, apps);
    }

    @DeleteMapping("/api/v1/devices/{serial}/opt-outs/{adamId}")
    @Operation(summary = "Let the labels assign the app to this device again after a purposeful reclaim")
    Allowed allowDevice(@PathVariable String serial, @PathVariable String adamId) {
        return new Allowed(reclaims.allowAgain(HolderType.DEVICE, Identifiers.serial(serial), Identifiers.adamId(adamId)));
    }

    // --- users and groups

    @GetMapping("/api/v1/users/{id}/why")
    @Operation(summary = "Why not? Every user-based app an App label wants for the user, and every user license held, "
            + "with its state, reason, account and fix (device-based apps are on the devices' answers)")
    Why whyUser(@PathVariable String id) {
        return new Why(whyNot.user(id));
    }

    @PutMapping("/api/v1/users/{id}")
    @Operation(summary = "Create or replace one directory user")
    DirectoryUser putUser(@PathVariable String id, @RequestBody UserInput input) {
        DirectoryUser u = new UserInput(id, input.email(), input.managedAppleId(), input.displayName()).toUser();
        inventory.upsertUsers(List.of(u));
        return inventory.user(u.userId());
    }

    @PostMapping(path = "/api/v1/users", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create or replace users in bulk (all or nothing)")
    Inventory.Upserted postUsers(@RequestBody List<UserInput> input) {
        return inventory.upsertUsers(convert(input, UserInput::toUser));
    }

    @PostMapping(path = "/api/v1/users", consumes = "text/csv")
    @Operation(summary = "Create or replace users in bulk from CSV (userId, email, managedAppleId, displayName)")
    Inventory.Upserted postUsersCsv(@RequestBody String csv) {
        return inventory.upsertUsers(convert(Csv.parse(csv, java.util.Set.of("userId", "email", "managedAppleId",
                "displayName")), r -> new DirectoryUser(r.get("userId"), r.get("email"),
                r.get("managedAppleId"), r.get("displayName"))));
    }

    @GetMapping("/api/v1/users")
    @Operation(summary = "Users in id order; search by id, e-mail or name prefix; page with after")
    Paging.Page<dev.orchard.server.inventory.DirectoryUser> users(@RequestParam(required = false) String search,
                                                                  @RequestParam(required = false) String after,
                                                                  @RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        var items = inventory.users(search, after, limit);
        return Paging.of(items, limit, dev.orchard.server.inventory.DirectoryUser::userId);
    }

    @GetMapping("/api/v1/users/{id}")
    @Operation(summary = "A user with groups, devices, licenses, waitlist and Apple registration per account")
    UserOverview.Overview user(@PathVariable String id) {
        return users.of(id);
    }

    @DeleteMapping("/api/v1/users/{id}")
    @Operation(summary = "Delete a directory user (their licenses are reclaimed by the next pass when no label covers them)")
    void deleteUser(@PathVariable String id) {
        inventory.deleteUser(id);
    }

    @DeleteMapping("/api/v1/users/{id}/opt-outs/{adamId}")
    @Operation(summary = "Let the labels assign the app to this user again after a purposeful reclaim")
    Allowed allowUser(@PathVariable String id, @PathVariable String adamId) {
        return new Allowed(reclaims.allowAgain(HolderType.USER, Identifiers.user(id), Identifiers.adamId(adamId)));
    }

    @PutMapping("/api/v1/groups/{id}")
    @Operation(summary = "Create or rename a group")
    GroupSaved putGroup(@PathVariable String id, @RequestBody GroupInput input) {
        inventory.saveGroup(id, input == null ? null : input.name());
        return new GroupSaved(id, input.name().strip());
    }

    @GetMapping("/api/v1/groups")
    @Operation(summary = "Groups with their member counts")
    List<dev.orchard.server.inventory.Group> groups() {
        return inventory.groups();
    }

    @GetMapping("/api/v1/groups/{id}/members")
    @Operation(summary = "The group's members (user ids), in order")
    Paging.Page<String> members(@PathVariable String id, @RequestParam(required = false) String after,
                                @RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        return Paging.of(inventory.members(id, after, limit), limit, m -> m);
    }

    @PostMapping("/api/v1/groups/{id}/members")
    @Operation(summary = "Add and remove members in one change (users leaving a group lose the licenses of labels that covered them through it, R4a)")
    Inventory.MembershipChange changeMembers(@PathVariable String id, @RequestBody Membership m) {
        return inventory.changeMembers(id, m.add(), m.remove());
    }

    @DeleteMapping("/api/v1/groups/{id}")
    void deleteGroup(@PathVariable String id) {
        inventory.deleteGroup(id);
    }

    static <T, R> List<R> convert(List<T> input, java.util.function.Function<T, R> f) {
        if (input == null || input.isEmpty()) {
            throw new IllegalArgumentException("the list is empty");
        }
        if (input.size() > 50_000) {
            throw new IllegalArgumentException("at most 50,000 records per request");
        }
        var out = new ArrayList<R>(input.size());
        for (int i = 0; i < input.size(); i++) {
            try {
                out.add(f.apply(input.get(i)));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("record " + (i + 1) + ": " + e.getMessage());
            }
        }
        return out;
    }

    static <E extends Enum<E>> E enumOf(Class<E> type, String value, String field) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " must be one of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }
}
