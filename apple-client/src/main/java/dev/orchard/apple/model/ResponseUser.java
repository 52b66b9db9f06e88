package dev.orchard.apple.model;

/**
 * A user as Apple reports it. One {@code clientUserId} may have several Retired records and at most one
 * active one.
 *
 * @see <a href="https://developer.apple.com/documentation/devicemanagement/responseuser">Apple: ResponseUser</a>
 */
public record ResponseUser(String clientUserId, String email, String idHash, String inviteCode, UserStatus status) {
}
