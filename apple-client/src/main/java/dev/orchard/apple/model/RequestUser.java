package dev.orchard.apple.model;

import java.util.Objects;

/**
 * A user to create, update or retire. With a {@code managedAppleId}, create links the Managed Apple Account at
 * once; without it, Apple returns an invitation code.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/requestuser">Apple: RequestUser</a>
 */
public record RequestUser(String clientUserId, String email, String managedAppleId) {

    public RequestUser {
        Objects.requireNonNull(clientUserId, "clientUserId");
        if (clientUserId.isBlank()) {
            throw new IllegalArgumentException("clientUserId is blank");
        }
    }

    public static RequestUser of(String clientUserId) {
        return new RequestUser(clientUserId, null, null);
    }
}
