package dev.orchard.server.inventory;

import dev.orchard.server.system.Fields;
/**
 * A directory user. {@code userId} is stable and is what Orchard sends to Apple as {@code clientUserId}; with a
 * {@code managedAppleId} Apple links the account at once, without one the user gets an invitation.
 */
public record DirectoryUser(String userId, String email, String managedAppleId, String displayName) {
    public DirectoryUser {
        userId = Identifiers.user(userId);
        email = Fields.optional("email", email, 320);
        managedAppleId = Fields.optional("managedAppleId", managedAppleId, 320);
        displayName = Fields.optional("displayName", displayName, 300);
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
