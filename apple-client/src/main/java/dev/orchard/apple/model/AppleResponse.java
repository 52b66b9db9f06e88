package dev.orchard.apple.model;

import java.time.Instant;
import java.util.Optional;

import dev.orchard.apple.AppleDates;

/** Fields Apple may put on every v2 response (§1.5 of our reference): expiry, location id, the owner's mdmInfo. */
public interface AppleResponse {

    /** {@code tokenExpirationDate} as Apple wrote it, or null. */
    String tokenExpirationDate();

    /** {@code uId}: the location (library) id; the key to de-duplicate two tokens of one location. */
    String uId();

    /** {@code mdmInfo}: present once some MDM has claimed the location. */
    MdmInfo mdmInfo();

    default Optional<Instant> tokenExpiresAt() {
        return AppleDates.parseOptional(tokenExpirationDate());
    }
}
