package dev.orchard.server.mdm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Delivers due MDM commands: groups the due targets by server and by what the device will receive (the command's
 * plist but for its UUID, so the DeviceInformation of a hundred enrolments goes in two requests, not a hundred), hands
 * each group to the server's connector in requests of up to its batch size, and records every channel's outcome. Transactions never span the
 * call: targets are marked SENDING with the request's own command UUID before it, and DELIVERED or re-queued with
 * backoff after it.
 *
 * <p>Every request carries a command UUID the MDM has never seen (NanoMDM stores a UUID once, for whichever ids came
 * first). The one exception is a resend of a request whose outcome is unknown (a timeout, or a crash while SENDING):
 * it goes again with the same UUID and the same channels, so "already exists" proves the first one got through. A
 * request the MDM refuses as a whole because of some of its channels (NanoMDM on SQL storage and an id it has no
 * enrollment for) is split in halves until the bad channels stand alone; they wait with the reason, the rest go.
 * Runs inside the single {@code mdm-delivery} task, so two nodes never send the same command.
 */
@Component
class CommandDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);
    private static final int ROUND = 500;
    private static final String ZERO = "00000000-0000-0000-0000-000000000000";

    private final CommandQueue queue;
    private final MdmServerService servers;
    private final Map<MdmServer.Kind, CommandDelivery> connectors;
    private final MdmProperties properties;
    private final Clock clock;

    CommandDispatcher(CommandQueue queue, MdmServerService servers, List<CommandDelivery> connectors, MdmProperties properties,
                      Clock clock) {
        this.queue = queue;
        this.servers = servers;
        this.connectors = connectors.stream().collect(Collectors.toMap(CommandDelivery::kind, Function.identity()));
        this.properties = properties;
        this.clock = clock;
    }

    /** Delivers what is due now, round after round; returns how many targets were handled. */
    /**
     * Set when a request of this round was interrupted (the node is stopping): no new request starts. Kept here
     * because the thread's own interrupt flag does not survive the database writes that record the outcome (H2's
     * retry: file system clears it to finish its write).
     */
    private volatile boolean stopping;

    int deliverDue() {
        stopping = false;
        int handled = 0;
        List<CommandQueue.Due> due;
        do {
            due = queue.due(clock.instant(), ROUND);
            Map<String, String> bodies = new HashMap<>();
            Map<String, List<CommandQueue.Due>> groups = due.stream().collect(Collectors.groupingBy(
                    d -> d.serverId() + "/" + (d.unsure() && d.wireUuid() != null ? "resend " + d.wireUuid()
                            : bodies.computeIfAbsent(d.commandUuid(), u -> MdmCommands.withUuid(command(d), ZERO).plist())),
                    LinkedHashMap::new, Collectors.toList()));
            groups.values().forEach(this::deliver);
            handled += due.size();
        } while (due.size() == ROUND && !stopped());
        return handled;
    }

    private boolean stopped() {
        return stopping || Thread.currentThread().isInterrupted();
    }

    boolean hasDue() {
        return queue.hasDue(clock.instant());
    }

    private void deliver(List<CommandQueue.Due> group) {
        CommandQueue.Due first = group.get(0);
        var server = servers.serverFor(first.serverId());
        if (server.isEmpty()) {
            group.forEach(d -> later(d, "no MDM server is configured; add one (POST /api/v1/mdm/servers)", false));
            return;
        }
        MdmServer s = server.get();
        CommandDelivery connector = connectors.get(s.kind());
        String secret = servers.apiKey(s.id()).orElse(null);
        if (first.unsure() && first.wireUuid() != null) {
            // the same request again: every channel it named, whatever this round's page held
            List<CommandQueue.Due> request = queue.unsureRequest(first.wireUuid());
            if (!request.isEmpty()) {
                send(s, connector, secret, request, first.wireUuid(), true);
            }
            return;
        }
        // a channel may wait for the same question twice: each request names a channel once
        List<List<CommandQueue.Due>> layers = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (CommandQueue.Due d : group) {
            int layer = seen.merge(d.enrollmentId(), 1, Integer::sum) - 1;
            if (layer == layers.size()) {
                layers.add(new ArrayList<>());
            }
            layers.get(layer).add(d);
        }
        for (List<CommandQueue.Due> layer : layers) {
            for (int i = 0; i < layer.size(); i += connector.batchSize()) {
                sendFresh(s, connector, secret, layer.subList(i, Math.min(layer.size(), i + connector.batchSize())));
            }
        }
    }

    /** A new request with a new UUID; halves of it again at once if the MDM refused it because of some of its channels. */
    private void sendFresh(MdmServer s, CommandDelivery connector, String secret, List<CommandQueue.Due> batch) {
        List<CommandQueue.Due> split = send(s, connector, secret, batch, UUID.randomUUID().toString(), false);
        if (split.size() > 1) {
            int half = split.size() / 2;
            sendFresh(s, connector, secret, split.subList(0, half));
            sendFresh(s, connector, secret, split.subList(half, split.size()));
        }
    }

    /** Sends one request and records its outcome; returns the targets to send again in smaller requests. */
    private List<CommandQueue.Due> send(MdmServer s, CommandDelivery connector, String secret, List<CommandQueue.Due> batch,
                                        String wireUuid, boolean resend) {
        if (stopped()) {
            // the node is stopping: start no new request (its outcome could not be recorded); the targets stay queued
            return List.of();
        }
        List<String> ids = batch.stream().map(CommandQueue.Due::enrollmentId).toList();
        batch.stream().collect(Collectors.groupingBy(CommandQueue.Due::commandUuid, LinkedHashMap::new,
                Collectors.mapping(CommandQueue.Due::enrollmentId, Collectors.toList())))
                .forEach((uuid, channels) -> queue.sending(uuid, channels, wireUuid, s.id(), clock.instant()));
        MdmCommand command = MdmCommands.withUuid(command(batch.get(0)), wireUuid);
        Map<String, CommandDelivery.Outcome> outcomes = connector.deliver(s, secret, command, ids, resend);
        if (outcomes.values().stream().anyMatch(o -> o.result() == CommandDelivery.Result.INTERRUPTED)) {
            stopping = true;
        }
        var unreachable = outcomes.values().stream().filter(CommandDelivery.Outcome::unreachable).findFirst();
        if (unreachable.isPresent()) {
            servers.unreachable(s.id(), unreachable.get().note(), clock.instant());
        } else if (!stopping) {
            servers.reached(s.id());
        }
        List<CommandQueue.Due> again = new ArrayList<>();
        for (CommandQueue.Due d : batch) {
            CommandDelivery.Outcome o = outcomes.getOrDefault(d.enrollmentId(),
                    CommandDelivery.Outcome.refused("the MDM did not answer for this enrollment"));
            var attempted = new CommandQueue.Due(d.commandUuid(), d.requestType(), d.payload(), d.enrollmentId(),
                    d.serialNumber(), s.id(), d.attempts() + 1, d.createdAt(), wireUuid, resend);
            switch (o.result()) {
                case DELIVERED -> queue.delivered(d.commandUuid(), d.enrollmentId(), o.note(), clock.instant());
                case NOT_DELIVERED -> later(attempted, o.note(), false);
                case UNKNOWN -> later(attempted, o.note(), true);
                case INTERRUPTED -> queue.retryLater(d.commandUuid(), d.enrollmentId(), o.note(), clock.instant(), true, clock.instant());
                case SPLIT -> {
                    if (batch.size() > 1) {
                        queue.retryLater(d.commandUuid(), d.enrollmentId(), o.note(), clock.instant(), false, clock.instant());
                        again.add(attempted);
                    } else {
                        later(attempted, o.note(), false);
                    }
                }
            }
        }
        return again;
    }

    /** Pushes the channels holding {@code uuid} that have not answered; per channel, null or why the push failed. */
    Map<String, String> push(String uuid) {
        Map<String, String> result = new LinkedHashMap<>();
        var byServer = queue.awaitingDevice(uuid).stream().collect(Collectors.groupingBy(d -> String.valueOf(d.serverId()),
                LinkedHashMap::new, Collectors.toList()));
        for (List<CommandQueue.Due> group : byServer.values()) {
            var server = servers.serverFor(group.get(0).serverId());
            if (server.isEmpty()) {
                group.forEach(d -> result.put(d.enrollmentId(), "no MDM server is configured"));
                continue;
            }
            CommandDelivery connector = connectors.get(server.get().kind());
            String secret = servers.apiKey(server.get().id()).orElse(null);
            for (int i = 0; i < group.size(); i += connector.batchSize()) {
                List<String> ids = group.subList(i, Math.min(group.size(), i + connector.batchSize())).stream()
                        .map(CommandQueue.Due::enrollmentId).toList();
                connector.push(server.get(), secret, ids).forEach((id, error) -> {
                    queue.pushed(uuid, id, error, clock.instant());
                    result.put(id, error);
                });
            }
        }
        return result;
    }

    private static MdmCommand command(CommandQueue.Due d) {
        return new MdmCommand(d.commandUuid(), d.requestType(), d.payload());
    }

    /** Re-queues a target with exponential backoff, or fails it once it has waited longer than allowed. */
    private void later(CommandQueue.Due d, String why, boolean unsure) {
        Instant now = clock.instant();
        if (Duration.between(d.createdAt(), now).compareTo(properties.giveUpAfter()) > 0) {
            LOG.warn("MDM command {} to {} failed after {} attempts: {}", d.commandUuid(), d.enrollmentId(), d.attempts(), why);
            queue.failed(d.commandUuid(), d.enrollmentId(), why, now);
            return;
        }
        queue.retryLater(d.commandUuid(), d.enrollmentId(), why, now.plus(backoff(Math.max(1, d.attempts()))), unsure, now);
    }

    Duration backoff(int attempts) {
        long base = properties.firstRetry().toMillis();
        long max = properties.maxRetry().toMillis();
        long exp = base << Math.min(20, attempts - 1);
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofMillis(Math.min(max, (long) (Math.min(max, exp) * jitter)));
    }
}
