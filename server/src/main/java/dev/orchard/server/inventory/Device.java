package dev.orchard.server.inventory;

import dev.orchard.server.system.Fields;
import java.time.Instant;
import java.util.Locale;

/**
 * A managed device. {@code enrollment} USER is Apple's User Enrollment (BYOD), which only takes user-based
 * licenses; {@code country} is the ISO code of the store the device uses (null when unknown).
 */
public record Device(String serialNumber, String udid, Platform platform, String osVersion, String model, String country,
                     boolean sharedIpad, Enrollment enrollment, String ownerUserId, Status status, Instant appsReportedAt) {

    /** How the device is enrolled. */
    public enum Enrollment { DEVICE, USER }

    /** Retired devices hold no device licenses. */
    public enum Status { ACTIVE, RETIRED }

    // compiled once: every device read from the database is checked again
    private static final java.util.regex.Pattern COUNTRY = java.util.regex.Pattern.compile("[A-Za-z]{2}");
    private static final java.util.regex.Pattern OS_VERSION = java.util.regex.Pattern.compile("\\d+(\\.\\d+){0,3}");

    public Device {
        serialNumber = Identifiers.serial(serialNumber);
        udid = Fields.matching("udid", udid, 64, "[A-Za-z0-9-]+", "at most 64 letters, digits or hyphens");
        model = Fields.optional("model", model, 100);
        if (platform == null) {
            throw new IllegalArgumentException("platform is required");
        }
        if (country != null) {
            if (!COUNTRY.matcher(country).matches()) {
                throw new IllegalArgumentException("country must be an ISO 3166 alpha-2 code, not '" + country + "'");
            }
            country = country.toUpperCase(Locale.ROOT);
        }
        if (osVersion != null && !OS_VERSION.matcher(osVersion).matches()) {
            throw new IllegalArgumentException("osVersion must look like 17.4.1, not '" + osVersion + "'");
        }
        if (sharedIpad && platform != Platform.IPADOS) {
            throw new IllegalArgumentException("only an iPadOS device can be a Shared iPad");
        }
        enrollment = enrollment == null ? Enrollment.DEVICE : enrollment;
        status = status == null ? Status.ACTIVE : status;
        ownerUserId = ownerUserId == null || ownerUserId.isBlank() ? null : Identifiers.user(ownerUserId);
    }

    /** The same attributes (when the apps were last reported aside). */
    public boolean sameAs(Device o) {
        return serialNumber.equals(o.serialNumber) && java.util.Objects.equals(udid, o.udid) && platform == o.platform
                && java.util.Objects.equals(osVersion, o.osVersion) && java.util.Objects.equals(model, o.model)
                && java.util.Objects.equals(country, o.country) && sharedIpad == o.sharedIpad && enrollment == o.enrollment
                && java.util.Objects.equals(ownerUserId, o.ownerUserId) && status == o.status;
    }

    public boolean active() {
        return status == Status.ACTIVE;
    }

    /** Major and minor OS version, for rule R2 (0.0 when unknown). */
    public int[] osMajorMinor() {
        if (osVersion == null) {
            return new int[] {0, 0};
        }
        String[] parts = osVersion.split("\\.");
        return new int[] {Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0};
    }
}
