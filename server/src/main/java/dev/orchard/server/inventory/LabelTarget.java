package dev.orchard.server.inventory;

import java.util.Set;

/**
 * Who a label applies to. ALL: every device and user; GROUP: the group's users and the devices they own; USER: one
 * user and the devices they own; SERIAL: one device; RULE: every device matching all of the attributes given.
 */
public record LabelTarget(Type type, String value, Platform platform, Boolean sharedIpad, Device.Enrollment enrollment) {

    public enum Type { ALL, GROUP, USER, SERIAL, RULE }

    public LabelTarget {
        if (type == null) {
            throw new IllegalArgumentException("a target needs a type (ALL, GROUP, USER, SERIAL or RULE)");
        }
        switch (type) {
            case ALL -> value = null;
            case GROUP, USER -> value = Identifiers.user(value);
            case SERIAL -> value = Identifiers.serial(value);
            case RULE -> {
                value = null;
                if (platform == null && sharedIpad == null && enrollment == null) {
                    throw new IllegalArgumentException("a RULE target needs at least one of platform, sharedIpad, enrollment");
                }
            }
        }
        if (type != Type.RULE && (platform != null || sharedIpad != null || enrollment != null)) {
            throw new IllegalArgumentException("platform, sharedIpad and enrollment belong to RULE targets only");
        }
    }

    /** Whether this target takes in the device; {@code ownerGroups} are the groups of the device's owner. */
    public boolean coversDevice(Device d, Set<String> ownerGroups) {
        return switch (type) {
            case ALL -> true;
            case GROUP -> d.ownerUserId() != null && ownerGroups.contains(value);
            case USER -> value.equals(d.ownerUserId());
            case SERIAL -> value.equals(d.serialNumber());
            case RULE -> (platform == null || platform == d.platform())
                    && (sharedIpad == null || sharedIpad == d.sharedIpad())
                    && (enrollment == null || enrollment == d.enrollment());
        };
    }

    /** Whether this target takes in the user (devices matched by SERIAL or RULE do not bring their owner in). */
    public boolean coversUser(String userId, Set<String> groups) {
        return switch (type) {
            case ALL -> true;
            case GROUP -> groups.contains(value);
            case USER -> value.equals(userId);
            case SERIAL, RULE -> false;
        };
    }
}
