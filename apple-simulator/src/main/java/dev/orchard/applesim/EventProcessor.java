package dev.orchard.applesim;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs asynchronous events: the tasks of an event are applied in up to four steps spread over the configured
 * event delay, so {@code numCompleted} grows while the event is PENDING; each step sends its notifications
 * (successes and failures, at most 100 items each); the event ends COMPLETE, or FAILED if any task failed.
 */
final class EventProcessor {

    private static final int MAX_STEPS = 4;
    private static final int NOTIFICATION_ITEMS = 100;

    private final Settings settings;
    private final ScheduledExecutorService executor;
    private final Notifier notifier;
    private final Clock clock;

    EventProcessor(Settings settings, ScheduledExecutorService executor, Notifier notifier, Clock clock) {
        this.settings = settings;
        this.executor = executor;
        this.notifier = notifier;
        this.clock = clock;
    }

    private final List<Runnable> held = new ArrayList<>();

    SimEvent submit(Location loc, String type, List<SimEvent.Task> tasks, Integer forcedError) {
        var event = new SimEvent(UUID.randomUUID().toString(), type, loc, tasks, clock.instant(), forcedError);
        loc.events.put(event.eventId, event);
        synchronized (held) {
            if (settings.holdEvents) {
                held.add(() -> schedule(event));
                return event;
            }
        }
        schedule(event);
        return event;
    }

    /** Lets the events held while {@code holdEvents} was on run now, in the order they were submitted. */
    void release() {
        List<Runnable> runs;
        synchronized (held) {
            settings.holdEvents = false;
            runs = new ArrayList<>(held);
            held.clear();
        }
        runs.forEach(Runnable::run);
    }

    private void schedule(SimEvent event) {
        var tasks = event.tasks;
        long delay = settings.eventDelayMs;
        int steps = delay <= 0 ? 1 : Math.max(1, Math.min(MAX_STEPS, tasks.size()));
        long interval = delay <= 0 ? 0 : delay / steps;
        for (int i = 1; i <= steps; i++) {
            int stepsLeft = steps - i + 1;
            executor.schedule(() -> step(event, stepsLeft), interval * i, TimeUnit.MILLISECONDS);
        }
    }

    private void step(SimEvent event, int stepsLeft) {
        var succeeded = new ArrayList<SimEvent.Task>();
        var failed = new LinkedHashMap<Integer, List<SimEvent.Task>>();
        synchronized (event) {
            int remaining = event.tasks.size() - event.processed;
            int n = (remaining + stepsLeft - 1) / stepsLeft;
            for (int i = 0; i < n; i++) {
                SimEvent.Task task = event.tasks.get(event.processed++);
                Integer error = event.forcedErrorNumber != null ? event.forcedErrorNumber : apply(event, task);
                if (error == null) {
                    event.numCompleted++;
                    succeeded.add(task);
                } else {
                    event.fail(error, task);
                    failed.computeIfAbsent(error, k -> new ArrayList<>()).add(task);
                }
            }
            if (event.processed == event.tasks.size()) {
                event.status = event.failures.isEmpty() ? "COMPLETE" : "FAILED";
            }
        }
        notifyProgress(event, succeeded, failed);
    }

    /** Applies one task; returns the error number when it failed. */
    private Integer apply(SimEvent event, SimEvent.Task t) {
        Location loc = event.location;
        switch (event.type) {
            case "ASSOCIATE" -> {
                if (t.clientUserId() != null && loc.activeUser(t.clientUserId()) == null) {
                    return 9609;
                }
                return switch (loc.assign(t.asset(), t.serialNumber(), t.clientUserId())) {
                    case DONE -> null;
                    case NO_OP -> settings.repeatAssociateFails ? 9616 : null;
                    case NOT_ENOUGH_LICENSES -> 9709;
                };
            }
            case "DISASSOCIATE", "REVOKE" -> {
                var change = loc.unassign(t.asset(), t.serialNumber(), t.clientUserId());
                return change == Location.Change.NO_OP && settings.disassociateMissingFails
                        && "DISASSOCIATE".equals(event.type) ? 9619 : null;
            }
            case "CREATE" -> {
                return createUser(loc, t.user());
            }
            case "UPDATE" -> {
                return updateUser(loc, t.user());
            }
            case "RETIRE" -> {
                return retireUser(loc, t.user().clientUserId());
            }
            default -> {
                return 9603;
            }
        }
    }

    private Integer createUser(Location loc, Seed.SeedUser request) {
        synchronized (loc) {
            if (loc.activeUser(request.clientUserId()) != null) {
                return 9716;
            }
            SimUser user = new SimUser(request.clientUserId());
            user.email = request.email();
            link(user, request.managedAppleId());
            loc.touch(user);
            return null;
        }
    }

    private Integer updateUser(Location loc, Seed.SeedUser request) {
        synchronized (loc) {
            SimUser user = loc.activeUser(request.clientUserId());
            if (user == null) {
                return 9609;
            }
            if (request.email() != null) {
                user.email = request.email();
            }
            if (request.managedAppleId() != null && !"Associated".equals(user.status)) {
                link(user, request.managedAppleId());
            }
            loc.touch(user);
            return null;
        }
    }

    private Integer retireUser(Location loc, String clientUserId) {
        synchronized (loc) {
            SimUser user = loc.activeUser(clientUserId);
            if (user == null) {
                return 9609;
            }
            user.status = "Retired";
            loc.touch(user);
            if (settings.retireReleasesLicenses) {
                loc.revocableHeldBy(null, clientUserId).forEach(a -> loc.unassign(a, null, clientUserId));
            }
            return null;
        }
    }

    /** Creates or links a user: with a managed Apple ID it is Associated at once, otherwise invited. */
    static void link(SimUser user, String managedAppleId) {
        if (managedAppleId != null && !managedAppleId.isBlank()) {
            user.managedAppleId = managedAppleId;
            user.status = "Associated";
            user.idHash = hash(managedAppleId);
            user.inviteCode = null;
        } else {
            user.status = "Registered";
            byte[] code = new byte[16];
            ThreadLocalRandom.current().nextBytes(code);
            user.inviteCode = HexFormat.of().formatHex(code);
        }
    }

    static String hash(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.Base64.getEncoder().encodeToString(digest).substring(0, 28);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void notifyProgress(SimEvent event, List<SimEvent.Task> succeeded, Map<Integer, List<SimEvent.Task>> failed) {
        boolean users = List.of("CREATE", "UPDATE", "RETIRE").contains(event.type);
        String type = users ? "USER_MANAGEMENT" : "ASSET_MANAGEMENT";
        for (List<SimEvent.Task> chunk : chunks(succeeded)) {
            notifier.send(event.location, type, payload(event, chunk, users, null));
        }
        failed.forEach((error, tasks) -> {
            for (List<SimEvent.Task> chunk : chunks(tasks)) {
                notifier.send(event.location, type, payload(event, chunk, users, error));
            }
        });
    }

    private ObjectNode payload(SimEvent event, List<SimEvent.Task> tasks, boolean users, Integer error) {
        ObjectNode p = SimJson.object();
        if (users) {
            p.put("eventId", event.eventId);
            p.put("result", error == null ? "SUCCESS" : "FAILURE");
            p.put("type", event.type);
            ArrayNode list = p.putArray("users");
            synchronized (event.location) {
                for (SimEvent.Task t : tasks) {
                    SimUser u = event.location.activeUser(t.user().clientUserId());
                    ObjectNode n = list.addObject();
                    if (u != null && error == null) {
                        Listings.writeUser(n, u);
                    } else {
                        n.put("clientUserId", t.user().clientUserId());
                        if ("RETIRE".equals(event.type) && error == null) {
                            n.put("status", "Retired");
                        }
                    }
                }
            }
        } else {
            ArrayNode list = p.putArray("assignments");
            for (SimEvent.Task t : tasks) {
                ObjectNode n = list.addObject().put("adamId", t.asset().adamId).put("pricingParam", t.asset().pricingParam);
                if (t.serialNumber() != null) {
                    n.put("serialNumber", t.serialNumber());
                } else {
                    n.put("clientUserId", t.clientUserId());
                }
            }
            p.put("eventId", event.eventId);
            p.put("result", error == null ? "SUCCESS" : "FAILURE");
            p.put("type", event.type);
        }
        if (error != null) {
            p.putObject("error").put("errorMessage", ErrorCatalog.message(error)).put("errorNumber", error);
        }
        return p;
    }

    private static List<List<SimEvent.Task>> chunks(List<SimEvent.Task> tasks) {
        var chunks = new ArrayList<List<SimEvent.Task>>();
        for (int i = 0; i < tasks.size(); i += NOTIFICATION_ITEMS) {
            chunks.add(tasks.subList(i, Math.min(tasks.size(), i + NOTIFICATION_ITEMS)));
        }
        return chunks;
    }
}
