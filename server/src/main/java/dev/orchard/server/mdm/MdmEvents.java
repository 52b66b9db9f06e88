package dev.orchard.server.mdm;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.InstalledApp;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Platform;
import dev.orchard.server.system.NotFoundException;
import dev.orchard.server.system.Scheduling;

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

    private static final Logger LOG = LoggerFactory.getLogger(MdmEvents.class);

    private final Inventory inventory;
    private final Enrollments enrollments;
    private final AppInstalls installs;
    private final CommandQueue queue;
    private final Installer installer;
    private final MdmTasks tasks;
    private final MdmProperties properties;
    private final AuditTrail audit;
    private final Clock clock;

    MdmEvents(Inventory inventory, Enrollments enrollments, AppInstalls installs, CommandQueue queue, Installer installer,
              MdmTasks tasks, MdmProperties properties, AuditTrail audit, Clock clock) {
        this.inventory = inventory;
        this.enrollments = enrollments;
        this.installs = installs;
        this.queue = queue;
        this.installer = installer;
        this.tasks = tasks;
        this.properties = properties;
        this.audit = audit;
        this.clock = clock;
    }

    // --- NanoMDM check-ins

    /**
     * A check-in message. {@code channelId} is the MDM's enrollment id for the channel that checked in. Returns the
     * device's serial number, or empty when the message names a device Orchard cannot identify.
     */
    @Transactional
    public Optional<String> checkIn(Long serverId, MdmReports.CheckIn c, String channelId) {
        return switch (c.messageType()) {
            case "Authenticate" -> Optional.of(authenticate(serverId, c));
            case "TokenUpdate" -> tokenUpdate(c, channelId);
            case "CheckOut" -> serialOf(c).map(serial -> {
                if (!c.userChannel()) {
                    checkedOut(serial, "mdm");
                }
                return serial;
            });
            default -> serialOf(c);
        };
    }

    private String authenticate(Long serverId, MdmReports.CheckIn c) {
        String serial = c.serialNumber() != null ? c.serialNumber()
                : serialOf(c).orElseThrow(() -> new IllegalArgumentException(
                        "an Authenticate without SerialNumber for an enrolment Orchard does not know; register the device first"));
        Device current = inventory.findDevice(serial).orElse(null);
        Platform platform = current != null ? current.platform() : platformOf(c.productName(), c.model());
        String os = c.osVersion() != null && c.osVersion().matches("\\d+(\\.\\d+){0,3}") ? c.osVersion()
                : current == null ? null : current.osVersion();
        inventory.upsertDevices(List.of(new Device(serial, c.udid() != null ? c.udid() : current == null ? null : current.udid(),
                platform, os, c.productName() != null ? c.productName() : current == null ? c.model() : current.model(),
                current == null ? null : current.country(), current != null && current.sharedIpad(),
                c.userEnrollment() ? Device.Enrollment.USER : current == null ? Device.Enrollment.DEVICE : current.enrollment(),
                current == null ? null : current.ownerUserId(), Device.Status.ACTIVE, null)));
        enrollments.authenticated(inventory.findDevice(serial).orElseThrow().serialNumber(),
                c.udid() != null ? c.udid() : c.enrollmentId(), serverId, clock.instant());
        return inventory.findDevice(serial).orElseThrow().serialNumber();
    }

    private Optional<String> tokenUpdate(MdmReports.CheckIn c, String channelId) {
        Optional<String> serial = serialOf(c);
        serial.ifPresent(s -> {
            if (c.userChannel()) {
                if (channelId != null && !channelId.equals(c.udid())) {
                    enrollments.userChannel(s, channelId, clock.instant());
                }
                userSignedIn(s, "mdm");
            } else {
                enrolled(s, false, "mdm");
            }
        });
        return serial;
    }

    private Optional<String> serialOf(MdmReports.CheckIn c) {
        return enrollments.serialOf(c.udid() != null ? c.udid() : c.enrollmentId());
    }

    static Platform platformOf(String productName, String model) {
        String name = (productName != null ? productName : model == null ? "" : model).toLowerCase(Locale.ROOT);
        if (name.startsWith("iphone") || name.startsWith("ipod")) {
            return Platform.IOS;
        }
        if (name.startsWith("ipad")) {
            return Platform.IPADOS;
        }
        if (name.startsWith("mac") || name.startsWith("imac") || name.startsWith("vmware") || name.contains("mac")) {
            return Platform.MACOS;
        }
        if (name.startsWith("appletv")) {
            return Platform.TVOS;
        }
        if (name.startsWith("realitydevice")) {
            return Platform.VISIONOS;
        }
        throw new IllegalArgumentException("cannot tell the platform of a '" + name + "'; register the device through the API first");
    }

    // --- enrolment life cycle (shared by NanoMDM and the REST API)

    private void enrolled(String serial, boolean forceReEnrolment, String actor) {
        int count = enrollments.completed(serial, forceReEnrolment, clock.instant());
        if (count == 0) {
            return; // a routine token update
        }
        Device device = inventory.findDevice(serial).orElseThrow();
        boolean again = forceReEnrolment || count > 1;
        Instant now = clock.instant();
        if (again) {
            inventory.forgetApps(serial); // the next report is a fresh start, not the user deleting everything
        }
        installer.query(serial, MdmCommands.deviceInformation(UUID.randomUUID().toString()), "ENROLLED", null, null);
        int reinstalled = 0;
        if (again) {
            List<String> apps = installs.deviceLicensedApps(serial, false);
            reinstalled = installer.install(apps.stream().map(a -> new Installer.Request(serial, a, false)).toList(),
                    "REINSTALL", actor).devices();
        } else if (device.sharedIpad()) {
            installOnRegistration(serial, "REGISTRATION", actor);
        }
        installer.query(serial, MdmCommands.managedApplicationList(UUID.randomUUID().toString(), List.of()), "ENROLLED", null, null);
        audit.record(actor, again ? "DEVICE_RE_ENROLLED" : "DEVICE_ENROLLED", "device " + serial,
                again ? reinstalled + " device-licensed app(s) re-sent (R10)" : null, "OK");
        tasks.deliverAfterCommit();
        if (!again) {
            tasks.sweepAfterCommit(); // licenses it already holds get their installs
        }
        LOG.info("Device {} {} (enrolment {})", serial, again ? "re-enrolled" : "enrolled", now);
    }

    private void installOnRegistration(String serial, String reason, String actor) {
        List<String> apps = installs.deviceLicensedApps(serial, true);
        installer.install(apps.stream().map(a -> new Installer.Request(serial, a, false)).toList(), reason, actor);
    }

    private void userSignedIn(String serial, String actor) {
        Device device = inventory.findDevice(serial).orElseThrow();
        if (device.sharedIpad()) {
            installOnRegistration(serial, "SIGN_IN", actor);
            tasks.deliverAfterCommit();
        }
    }

    private void checkedOut(String serial, String actor) {
        enrollments.state(serial, "CHECKED_OUT", clock.instant());
        audit.record(actor, "DEVICE_CHECKED_OUT", "device " + serial, properties.retireOnCheckOut()
                ? "retired (orchard.mdm.retire-on-check-out)" : "kept active (orchard.mdm.retire-on-check-out=false)", "OK");
        if (properties.retireOnCheckOut()) {
            inventory.retire(serial);
        }
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
                enrolled(s, kind == Kind.RE_ENROLLED, actor);
            }
            case ERASED -> {
                enrollments.state(s, "ERASED", clock.instant());
                installs.allRemoved(s, "device erased", clock.instant());
                inventory.forgetApps(s);
                audit.record(actor, "DEVICE_ERASED", "device " + s, "apps are re-sent when it enrolls again (R10)", "OK");
            }
            case CHECKED_OUT -> checkedOut(s, actor);
            case USER_SIGNED_IN -> userSignedIn(s, actor);
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
     * A command report. {@code channelId} and {@code udid} are what the MDM says about the sender. Reports of commands
     * Orchard did not send are still read for what they tell (app lists, device information).
     */
    @Transactional
    public Optional<String> report(MdmReports.Report r, String channelId, String udid) {
        Optional<String> found = enrollments.serialOf(r.udid() != null ? r.udid() : udid)
                .or(() -> enrollments.serialOf(r.enrollmentId() != null ? r.enrollmentId() : channelId));
        if (found.isEmpty() || "Idle".equals(r.status())) {
            return found;
        }
        String serial = found.get();
        Instant now = clock.instant();
        String[] command = r.commandUuid() == null ? null : queue.command(r.commandUuid()).orElse(null);
        String type = command != null ? command[0] : null;
        if (command != null) {
            String state = r.acknowledged() ? "ACKNOWLEDGED" : r.failed() ? "ERROR" : "DELIVERED";
            String result = r.failed() ? r.errorText() : r.installState() != null ? r.installState()
                    + (r.rejectionReason() == null ? "" : " (" + r.rejectionReason() + ")") : r.status();
            queue.reported(r.commandUuid(), serial, state, result, now);
        }
        if ("InstallApplication".equals(type)) {
            installReported(serial, command[2], command[3], r);
        }
        var managed = r.managedApps();
        if (managed != null) {
            managedList(serial, managed, command != null ? command[3] : null);
        }
        var installed = r.installedApps();
        if (installed != null) {
            var previous = installer.reported(serial);
            appList(serial, installed.stream().map(a -> new InstalledApp(a.bundleId(), a.version(),
                    previous.containsKey(a.bundleId()) && previous.get(a.bundleId()).managed())).toList());
        }
        var info = r.deviceInformation();
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
            installOnRegistration(serial, "REGISTRATION", "mdm"); // learned only now that it is a Shared iPad (R12)
            Scheduling.afterCommit(tasks::deliverNow);
        }
    }
}
