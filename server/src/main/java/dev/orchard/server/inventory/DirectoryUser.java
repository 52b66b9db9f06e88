package dev.orchard.server.inventory;

/**
 * A directory user. {@code userId} is stable and is what Orchard sends to Apple as {@code clientUserId}; with a
 * {@code managedAppleId} Apple links the account at once, without one the user gets an invitation.
 */
public record DirectoryUser(String userId, String email, String managedAppleId, String displayName) {
    public DirectoryUser {
        userId = Identifiers.user(userId);
        if (email != null && !email.isBlank() && !email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw new IllegalArgumentException("email '" + email + "' is not an e-mail address");
        }
        if (managedAppleId != null && !managedAppleId.isBlank() && !managedAppleId.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw new IllegalArgumentException("managedAppleId '" + managedAppleId + "' is not an e-mail address");
        }
        email = email == null || email.isBlank() ? null : email.strip();
        managedAppleId = managedAppleId == null || managedAppleId.isBlank() ? null : managedAppleId.strip();
    }
}
