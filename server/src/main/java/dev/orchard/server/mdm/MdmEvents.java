package dev.orchard.server.mdm;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.InstalledApp;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Platform;
import dev.orchard.server.system.NotFoundException;

/**
 * What MDMs tell Orchard, from NanoMDM's webhook or the generic REST API, each event in one transaction: enrolments
 * (device attributes; a re-enrolment re-installs the device-licensed apps, R10; a Shared iPad gets its
 * install-on-registration apps, R12), sign-ins, erasures, check-outs (retire per policy, R4b), and command results
 * (install states, app lists that drive R4c and R8, device information).
 */
@Service
public class MdmEvents {

    /** Device events of the generic REST API. */
    public enum Kind { ENROLLED, RE_ENROLLED, ERASED, CHECKED_OUT, APP_LIST, USER_SIGNED_IN }

    private final Inventory inventory;
    private final EnrollmentLifecycle lifecycle;
    private final Enrollments enrollments;
    private final AppInstalls installs;
    private final CommandQueue queue;
    private final Installer installer;
    private final MdmTasks tasks;
    private final MdmProperties properties;
    private final AuditTrail audit;
    private final Clock clock;

    MdmEvents(Inventory inventory, EnrollmentLifecycle lifecycle, Enrollments enrollments, AppInstalls installs, CommandQueue queue,
              Installer installer, MdmTasks tasks, MdmProperties properties, AuditTrail audit, Clock clock) {
        this.inventory = inventory;
        this.lifecycle = lifecycle;
        this.enrollments = enrollments;
        this.installs = installs;
        this.queue = queue;
        this.installer = installer;
        this.tasks = tasks;
        this.properties = properties;
        this.audit = audit;
        this.clock = clock;
    }

    // --- check-ins and reports relayed by an MDM (NanoMDM's webhook)

    /**
     * A check-in message on {@code channel}, created by the MDM at {@code at}; {@code tally} is NanoMDM's count of token
     * updates since the channel's Authenticate (0 when not told). Returns the device's serial number, or empty while
     * Orchard cannot name the device (it then asks the device itself).
     */
    @Transactional
    public Optional<String> checkIn(Long serverId, MdmReports.CheckIn c, Channel channel, Instant at, int tally) {
        return lifecycle.checkIn(serverId, c, channel, at, tally);
    }

    /** The channel a message names when its MDM did not name it (older NanoMDM builds, MicroMDM's webhook shape). */
    public static Channel channelOf(MdmReports.CheckIn c) {
        return Channel.fromMessage(c.udid(), c.enrollmentId(), c.userId(), c.userShortName(), c.enrollmentUserId());
    }

    public static Channel channelOf(MdmReports.Report r) {
        return Channel.fromMessage(r.udid(), r.enrollmentId(), MdmReports.string(r.body(), "UserID"),
                MdmReports.string(r.body(), "UserShortName"), MdmReports.string(r.body(), "EnrollmentUserID"));
    }

    // --- generic REST events

    /** An event a non-NanoMDM MDM reports through the API. */
    @Transactional
    public void deviceEvent(String serial, Kind kind, String enrollmentId, List<InstalledApp> apps, String actor) {
        Device device = inventory.device(serial).device();
        String s = device.serialNumber();
        switch (kind) {
            case ENROLLED, RE_ENROLLED -> {
                String id = enrollmentId != null && !enrollmentId.isBlank() ? enrollmentId.strip()
                        : enrollments.find(s).map(Enrollments.Enrollment::enrollmentId).orElse(device.udid());
                if (id == null) {
                    throw new IllegalArgumentException("enrollmentId is required for a device without a UDID");
                }
                if (!device.active()) {
                    inventory.upsertDevices(List.of(new Device(s, device.udid(), device.platform(), device.osVersion(),
                            device.model(), device.country(), device.sharedIpad(), device.enrollment(), device.ownerUserId(),
                            Device.Status.ACTIVE, null)));
                }
                enrollments.authenticated(s, id, null, clock.instant());
                lifecycle.enrolled(s, kind == Kind.RE_ENROLLED, kind == Kind.RE_ENROLLED, actor);
            }
            case ERASED -> {
                enrollments.state(s, "ERASED", clock.instant());
                installs.allRemoved(s, "device erased", clock.instant());
                inventory.forgetApps(s);
                audit.record(actor, "DEVICE_ERASED", "device " + s, "apps are re-sent when it enrolls again (R10)", "OK");
            }
            case CHECKED_OUT -> lifecycle.checkedOut(s, actor);
            case USER_SIGNED_IN -> lifecycle.userSignedIn(s, actor);
            case APP_LIST -> {
                if (apps == null) {
                    throw new IllegalArgumentException("apps is required for an APP_LIST event");
                }
                appList(s, apps);
            }
        }
    }

    // --- command results

    /**
     * A command report on {@code channel}, created by the MDM at {@code at}. Any report, Idle included, proves the
     * channel enrolled. The command is found by the UUID the device saw (each request's own); reports of commands
     * Orchard did not send are still read for what they tell (app lists, device information).
     */
    @Transactional
    public Optional<String> report(Long serverId, MdmReports.Report r, Channel channel, Instant at) {
        lifecycle.reported(serverId, channel, at);
        Optional<String> found = lifecycle.serialOf(channel);
        var info = r.deviceInformation();
        if (found.isEmpty() && info != null && !channel.type().userChannel()) {
            found = lifecycle.identify(channel, info);
        }
        if (found.isEmpty() || "Idle".equals(r.status())) {
            return found;
        }
        String serial = found.get();
        Instant now = clock.instant();
        CommandQueue.Sent sent = r.commandUuid() == null ? null : queue.sent(r.commandUuid(), channel.id()).orElse(null);
        if (sent != null) {
            String state = r.acknowledged() ? "ACKNOWLEDGED" : r.failed() ? "ERROR" : "DELIVERED";
            String result = r.failed() ? r.errorText() : r.installState() != null ? r.installState()
                    + (r.rejectionReason() == null ? "" : " (" + r.rejectionReason() + ")") : r.status();
            queue.reported(sent.commandUuid(), channel.id(), state, result, now);
        }
        if (sent != null && "InstallApplication".equals(sent.requestType())) {
            installReported(serial, sent.adamId(), sent.bundleId(), r);
        }
        var managed = r.managedApps();
        if (managed != null) {
            managedList(serial, managed, sent != null ? sent.bundleId() : null);
        }
        var installed = r.installedApps();
        if (installed != null) {
            var previous = installer.reported(serial);
            appList(serial, installed.stream().map(a -> new InstalledApp(a.bundleId(), a.version(),
                    previous.containsKey(a.bundleId()) && previous.get(a.bundleId()).managed())).toList());
        }
        if (info != null) {
            deviceInformation(serial, info);
        }
        return found;
    }

    private void installReported(String serial, String adamId, String bundleId, MdmReports.Report r) {
        Instant now = clock.instant();
        if (r.failed() || r.rejectionReason() != null || "Failed".equals(r.installState())) {
            installs.record(serial, adamId, "FAILED", null, null, null,
                    r.failed() ? r.errorText() : r.installState() + " " + r.rejectionReason(), now);
            audit.record("mdm", "MDM_INSTALL_FAILED", "device " + serial, "app " + adamId + ": "
                    + (r.failed() ? r.errorText() : r.rejectionReason()), "FAILED");
            return;
        }
        if (!r.acknowledged()) {
            return; // NotNow: the MDM asks again later
        }
        if ("Managed".equals(r.installState())) {
            installs.record(serial, adamId, "INSTALLED", null, null, null, null, now);
        }
        // confirm with the app list a little later (rule: ask for ManagedApplicationList after each install)
        installer.query(serial, MdmCommands.managedApplicationList(UUID.randomUUID().toString(),
                bundleId == null ? List.of() : List.of(bundleId)), "CONFIRM", bundleId, now.plus(properties.confirmInstallAfter()));
        tasks.deliverAfterCommit();
    }

    private static final java.util.Set<String> PRESENT = java.util.Set.of("Managed", "Updating", "PromptingForUpdate",
            "PromptingForUpdateLogin", "ValidatingUpdate", "UpdateRejected");

    /**
     * A ManagedApplicationList: apps in the list that are present become managed in the inventory; an app that is
     * {@code ManagedButUninstalled} (the user deleted it) or missing from a full list is gone (R4c). A list asked
     * for some bundle ids only changes those.
     */
    private void managedList(String serial, Map<String, MdmReports.ManagedApp> report, String onlyBundle) {
        var previous = installer.reported(serial);
        var next = new ArrayList<InstalledApp>();
        for (InstalledApp a : previous.values()) {
            boolean inScope = onlyBundle == null ? a.managed() || report.containsKey(a.bundleId()) : a.bundleId().equals(onlyBundle);
            if (!inScope) {
                next.add(a);
            } else if (report.containsKey(a.bundleId())) {
                var m = report.get(a.bundleId());
                if (PRESENT.contains(m.status())) {
                    next.add(new InstalledApp(a.bundleId(), a.version(), true));
                } else if (!m.uninstalled()) {
                    next.add(a); // installing, failed or rejected: as it was
                }
            }
        }
        for (var m : report.values()) {
            if (!previous.containsKey(m.bundleId()) && PRESENT.contains(m.status())
                    && (onlyBundle == null || onlyBundle.equals(m.bundleId()))) {
                String version = installs.adamIdOf(m.bundleId()).map(id -> installs.apps(List.of(id)).get(id))
                        .map(AppInstalls.AppInfo::version).orElse(null);
                next.add(new InstalledApp(m.bundleId(), version, true));
            }
        }
        Instant now = clock.instant();
        for (var m : report.values()) {
            installs.adamIdOf(m.bundleId()).filter(adam -> installs.find(serial, adam).isPresent()).ifPresent(adam -> {
                if (PRESENT.contains(m.status())) {
                    installs.record(serial, adam, "INSTALLED", null, null, null, null, now);
                } else if (m.uninstalled()) {
                    installs.record(serial, adam, "REMOVED", null, null, null, "deleted on the device", now);
                } else if (m.status() != null && (m.status().endsWith("Rejected") || "Failed".equals(m.status()))) {
                    installs.record(serial, adam, "FAILED", null, null, null, m.status(), now);
                }
            });
        }
        inventory.reportApps(serial, next);
    }

    private void appList(String serial, List<InstalledApp> apps) {
        inventory.reportApps(serial, apps);
        enrollments.appsRequested(serial, clock.instant());
    }

    private void deviceInformation(String serial, Map<String, String> info) {
        Device d = inventory.findDevice(serial).orElseThrow(() -> new NotFoundException("no device " + serial));
        boolean shared = "true".equalsIgnoreCase(info.get("IsMultiUser")) && d.platform() == Platform.IPADOS;
        String os = info.get("OSVersion");
        String model = info.get("ProductName") != null ? info.get("ProductName") : info.get("Model");
        inventory.upsertDevices(List.of(new Device(d.serialNumber(), info.getOrDefault("UDID", d.udid()), d.platform(),
                os != null && os.matches("\\d+(\\.\\d+){0,3}") ? os : d.osVersion(), model != null ? model : d.model(),
                d.country(), info.containsKey("IsMultiUser") ? shared : d.sharedIpad(), d.enrollment(), d.ownerUserId(),
                d.status(), null)));
        if (shared && !d.sharedIpad()) {
            lifecycle.installOnRegistration(serial, "REGISTRATION", "mdm"); // learned only now that it is a Shared iPad (R12)
            tasks.deliverAfterCommit();
        }
    }
}
