package dev.orchard.server.mdm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Delivers due MDM commands: groups the due targets by command and server, hands each group to the server's
 * connector in batches, and records every device's outcome. Transactions never span the call: a target is marked
 * SENDING before it (so a crash resends it, which the connectors treat as idempotent per command UUID), and
 * DELIVERED or re-queued with backoff after it. Runs inside the single {@code mdm-delivery} task, so two nodes never
 * send the same command; an MDM that is down only delays its own commands.
 */
@Component
class CommandDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);
    private static final int ROUND = 500;

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
    int deliverDue() {
        int handled = 0;
        List<CommandQueue.Due> due;
        do {
            due = queue.due(clock.instant(), ROUND);
            Map<String, List<CommandQueue.Due>> groups = due.stream().collect(Collectors.groupingBy(
                    d -> d.commandUuid() + "/" + d.serverId(), LinkedHashMap::new, Collectors.toList()));
            groups.values().forEach(this::deliver);
            handled += due.size();
        } while (due.size() == ROUND);
        return handled;
    }

    boolean hasDue() {
        return queue.hasDue(clock.instant());
    }

    private void deliver(List<CommandQueue.Due> group) {
        CommandQueue.Due first = group.get(0);
        var server = servers.serverFor(first.serverId());
        if (server.isEmpty()) {
            group.forEach(d -> later(d, "no MDM server is configured; add one (POST /api/v1/mdm/servers)"));
            return;
        }
        MdmServer s = server.get();
        CommandDelivery connector = connectors.get(s.kind());
        String secret = servers.apiKey(s.id()).orElse(null);
        MdmCommand command = new MdmCommand(first.commandUuid(), first.requestType(), first.payload());
        for (int i = 0; i < group.size(); i += connector.batchSize()) {
            List<CommandQueue.Due> batch = group.subList(i, Math.min(group.size(), i + connector.batchSize()));
            batch.forEach(d -> queue.sending(d.commandUuid(), d.serialNumber(), s.id(), clock.instant()));
            Map<String, CommandDelivery.Outcome> outcomes = connector.deliver(s, secret, command,
                    batch.stream().map(CommandQueue.Due::enrollmentId).distinct().toList());
            for (CommandQueue.Due d : batch) {
                CommandDelivery.Outcome o = outcomes.getOrDefault(d.enrollmentId(),
                        CommandDelivery.Outcome.refused("the MDM did not answer for this enrollment"));
                if (o.delivered()) {
                    queue.delivered(d.commandUuid(), d.serialNumber(), o.note(), clock.instant());
                } else {
                    later(new CommandQueue.Due(d.commandUuid(), d.requestType(), d.payload(), d.serialNumber(),
                            d.enrollmentId(), s.id(), d.attempts() + 1, d.createdAt()), o.note());
                }
            }
        }
    }

    /** Re-queues a target with exponential backoff, or fails it once it has waited longer than allowed. */
    private void later(CommandQueue.Due d, String why) {
        Instant now = clock.instant();
        if (Duration.between(d.createdAt(), now).compareTo(properties.giveUpAfter()) > 0) {
            LOG.warn("MDM command {} to {} failed after {} attempts: {}", d.commandUuid(), d.serialNumber(), d.attempts(), why);
            queue.failed(d.commandUuid(), d.serialNumber(), why, now);
            return;
        }
        queue.retryLater(d.commandUuid(), d.serialNumber(), why, now.plus(backoff(Math.max(1, d.attempts()))), now);
    }

    Duration backoff(int attempts) {
        long base = properties.firstRetry().toMillis();
        long max = properties.maxRetry().toMillis();
        long exp = base << Math.min(20, attempts - 1);
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofMillis(Math.min(max, (long) (Math.min(max, exp) * jitter)));
    }
}
