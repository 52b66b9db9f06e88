package dev.orchard.server.mdm;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.stereotype.Component;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.inventory.AppSettings;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.InstalledApp;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Platform;

/**
 * Turns "install this app on this device" into queued {@code InstallApplication} commands: one command per distinct
 * plist (app, macOS or not, conversion, User Enrollment, flags) with all its devices as targets, on the device
 * channel (a Shared iPad always, R12) or, for a user-licensed app on a Mac, the user's channel when known. An app the
 * user installed unmanaged is taken over ({@code ChangeManagementState}, R8) except in User Enrollment. Devices that
 * are not enrolled, or whose MDM server is license-only (another tool installs), are skipped with the reason. Runs
 * inside the caller's transaction.
 */
@Component
class Installer {

    /** What an install request did: commands queued, devices targeted, and why others were skipped. */
    record Result(List<String> commandUuids, int devices, List<MdmService.Skipped> skipped) {
    }

    /** One device and app to install; {@code userLicense} when the license is the device user's. */
    record Request(String serialNumber, String adamId, boolean userLicense) {
    }

    private final Inventory inventory;
    private final Enrollments enrollments;
    private final AppInstalls installs;
    private final CommandQueue queue;
    private final MdmServerService servers;
    private final AuditTrail audit;
    private final Clock clock;

    Installer(Inventory inventory, Enrollments enrollments, AppInstalls installs, CommandQueue queue, MdmServerService servers,
              AuditTrail audit, Clock clock) {
        this.inventory = inventory;
        this.enrollments = enrollments;
        this.installs = installs;
        this.queue = queue;
        this.servers = servers;
        this.audit = audit;
        this.clock = clock;
    }

    private record Variant(String adamId, boolean mac, boolean convert, boolean userEnrollment, int flags) {
    }

    Result install(List<Request> requests, String reason, String actor) {
        Instant now = clock.instant();
        Map<String, AppSettings> settings = inventory.settings();
        var apps = installs.apps(requests.stream().map(Request::adamId).distinct().toList());
        Map<Variant, List<CommandQueue.Target>> groups = new LinkedHashMap<>();
        List<MdmService.Skipped> skipped = new ArrayList<>();
        for (Request r : requests) {
            var device = inventory.findDevice(r.serialNumber());
            var enrollment = enrollments.find(r.serialNumber());
            if (device.isEmpty() || !device.get().active()) {
                skipped.add(new MdmService.Skipped(r.serialNumber(), r.adamId(), "the device is not active"));
                continue;
            }
            if (enrollment.isEmpty() || !enrollment.get().enrolled()) {
                skipped.add(new MdmService.Skipped(r.serialNumber(), r.adamId(), "the device is not enrolled with an MDM"));
                continue;
            }
            if (servers.serverFor(enrollment.get().serverId()).map(MdmServer::licenseOnly).orElse(false)) {
                skipped.add(new MdmService.Skipped(r.serialNumber(), r.adamId(), "the device's MDM server is license-only: another tool installs"));
                continue;
            }
            Device d = device.get();
            var app = apps.get(r.adamId());
            boolean unmanagedCopy = app != null && app.bundleId() != null && inventory.device(d.serialNumber()).apps().stream()
                    .anyMatch(a -> a.bundleId().equals(app.bundleId()) && !a.managed());
            boolean userEnrollment = d.enrollment() == Device.Enrollment.USER;
            AppSettings s = settings.getOrDefault(r.adamId(), AppSettings.defaults(r.adamId()));
            var variant = new Variant(r.adamId(), d.platform() == Platform.MACOS, unmanagedCopy && !userEnrollment,
                    userEnrollment, s.managementFlags());
            String channel = r.userLicense() && d.platform() == Platform.MACOS && enrollment.get().userChannelId() != null
                    ? enrollment.get().userChannelId() : enrollment.get().enrollmentId();
            groups.computeIfAbsent(variant, v -> new ArrayList<>())
                    .add(new CommandQueue.Target(d.serialNumber(), channel, enrollment.get().serverId()));
        }
        var uuids = new ArrayList<String>();
        int devices = 0;
        for (var group : groups.entrySet()) {
            Variant v = group.getKey();
            var app = apps.get(v.adamId());
            String uuid = UUID.randomUUID().toString();
            MdmCommand command = MdmCommands.installApplication(uuid, new MdmCommands.Install(Long.parseLong(v.adamId()),
                    v.mac() ? Platform.MACOS : Platform.IOS, v.flags(), v.convert(), v.userEnrollment(), null));
            String why = v.convert() ? reason + "+CONVERSION" : reason;
            queue.add(command, why, v.adamId(), app == null ? null : app.bundleId(), actor, group.getValue(), now);
            for (CommandQueue.Target t : group.getValue()) {
                installs.record(t.serialNumber(), v.adamId(), "REQUESTED", uuid, app == null ? null : app.version(), why, null, now);
            }
            audit.record(actor, "MDM_INSTALL_QUEUED", "app " + v.adamId(), group.getValue().size() + " device(s), "
                    + why.toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ", command " + uuid, "OK");
            uuids.add(uuid);
            devices += group.getValue().size();
        }
        return new Result(uuids, devices, skipped);
    }

    /** Queues a query (app list, device information) for one device's device channel. */
    String query(String serial, MdmCommand command, String reason, String bundleId, Instant notBefore) {
        var enrollment = enrollments.find(serial).filter(Enrollments.Enrollment::enrolled).orElseThrow(
                () -> new IllegalStateException("device " + serial + " is not enrolled with an MDM"));
        queue.add(command, reason, null, bundleId, "orchard", List.of(new CommandQueue.Target(serial,
                enrollment.enrollmentId(), enrollment.serverId())), clock.instant());
        if (notBefore != null) {
            queue.notBefore(command.uuid(), notBefore);
        }
        if (command.requestType().endsWith("ApplicationList") && bundleId == null) {
            enrollments.appsRequested(serial, clock.instant());
        }
        return command.uuid();
    }

    /** The device's managed-apps flag per bundle id as last reported. */
    Map<String, InstalledApp> reported(String serial) {
        Map<String, InstalledApp> map = new LinkedHashMap<>();
        inventory.device(serial).apps().forEach(a -> map.put(a.bundleId(), a));
        return map;
    }
}
