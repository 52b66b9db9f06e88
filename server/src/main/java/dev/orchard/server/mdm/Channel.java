package dev.orchard.server.mdm;

import java.util.Locale;

/**
 * One MDM channel of a device as its MDM names it: the device channel ({@code UDID}), a user channel
 * ({@code UDID:UserID}, whose parent is the device channel), a User Enrollment ({@code EnrollmentID}) and its user
 * channel ({@code EnrollmentID:EnrollmentUserID}). NanoMDM sends these as {@code ids.id}, {@code ids.type} and
 * {@code ids.parent_id} in every webhook event.
 */
public record Channel(String id, Type type, String parentId) {

    /** NanoMDM's enrollment types. */
    public enum Type {
        DEVICE("Device"), USER("User"), SHARED_IPAD("Shared iPad"), USER_ENROLLMENT_DEVICE("User Enrollment (Device)"),
        USER_ENROLLMENT("User Enrollment");

        private final String nanoName;

        Type(String nanoName) {
            this.nanoName = nanoName;
        }

        /** A channel of a user on the device (commands there reach that user only). */
        public boolean userChannel() {
            return this == USER || this == SHARED_IPAD || this == USER_ENROLLMENT;
        }

        public boolean userEnrollment() {
            return this == USER_ENROLLMENT_DEVICE || this == USER_ENROLLMENT;
        }

        static Type ofNanoName(String name) {
            for (Type t : values()) {
                if (t.nanoName.equalsIgnoreCase(name) || t.name().equalsIgnoreCase(name)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown enrollment type '" + name + "'");
        }
    }

    public Channel {
        if (id == null || id.isBlank() || id.length() > 300 || id.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("an enrollment id must be 1 to 300 printable characters");
        }
        if (type == null) {
            throw new IllegalArgumentException("an enrollment type is required");
        }
        if (type.userChannel() && (parentId == null || parentId.isBlank())) {
            int colon = id.lastIndexOf(':');
            parentId = colon > 0 ? id.substring(0, colon) : null;
            if (parentId == null) {
                throw new IllegalArgumentException("a user channel needs its device channel (parent id)");
            }
        }
        parentId = type.userChannel() ? parentId.strip() : null;
    }

    /** From NanoMDM's {@code ids}; {@code type} as NanoMDM spells it ("User Enrollment (Device)") or as the enum. */
    public static Channel of(String id, String type, String parentId) {
        return new Channel(id == null ? null : id.strip(), Type.ofNanoName(type == null ? "" : type.strip()), parentId);
    }

    /** Apple's fixed UserID of a Shared iPad user's channel; NanoMDM names that channel by the user's short name. */
    static final String SHARED_IPAD_USER_ID = "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF";

    /** The channel a check-in or report names when the MDM did not say (older NanoMDM, the REST API), as NanoMDM would. */
    static Channel fromMessage(String udid, String enrollmentId, String userId, String userShortName, String enrollmentUserId) {
        if (udid == null && enrollmentId == null) {
            throw new IllegalArgumentException("the message names no device (UDID or EnrollmentID)");
        }
        if (udid == null) {
            return enrollmentUserId != null ? new Channel(enrollmentId + ":" + enrollmentUserId, Type.USER_ENROLLMENT, enrollmentId)
                    : new Channel(enrollmentId, Type.USER_ENROLLMENT_DEVICE, null);
        }
        if (userId != null) {
            boolean shared = SHARED_IPAD_USER_ID.equalsIgnoreCase(userId) && userShortName != null;
            return new Channel(udid + ":" + (shared ? userShortName : userId), shared ? Type.SHARED_IPAD : Type.USER, udid);
        }
        return new Channel(udid, Type.DEVICE, null);
    }

    /** The device channel this channel belongs to. */
    public String deviceChannelId() {
        return type.userChannel() ? parentId : id;
    }

    @Override
    public String toString() {
        return id + " (" + type.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")";
    }
}
