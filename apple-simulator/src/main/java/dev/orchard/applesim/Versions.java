package dev.orchard.applesim;

import java.util.UUID;

/**
 * Opaque {@code versionId}s in the shape of UUIDs that encode a location's change sequence, so a version can be
 * checked (9721 when unknown) and turned back into "changes since".
 */
final class Versions {

    static final int ASSETS = 1;
    static final int ASSIGNMENTS = 2;
    static final int USERS = 3;

    private Versions() {
    }

    static String encode(long salt, int dataset, long seq) {
        return new UUID(salt ^ dataset, seq).toString();
    }

    /** The sequence a versionId stands for, or -1 when it is not a version this location issued for the data set. */
    static long decode(long salt, int dataset, String versionId) {
        try {
            UUID uuid = UUID.fromString(versionId.strip());
            return uuid.getMostSignificantBits() == (salt ^ dataset) ? uuid.getLeastSignificantBits() : -1;
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }
}
