package dev.orchard.server.mdm;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.inventory.AppSettings;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Label;
import dev.orchard.server.system.NotFoundException;

/**
 * The MDM actions administrators take and what they see: "Send installation request" (a device, an app across its
 * devices, or every device of an App label; R12), "Send update" for outdated device-licensed apps (R9), the command
 * queue with retry and cancel, and a device's MDM picture. Installs need a license Apple confirmed (R13).
 */
@Service
public class MdmService {

    /** The outcome of an install or update request. */
    public record Requested(int commands, int devices, List<Skipped> skipped, List<String> commandUuids) {
        static Requested of(Installer.Result r) {
            return new Requested(r.commandUuids().size(), r.devices(), r.skipped(), r.commandUuids());
        }
    }

    /** A device and app an install or update request left out, and why. */
    public record Skipped(String serialNumber, String adamId, String reason) {
    }

    /** A device-licensed app whose installed version is older than the catalog's. */
    public record OutdatedApp(String serialNumber, String adamId, String bundleId, String installedVersion,
                              String currentVersion) {
        /** Where the next page of outdated installs begins: this device and app. */
        public String cursor() {
            return serialNumber + "/" + adamId;
        }
    }

    /** A device as the MDM integration sees it. */
    public record DeviceMdm(String serialNumber, EnrollmentView enrollment, List<AppInstalls.Install> installs,
                            List<MdmCommandView> recentCommands) {
    }

    /** A device's enrolment as the API and the device page show it; {@code waitingForMdm} with since when and why. */
    public record EnrollmentView(String serialNumber, String enrollmentId, String userChannelId, Long serverId, String state,
                                 int enrollments, Instant enrolledAt, Instant appsRequestedAt, boolean waitingForMdm,
                                 Instant waitingSince, String waitingReason) {
        static EnrollmentView of(Enrollments.Enrollment e) {
            return new EnrollmentView(e.serialNumber(), e.enrollmentId(), e.userChannelId(), e.serverId(), e.state(),
                    e.enrollments(), e.enrolledAt(), e.appsRequestedAt(), e.waitingSince() != null, e.waitingSince(),
                    e.waitingReason());
        }

        /** The keyset cursor of the waiting list (longest first): when it began waiting, then the serial. */
        public String cursor() {
            return waitingSince + "," + serialNumber;
        }
    }

    private final Installer installer;
    private final AppInstalls installs;
    private final Enrollments enrollments;
    private final CommandQueue queue;
    private final Inventory inventory;
    private final MdmTasks tasks;
    private final CommandDispatcher dispatcher;
    private final AuditTrail audit;
    private final Clock clock;

    MdmService(Installer installer, AppInstalls installs, Enrollments enrollments, CommandQueue queue, Inventory inventory,
               MdmTasks tasks, CommandDispatcher dispatcher, AuditTrail audit, Clock clock) {
        this.installer = installer;
        this.installs = installs;
        this.enrollments = enrollments;
        this.queue = queue;
        this.inventory = inventory;
        this.tasks = tasks;
        this.dispatcher = dispatcher;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Sends installation requests: for one device (all its licensed apps, or {@code adamId}), for one app across
     * every device licensed for it, or for the apps of an App label on the devices licensed for them.
     */
    @Transactional
    public Requested sendInstall(String serial, String adamId, Long labelId, String actor) {
        var requests = new ArrayList<Installer.Request>();
        var skipped = new ArrayList<Skipped>();
        if (serial != null) {
            String s = inventory.device(serial).device().serialNumber();
            List<String> apps = adamId != null ? List.of(adamId) : installs.licensedApps(s);
            for (String app : apps) {
                var license = installs.licensed(s, app);
                if (license.isPresent()) {
                    requests.add(new Installer.Request(s, app, license.get()));
                } else {
                    skipped.add(new Skipped(s, app, "no license Apple confirmed for this device or its user"));
                }
            }
        } else {
            List<String> apps;
            if (labelId != null) {
                Label label = inventory.label(labelId);
                if (label.kind() != Label.Kind.APP) {
                    throw new IllegalArgumentException("label " + labelId + " is an Apple License Label; name an App label");
                }
                apps = label.adamIds();
            } else if (adamId != null) {
                apps = List.of(adamId);
            } else {
                throw new IllegalArgumentException("name a device (serialNumber), an app (adamId) or an App label (labelId)");
            }
            for (String app : apps) {
                String after = "";
                List<String> page;
                do {
                    page = installs.holders(app, after, 1000);
                    page.forEach(s -> requests.add(new Installer.Request(s, app, false)));
                    after = page.isEmpty() ? after : page.get(page.size() - 1);
                } while (page.size() == 1000);
            }
        }
        Installer.Result result = installer.install(requests, "ADMIN", AuditTrail.actor(actor));
        skipped.addAll(result.skipped());
        tasks.deliverAfterCommit();
        return new Requested(result.commandUuids().size(), result.devices(), skipped, result.commandUuids());
    }

    /** Outdated installs (R9), optionally for one device and/or app. */
    public List<OutdatedApp> outdated(String serial, String adamId, int limit) {
        return outdated(serial, adamId, null, limit);
    }

    /** Outdated installs after {@code cursor} ({@link OutdatedApp#cursor} of the previous page; null: from the start). */
    public List<OutdatedApp> outdated(String serial, String adamId, String cursor, int limit) {
        var out = new ArrayList<OutdatedApp>();
        String after = cursor == null ? "" : cursor;
        List<AppInstalls.Outdated> page;
        do {
            page = installs.versionMismatches(serial, adamId, after, 1000);
            for (var o : page) {
                if (Versions.older(o.installed(), o.current()) && out.size() < limit) {
                    out.add(new OutdatedApp(o.serialNumber(), o.adamId(), o.bundleId(), o.installed(), o.current()));
                }
            }
            after = page.isEmpty() ? after : page.get(page.size() - 1).serialNumber() + "/" + page.get(page.size() - 1).adamId();
        } while (page.size() == 1000 && out.size() < limit);
        return out;
    }

    /** "Send update": an install request for each outdated device-licensed app (per device, per app, or all). */
    @Transactional
    public Requested sendUpdate(String serial, String adamId, String actor) {
        var requests = outdated(serial, adamId, Integer.MAX_VALUE).stream()
                .map(o -> new Installer.Request(o.serialNumber(), o.adamId(), false)).toList();
        Installer.Result result = installer.install(requests, "UPDATE", AuditTrail.actor(actor));
        tasks.deliverAfterCommit();
        return Requested.of(result);
    }

    /** Auto-update (R9) in the maintenance window: outdated apps set to auto-update, each version requested once. */
    @Transactional
    int autoUpdate() {
        Map<String, AppSettings> settings = inventory.settings();
        var requests = outdated(null, null, Integer.MAX_VALUE).stream()
                .filter(o -> settings.containsKey(o.adamId()) && settings.get(o.adamId()).autoUpdate())
                .filter(o -> installs.find(o.serialNumber(), o.adamId())
                        .map(i -> !("REQUESTED".equals(i[0]) && o.currentVersion().equals(i[1]))).orElse(true))
                .map(o -> new Installer.Request(o.serialNumber(), o.adamId(), false)).toList();
        return requests.isEmpty() ? 0 : installer.install(requests, "AUTO_UPDATE", "orchard").devices();
    }

    public List<MdmCommandView> commands(String serial, String state, String requestType, String before, int limit) {
        return queue.page(serial == null ? null : serial.strip(),
                state == null ? null : state.strip().toUpperCase(java.util.Locale.ROOT), requestType, before, limit);
    }

    public MdmCommandView command(String uuid) {
        return queue.find(uuid).orElseThrow(() -> new NotFoundException("no MDM command " + uuid));
    }

    /** Sends a command again to the devices where it failed, errored or was cancelled. */
    @Transactional
    public MdmCommandView retry(String uuid) {
        command(uuid);
        int n = queue.retry(uuid, clock.instant());
        audit.record("api", "MDM_COMMAND_RETRIED", "mdm command " + uuid, n + " device(s)", "OK");
        tasks.deliverAfterCommit();
        return command(uuid);
    }

    /** Cancels the deliveries that have not reached the MDM yet. */
    @Transactional
    public MdmCommandView cancel(String uuid) {
        command(uuid);
        int n = queue.cancel(uuid, clock.instant());
        audit.record("api", "MDM_COMMAND_CANCELLED", "mdm command " + uuid, n + " device(s)", "OK");
        return command(uuid);
    }

    /**
     * Asks the MDM to push the channels that hold this command and have not answered it (NanoMDM's push endpoint):
     * useful when the enqueue's push failed (no push certificate at the time) and the device has not checked in.
     */
    public Pushed push(String uuid) {
        command(uuid);
        Map<String, String> outcome = dispatcher.push(uuid);
        long failed = outcome.values().stream().filter(java.util.Objects::nonNull).count();
        audit.record("api", "MDM_COMMAND_PUSHED", "mdm command " + uuid, outcome.size() + " device(s), " + failed + " push(es) failed",
                failed == 0 ? "OK" : "FAILED");
        return new Pushed(outcome.entrySet().stream().map(e -> new Push(e.getKey(), e.getValue() == null, e.getValue())).toList());
    }

    /** The pushes of a command's devices that had not answered it. */
    public record Pushed(List<Push> pushes) {
    }

    /** One channel's push: {@code pushed}, or the {@code error} the MDM answered. */
    public record Push(String enrollmentId, boolean pushed, String error) {
    }

    /** How many devices wait for the MDM. */
    public long waitingCount() {
        return enrollments.waitingCount();
    }

    /** Devices Orchard has not heard from as it should have, with the reason, longest first. */
    /**
     * Devices waiting for the MDM, longest first, after the cursor ({@link EnrollmentView#cursor}) of the previous
     * page, or from the start when {@code after} is null.
     */
    public List<EnrollmentView> waiting(String after, int limit) {
        Instant since = null;
        String serial = null;
        if (after != null && !after.isBlank()) {
            int comma = after.lastIndexOf(',');
            try {
                since = Instant.parse(after.substring(0, Math.max(comma, 0)));
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("after must be the 'next' of the previous page, not '" + after + "'");
            }
            serial = after.substring(comma + 1);
        }
        return enrollments.waitingList(since, serial, limit).stream().map(EnrollmentView::of).toList();
    }

    /** Asks an enrolled device for its managed apps now. */
    @Transactional
    public String requestAppList(String serial) {
        String s = inventory.device(serial).device().serialNumber();
        String uuid = installer.query(s, MdmCommands.managedApplicationList(java.util.UUID.randomUUID().toString(), List.of()),
                "ADMIN", null, null);
        tasks.deliverAfterCommit();
        return uuid;
    }

    public DeviceMdm device(String serial) {
        String s = inventory.device(serial).device().serialNumber();
        EnrollmentView enrollment = enrollments.find(s).map(EnrollmentView::of).orElse(null);
        return new DeviceMdm(s, enrollment, installs.ofDevice(s), queue.page(s, null, null, null, 20));
    }
}
