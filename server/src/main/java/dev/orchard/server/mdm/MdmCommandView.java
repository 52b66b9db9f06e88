package dev.orchard.server.mdm;

import java.time.Instant;
import java.util.List;

/** An MDM command with each device's delivery state and result, for the API. */
public record MdmCommandView(String commandUuid, String requestType, String reason, String adamId, String bundleId,
                             String actor, Instant createdAt, List<Target> targets) {

    /**
     * One device's copy: {@code state} QUEUED, SENDING, DELIVERED, ACKNOWLEDGED, ERROR, FAILED or CANCELLED;
     * {@code lastError} is the latest delivery problem, {@code result} what the device reported.
     */
    public record Target(String serialNumber, String enrollmentId, Long serverId, String state, int attempts,
                         Instant nextAttemptAt, Instant deliveredAt, Instant completedAt, String lastError, String result) {
    }
}
