package dev.orchard.server.mdm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Notices what a device should have sent and did not — NanoMDM posts each event once and never again, so a lost
 * event is silence — and asks the device again, at a bounded rate: a device that authenticated and never finished
 * enrolling, a channel that enrolled before Orchard learned its device, a channel holding commands the MDM took with no
 * result, an app list asked for and never answered. Each is asked at most {@code orchard.mdm.max-asks} times, each
 * wait twice the one before (starting at {@code orchard.mdm.silence-after}), at most
 * {@code orchard.mdm.asks-per-sweep} per sweep, and shown as waiting for the MDM with the reason until it answers.
 * Runs inside the sweep's transaction.
 */
@Component
class SilenceWatch {

    private static final Logger LOG = LoggerFactory.getLogger(SilenceWatch.class);

    private final Enrollments enrollments;
    private final Channels channels;
    private final CommandQueue queue;
    private final MdmProperties properties;
    private final Clock clock;

    SilenceWatch(Enrollments enrollments, Channels channels, CommandQueue queue, MdmProperties properties, Clock clock) {
        this.enrollments = enrollments;
        this.channels = channels;
        this.queue = queue;
        this.properties = properties;
        this.clock = clock;
    }

    /** Asks the silent devices again; returns how many were asked. */
    int run() {
        Instant now = clock.instant();
        Instant before = now.minus(properties.silenceAfter());
        int budget = properties.asksPerSweep();
        int asked = 0;
        for (var e : enrollments.authenticatedBefore(before, properties.maxAsks(), budget)) {
            if (asked < budget && ask(e.enrollmentId(), e.serialNumber(), e.serverId(), true,
                    "authenticated but its enrolment never completed: no TokenUpdate reached Orchard")) {
                asked++;
            }
        }
        for (var c : channels.unidentified(properties.maxAsks(), budget)) {
            if (asked < budget && ask(c.channel().id(), null, c.serverId(), true, null)) {
                asked++;
            }
        }
        for (String id : queue.unanswered(now, properties.silenceAfter(), properties.maxAsks(), budget)) {
            var channel = channels.find(id).map(Channels.Stored::channel).orElse(null);
            String deviceChannel = channel == null ? id : channel.deviceChannelId();
            var stored = channels.find(deviceChannel).orElse(null);
            boolean heardSince = stored != null && stored.facts().reportedAt() != null && stored.facts().reportedAt().isAfter(before);
            if (stored != null && !heardSince && asked < budget && ask(deviceChannel, stored.serialNumber(), stored.serverId(), false,
                    "the MDM took commands for it, but no result has come back")) {
                asked++;
            }
        }
        for (var e : enrollments.appListUnanswered(before, properties.maxAsks(), budget)) {
            if (asked < budget && ask(e.enrollmentId(), e.serialNumber(), e.serverId(), false,
                    "its app list was asked for at " + e.appsRequestedAt() + " and has not come")) {
                asked++;
            }
        }
        if (asked > 0) {
            LOG.info("Asked {} silent device channel(s) again", asked);
        }
        return asked;
    }

    /** Queues the question for the channel if its wait is over and it has asks left; true when it was asked. */
    private boolean ask(String channelId, String serial, Long serverId, boolean identify, String reason) {
        Instant now = clock.instant();
        // a device reported through the REST API has no channel row yet: its asks are counted all the same
        var stored = channels.find(channelId).orElseGet(() -> channels.lock(new Channel(channelId, Channel.Type.DEVICE, null),
                serverId, now));
        if (!stored.identified() && serial != null) {
            channels.identify(channelId, serial, null, now);
        }
        int asks = stored.asks();
        Instant last = stored.askedAt();
        if (asks >= properties.maxAsks() || last != null && now.isBefore(last.plus(wait(asks)))) {
            return false;
        }
        MdmCommand command = identify ? MdmCommands.deviceInformation(UUID.randomUUID().toString())
                : MdmCommands.managedApplicationList(UUID.randomUUID().toString(), List.of());
        queue.add(command, "SILENCE", null, null, "orchard", List.of(new CommandQueue.Target(serial, channelId, serverId)), now);
        channels.asked(channelId, now, false);
        if (serial != null && reason != null) {
            enrollments.waiting(serial, "waiting for the MDM: " + reason + "; asked again (" + (asks + 1) + " of "
                    + properties.maxAsks() + ")", now);
        }
        return true;
    }

    private Duration wait(int asks) {
        return properties.silenceAfter().multipliedBy(1L << Math.min(20, asks));
    }
}
