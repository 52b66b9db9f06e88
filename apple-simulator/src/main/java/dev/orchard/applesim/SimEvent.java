package dev.orchard.applesim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.node.ObjectNode;

/**
 * An asynchronous Apple event: a list of tasks processed over time. {@code numCompleted} counts successful tasks;
 * any failed task makes the event end FAILED, with failures grouped by error number.
 */
final class SimEvent {

    /** One unit of work: an asset for a target, or a user operation. */
    record Task(SimAsset asset, String serialNumber, String clientUserId, Seed.SeedUser user) {
    }

    /** Failures of one error number, with the targets they hit. */
    static final class Failure {
        final int errorNumber;
        final Set<String> assets = new LinkedHashSet<>();
        final Set<String> serialNumbers = new LinkedHashSet<>();
        final Set<String> clientUserIds = new LinkedHashSet<>();

        Failure(int errorNumber) {
            this.errorNumber = errorNumber;
        }
    }

    final String eventId;
    final String type;
    final Location location;
    final List<Task> tasks;
    final Instant createdAt;
    final Integer forcedErrorNumber;
    final Map<Integer, Failure> failures = new LinkedHashMap<>();
    volatile String status = "PENDING";
    int processed;
    int numCompleted;

    SimEvent(String eventId, String type, Location location, List<Task> tasks, Instant createdAt,
             Integer forcedErrorNumber) {
        this.eventId = eventId;
        this.type = type;
        this.location = location;
        this.tasks = new ArrayList<>(tasks);
        this.createdAt = createdAt;
        this.forcedErrorNumber = forcedErrorNumber;
    }

    void fail(int errorNumber, Task task) {
        Failure f = failures.computeIfAbsent(errorNumber, Failure::new);
        if (task.asset() != null && errorNumber != 9609) {
            // Apple's 9609 example names only the users; asset-level failures (9709, 9644, ...) name the assets
            f.assets.add(task.asset().key());
        }
        if (task.serialNumber() != null) {
            f.serialNumbers.add(task.serialNumber());
        }
        if (task.clientUserId() != null) {
            f.clientUserIds.add(task.clientUserId());
        }
    }

    synchronized ObjectNode statusBody() {
        ObjectNode body = SimJson.object();
        body.put("eventStatus", status);
        body.put("eventType", type);
        body.put("numCompleted", numCompleted);
        body.put("numRequested", tasks.size());
        if (!failures.isEmpty()) {
            var array = body.putArray("failures");
            for (Failure f : failures.values()) {
                ObjectNode entry = array.addObject();
                ObjectNode info = entry.putObject("errorInfo");
                if (!f.assets.isEmpty()) {
                    var assets = info.putArray("assets");
                    f.assets.forEach(k -> {
                        String[] parts = k.split("/", 2);
                        assets.addObject().put("adamId", parts[0]).put("pricingParam", parts[1]);
                    });
                }
                if (!f.clientUserIds.isEmpty()) {
                    var ids = info.putArray("clientUserIds");
                    f.clientUserIds.forEach(ids::add);
                }
                if (!f.serialNumbers.isEmpty()) {
                    var serials = info.putArray("serialNumbers");
                    f.serialNumbers.forEach(serials::add);
                }
                entry.put("errorMessage", ErrorCatalog.message(f.errorNumber));
                entry.put("errorNumber", f.errorNumber);
            }
        }
        return body;
    }
}
