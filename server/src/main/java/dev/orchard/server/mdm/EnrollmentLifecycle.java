package dev.orchard.server.mdm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Platform;

/**
 * The enrolment life cycle of devices, from their MDM's check-ins in any order: each event adds its fact to the
 * channel's {@link EnrolmentFacts}, and the device's state and effects follow from the facts — an enrolment (device
 * information, app list; a re-enrolment re-installs the device-licensed apps, R10; a Shared iPad gets its
 * install-on-registration apps, R12), a sign-in on a user channel, a check-out (retire per policy, R4b). A token
 * update for a channel Orchard cannot name yet enrols it from its own payload: Orchard asks it for its
 * DeviceInformation and completes the enrolment from the answer. A User Enrollment device, which shows no serial
 * number or UDID, is kept under its EnrollmentID and owned by the managed Apple account of its user channel.
 * Runs inside the caller's transaction.
 */
@Component
class EnrollmentLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(EnrollmentLifecycle.class);

    private final Inventory inventory;
    private final Channels channels;
    private final Enrollments enrollments;
    private final AppInstalls installs;
    private final CommandQueue queue;
    private final Installer installer;
    private final MdmTasks tasks;
    private final MdmProperties properties;
    private final AuditTrail audit;
    private final Clock clock;

    EnrollmentLifecycle(Inventory inventory, Channels channels, Enrollments enrollments, AppInstalls installs, CommandQueue queue,
                        Installer installer, MdmTasks tasks, MdmProperties properties, AuditTrail audit, Clock clock) {
        this.inventory = inventory;
        this.channels = channels;
        this.enrollments = enrollments;
        this.installs = installs;
        this.queue = queue;
        this.installer = installer;
        this.tasks = tasks;
        this.properties = properties;
        this.audit = audit;
        this.clock = clock;
    }

    /** A check-in created by the MDM at {@code at}; returns the device's serial number once Orchard knows it. */
    Optional<String> checkIn(Long serverId, MdmReports.CheckIn c, Channel channel, Instant at, int tally) {
        if (channel.type().userChannel()) {
            return userCheckIn(serverId, c, channel, at);
        }
        Channels.Stored stored = channels.lock(channel, serverId, clock.instant());
        EnrolmentFacts facts = stored.facts();
        String serial = stored.serialNumber();
        Instant firstTokenUpdate = null;
        switch (c.messageType()) {
            case "Authenticate" -> {
                facts = facts.authenticated(at);
                serial = deviceOf(channel, c, stored, facts.state());
            }
            case "TokenUpdate" -> {
                firstTokenUpdate = tally == 1 ? at : null;
                facts = facts.tokenUpdated(at, tally);
            }
            case "CheckOut" -> facts = facts.checkedOut(at);
            default -> {
                // DeclarativeManagement, bootstrap tokens, GetToken: nothing about the enrolment
            }
        }
        return Optional.ofNullable(settle(stored, serial, facts, firstTokenUpdate));
    }

    /** A command report (Idle included) from the channel, created at {@code at}: proof that it is enrolled. */
    Channels.Stored reported(Long serverId, Channel channel, Instant at) {
        if (channel.type().userChannel()) {
            Channels.Stored stored = channels.lock(channel, serverId, clock.instant());
            channels.save(channel.id(), stored.facts().reported(at), clock.instant());
            return stored;
        }
        Channels.Stored stored = channels.lock(channel, serverId, clock.instant());
        settle(stored, stored.serialNumber(), stored.facts().reported(at), null);
        return channels.find(channel.id()).orElse(stored);
    }

    /** The serial number of the device a channel belongs to (a user channel: its device channel's). */
    Optional<String> serialOf(Channel channel) {
        return channels.find(channel.deviceChannelId()).map(Channels.Stored::serialNumber)
                .or(() -> enrollments.serialOf(channel.deviceChannelId()));
    }

    /** An unnamed channel answered DeviceInformation: create or find its device and complete what its facts prove. */
    Optional<String> identify(Channel channel, Map<String, String> info) {
        Channels.Stored stored = channels.lock(channel, null, clock.instant());
        if (stored.identified()) {
            return Optional.of(stored.serialNumber());
        }
        String serial = channel.type().userEnrollment() ? userEnrollmentKey(channel.id())
                : dev.orchard.server.inventory.Identifiers.normalSerial(info.get("SerialNumber"));
        if (serial == null) {
            return Optional.empty();
        }
        var c = new MdmReports.CheckIn("DeviceInformation", info.get("UDID"), channel.type().userEnrollment() ? channel.id() : null,
                serial, info.get("Model"), info.get("ProductName"), info.get("OSVersion"), null, null, null);
        String s = upsertDevice(serial, c, true);
        channels.identify(channel.id(), s, c.udid(), clock.instant());
        LOG.info("Channel {} identified as device {} from its DeviceInformation", channel, s);
        return Optional.ofNullable(settle(channels.lock(channel, null, clock.instant()), s, stored.facts(), null));
    }

    /** Applies the facts: saves them, and moves the device's enrolment to the state they prove, with its effects. */
    private String settle(Channels.Stored stored, String serial, EnrolmentFacts facts, Instant firstTokenUpdate) {
        Channel channel = stored.channel();
        Instant now = clock.instant();
        if (serial == null) {
            channels.save(channel.id(), facts, now);
            if (facts.state() == EnrolmentFacts.State.ENROLLED && stored.askedAt() == null) {
                askToIdentify(channel, stored.serverId());
            }
            return null;
        }
        boolean fresh = facts.newEnrolment(firstTokenUpdate);
        if (fresh) {
            facts = facts.counted(facts.proof());
        }
        channels.save(channel.id(), facts, now);
        var current = enrollments.find(serial);
        String state = current.map(Enrollments.Enrollment::state).orElse(null);
        switch (facts.state()) {
            case ENROLLED -> {
                if (current.isEmpty() || !channel.id().equals(current.get().enrollmentId())) {
                    enrollments.authenticated(serial, channel.id(), stored.serverId(), now); // this channel is the device's now
                    state = "AUTHENTICATED";
                }
                enrollments.answered(serial);
                channels.asked(channel.id(), null, true);
                if (fresh) {
                    enrolled(serial, true, false, "mdm");
                } else if (!"ENROLLED".equals(state)) {
                    enrollments.state(serial, "ENROLLED", now);
                }
                linkUserChannels(channel.id(), serial);
            }
            case AUTHENTICATED -> {
                if (!"AUTHENTICATED".equals(state) || current.map(e -> !channel.id().equals(e.enrollmentId())).orElse(true)) {
                    enrollments.authenticated(serial, channel.id(), stored.serverId(), now);
                }
            }
            case CHECKED_OUT -> {
                if (!"CHECKED_OUT".equals(state)) {
                    if (current.isEmpty()) {
                        enrollments.authenticated(serial, channel.id(), stored.serverId(), now);
                    }
                    checkedOut(serial, "mdm");
                }
            }
            case UNKNOWN -> {
                // nothing known yet but the channel's existence
            }
        }
        return serial;
    }

    private Optional<String> userCheckIn(Long serverId, MdmReports.CheckIn c, Channel channel, Instant at) {
        Channels.Stored stored = channels.lock(channel, serverId, clock.instant());
        channels.user(channel.id(), c.userId() != null ? c.userId() : c.enrollmentUserId(), c.userShortName());
        boolean newer = "TokenUpdate".equals(c.messageType())
                && (stored.facts().tokenUpdatedAt() == null || at.isAfter(stored.facts().tokenUpdatedAt()));
        if ("TokenUpdate".equals(c.messageType())) {
            channels.save(channel.id(), stored.facts().tokenUpdated(at, 0), clock.instant());
        }
        Optional<String> serial = channels.find(channel.parentId()).map(Channels.Stored::serialNumber)
                .or(() -> enrollments.serialOf(channel.parentId()));
        serial.ifPresent(s -> {
            linkUserChannels(channel.parentId(), s);
            if (newer) {
                userSignedIn(s, "mdm");
            }
        });
        return serial;
    }

    /** The newest user channel of a device is where user-licensed Mac apps go; a User Enrollment's user owns the device. */
    private void linkUserChannels(String deviceChannelId, String serial) {
        List<Channels.Stored> users = channels.children(deviceChannelId);
        if (users.isEmpty()) {
            return;
        }
        Channels.Stored newest = users.get(0);
        var enrollment = enrollments.find(serial);
        if (enrollment.isPresent() && !newest.channel().id().equals(enrollment.get().userChannelId())) {
            enrollments.userChannel(serial, newest.channel().id(), clock.instant());
        }
        if (newest.channel().type() == Channel.Type.USER_ENROLLMENT) {
            String account = newest.userShortName() != null ? newest.userShortName() : newest.userId();
            Device d = inventory.findDevice(serial).orElse(null);
            String owner = inventory.userIdOf(account).orElse(null);
            if (d != null && owner != null && !owner.equals(d.ownerUserId())) {
                inventory.upsertDevices(List.of(new Device(d.serialNumber(), d.udid(), d.platform(), d.osVersion(), d.model(),
                        d.country(), false, Device.Enrollment.USER, owner, d.status(), null)));
                audit.record("mdm", "DEVICE_OWNER_SET", "device " + serial, "User Enrollment of " + owner, "OK");
            }
        }
    }

    /** The device an Authenticate names (created or refreshed); null when it names none Orchard can key. */
    private String deviceOf(Channel channel, MdmReports.CheckIn c, Channels.Stored stored, EnrolmentFacts.State state) {
        String serial = channel.type().userEnrollment() ? userEnrollmentKey(channel.id())
                : c.serialNumber() != null ? c.serialNumber() : stored.serialNumber();
        if (serial == null) {
            return null;
        }
        String s = upsertDevice(serial, c, state != EnrolmentFacts.State.CHECKED_OUT);
        channels.identify(channel.id(), s, c.udid(), clock.instant());
        queue.identified(channel.id(), s);
        return s;
    }

    private String upsertDevice(String serial, MdmReports.CheckIn c, boolean activate) {
        Device current = inventory.findDevice(serial).orElse(null);
        Platform platform = current != null ? current.platform() : platformOf(c.productName(), c.model());
        String os = c.osVersion() != null && c.osVersion().matches("\\d+(\\.\\d+){0,3}") ? c.osVersion()
                : current == null ? null : current.osVersion();
        boolean userEnrollment = c.udid() == null && c.enrollmentId() != null;
        Device.Status status = activate || current == null ? Device.Status.ACTIVE : current.status();
        inventory.upsertDevices(List.of(new Device(serial, c.udid() != null ? c.udid() : current == null ? null : current.udid(),
                platform, os, c.productName() != null ? c.productName() : current == null ? c.model() : current.model(),
                current == null ? null : current.country(), current != null && current.sharedIpad(),
                userEnrollment ? Device.Enrollment.USER : current == null ? Device.Enrollment.DEVICE : current.enrollment(),
                current == null ? null : current.ownerUserId(), status, null)));
        return inventory.findDevice(serial).orElseThrow().serialNumber();
    }

    /**
     * A User Enrollment device's key in Orchard: its EnrollmentID when that fits a serial number's form (Apple's do),
     * else a stable digest of it. Apple's privacy rules give such devices no serial number or UDID.
     */
    static String userEnrollmentKey(String enrollmentId) {
        if (enrollmentId.matches("[A-Za-z0-9-]{4,64}")) {
            return enrollmentId.toUpperCase(Locale.ROOT); // serial numbers are kept upper-case
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(enrollmentId.getBytes(StandardCharsets.UTF_8));
            return "UE-" + HexFormat.of().formatHex(digest, 0, 20).toUpperCase(Locale.ROOT);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void askToIdentify(Channel channel, Long serverId) {
        queue.add(MdmCommands.deviceInformation(UUID.randomUUID().toString()), "IDENTIFY", null, null, "orchard",
                List.of(new CommandQueue.Target(null, channel.id(), serverId)), clock.instant());
        channels.asked(channel.id(), clock.instant(), false);
        tasks.deliverAfterCommit();
        LOG.info("Channel {} enrolled before Orchard knew its device: asked for its DeviceInformation", channel);
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

    // --- effects, shared by NanoMDM and the REST API

    /**
     * An enrolment completed. {@code force}: count it even if the device was enrolled (the facts proved a new one, or
     * the MDM said so); a second or later one is a re-enrolment, and so is one the MDM reported as such
     * ({@code reEnrolment}, the REST API's {@code RE_ENROLLED}).
     */
    void enrolled(String serial, boolean force, boolean reEnrolment, String actor) {
        int count = enrollments.completed(serial, force, clock.instant());
        if (count == 0) {
            return; // a routine token update
        }
        Device device = inventory.findDevice(serial).orElseThrow();
        boolean again = reEnrolment || count > 1;
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
        LOG.info("Device {} {}", serial, again ? "re-enrolled" : "enrolled");
    }

    void installOnRegistration(String serial, String reason, String actor) {
        List<String> apps = installs.deviceLicensedApps(serial, true);
        installer.install(apps.stream().map(a -> new Installer.Request(serial, a, false)).toList(), reason, actor);
    }

    void userSignedIn(String serial, String actor) {
        Device device = inventory.findDevice(serial).orElseThrow();
        if (device.sharedIpad()) {
            installOnRegistration(serial, "SIGN_IN", actor);
            tasks.deliverAfterCommit();
        }
    }

    void checkedOut(String serial, String actor) {
        enrollments.state(serial, "CHECKED_OUT", clock.instant());
        audit.record(actor, "DEVICE_CHECKED_OUT", "device " + serial, properties.retireOnCheckOut()
                ? "retired (orchard.mdm.retire-on-check-out)" : "kept active (orchard.mdm.retire-on-check-out=false)", "OK");
        if (properties.retireOnCheckOut()) {
            inventory.retire(serial);
        }
    }
}
