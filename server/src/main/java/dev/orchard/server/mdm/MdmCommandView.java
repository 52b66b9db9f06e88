package dev.orchard.server.mdm;

import java.time.Instant;
import java.util.List;

/** An MDM command with each device's delivery state and result, for the API. */
public record MdmCommandView(String commandUuid, String requestType, String reason, String adamId, String bundleId,
                             String actor, Instant createdAt, List<Target> targets) {

    /**
     * One device's copy: {@code state} QUEUED, SENDING, DELIVERED, ACKNOWLEDGED, ERROR, FAILED or CANCELLED;
     * {@code lastError} is the latest delivery problem, {@code result} what the device reported; {@code wireUuid} is
     * the CommandUUID of the request that carried it (the device reports under it), {@code pushError} why the MDM's
     * push to the device failed (the command is queued all the same; the device fetches it when it next checks in).
     */
    public record Target(String serialNumber, String enrollmentId, Long serverId, String state, int attempts,
                         Instant nextAttemptAt, Instant deliveredAt, Instant completedAt, String lastError, String result,
                         String wireUuid, String pushError, Instant pushedAt) {
    }
}
