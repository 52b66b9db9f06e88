package dev.orchard.server.mdm;

import java.util.UUID;

/**
 * One MDM command as the device receives it: its {@code CommandUUID}, Apple's {@code RequestType} and the XML
 * plist body. The UUID is how Orchard tracks the command to its result.
 */
public record MdmCommand(String uuid, String requestType, String plist) {
    public MdmCommand {
        UUID.fromString(uuid); // validates
        if (requestType == null || requestType.isBlank() || plist == null || plist.isBlank()) {
            throw new IllegalArgumentException("a command needs a request type and a plist");
        }
    }
}
