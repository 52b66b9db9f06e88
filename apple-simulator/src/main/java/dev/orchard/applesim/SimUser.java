package dev.orchard.applesim;

/** One Apple user record. A clientUserId may have several Retired records and at most one active one. */
final class SimUser {

    final String clientUserId;
    String email;
    String managedAppleId;
    String idHash;
    String inviteCode;
    String status;
    long seq;

    SimUser(String clientUserId) {
        this.clientUserId = clientUserId;
    }

    boolean isActive() {
        return "Registered".equals(status) || "Associated".equals(status);
    }
}
