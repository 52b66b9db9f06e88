package dev.orchard.server.mdm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.dd.plist.NSArray;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSObject;
import com.dd.plist.PropertyListParser;

import dev.orchard.server.inventory.InstalledApp;

/**
 * Reading what a device sends its MDM (check-in messages and command reports, Apple's plists) into plain values.
 * Malformed input is an {@link IllegalArgumentException} with a reason a person can act on.
 */
public final class MdmReports {

    private MdmReports() {
    }

    /**
     * A check-in message ({@code Authenticate}, {@code TokenUpdate}, {@code CheckOut}, …). {@code enrollmentId} is
     * set for User Enrollment, which has no UDID; {@code userShortName}/{@code userId} for a user channel (a user
     * signed in on a Shared iPad or a Mac), {@code enrollmentUserId} for User Enrollment's user channel.
     */
    public record CheckIn(String messageType, String udid, String enrollmentId, String serialNumber, String model,
                          String productName, String osVersion, String userShortName, String userId, String enrollmentUserId) {

        public boolean userChannel() {
            return userShortName != null || userId != null || enrollmentUserId != null;
        }

        public boolean userEnrollment() {
            return udid == null && enrollmentId != null;
        }
    }

    /** A managed app as {@code ManagedApplicationList} reports it. */
    public record ManagedApp(String bundleId, String status, String externalVersionId) {
        /** The user deleted the app; it stays managed and would come back managed. */
        public boolean uninstalled() {
            return "ManagedButUninstalled".equals(status);
        }
    }

    /** A command report: {@code status} is Acknowledged, Error, CommandFormatError, NotNow or Idle. */
    public record Report(String commandUuid, String status, String udid, String enrollmentId, NSDictionary body) {

        public boolean acknowledged() {
            return "Acknowledged".equals(status);
        }

        public boolean failed() {
            return "Error".equals(status) || "CommandFormatError".equals(status);
        }

        /** The device's error chain as one line (Apple's English descriptions). */
        public String errorText() {
            NSObject chain = body.get("ErrorChain");
            if (!(chain instanceof NSArray array)) {
                return status;
            }
            var parts = new ArrayList<String>();
            for (NSObject o : array.getArray()) {
                if (o instanceof NSDictionary e) {
                    String text = string(e, "USEnglishDescription");
                    text = text != null ? text : string(e, "LocalizedDescription");
                    parts.add((text == null ? "error" : text) + " (" + string(e, "ErrorDomain") + " " + string(e, "ErrorCode") + ")");
                }
            }
            return parts.isEmpty() ? status : String.join("; ", parts);
        }

        /** {@code InstallApplication}: the install's state ({@code Managed}, {@code Installing}, {@code Failed}, …). */
        public String installState() {
            return string(body, "State");
        }

        public String rejectionReason() {
            return string(body, "RejectionReason");
        }

        /** {@code ManagedApplicationList}, or null when this report is not one. */
        public Map<String, ManagedApp> managedApps() {
            if (!(body.get("ManagedApplicationList") instanceof NSDictionary list)) {
                return null;
            }
            Map<String, ManagedApp> apps = new LinkedHashMap<>();
            for (String bundle : list.allKeys()) {
                if (list.get(bundle) instanceof NSDictionary d) {
                    apps.put(bundle, new ManagedApp(bundle, string(d, "Status"), string(d, "ExternalVersionIdentifier")));
                }
            }
            return apps;
        }

        /** {@code InstalledApplicationList}, or null when this report is not one. Managed flags are not in it. */
        public List<InstalledApp> installedApps() {
            if (!(body.get("InstalledApplicationList") instanceof NSArray list)) {
                return null;
            }
            var apps = new ArrayList<InstalledApp>();
            for (NSObject o : list.getArray()) {
                if (o instanceof NSDictionary d && string(d, "Identifier") != null) {
                    String version = string(d, "ShortVersion");
                    apps.add(new InstalledApp(string(d, "Identifier"), version != null ? version : string(d, "Version"), false));
                }
            }
            return apps;
        }

        /** {@code DeviceInformation}'s answers, or null when this report is not one. */
        public Map<String, String> deviceInformation() {
            if (!(body.get("QueryResponses") instanceof NSDictionary d)) {
                return null;
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (String key : d.allKeys()) {
                values.put(key, d.get(key).toJavaObject().toString());
            }
            return values;
        }
    }

    public static CheckIn checkIn(byte[] plist) {
        NSDictionary d = dictionary(plist);
        String type = string(d, "MessageType");
        if (type == null) {
            throw new IllegalArgumentException("the check-in message has no MessageType");
        }
        String udid = string(d, "UDID");
        String enrollmentId = string(d, "EnrollmentID");
        if (udid == null && enrollmentId == null) {
            throw new IllegalArgumentException("the check-in message names no device (UDID or EnrollmentID)");
        }
        return new CheckIn(type, udid, enrollmentId,
                dev.orchard.server.inventory.Identifiers.normalSerial(string(d, "SerialNumber")), string(d, "Model"), string(d, "ProductName"),
                string(d, "OSVersion"), string(d, "UserShortName"), string(d, "UserID"), string(d, "EnrollmentUserID"));
    }

    public static Report report(byte[] plist) {
        NSDictionary d = dictionary(plist);
        String status = string(d, "Status");
        if (status == null) {
            throw new IllegalArgumentException("the command report has no Status");
        }
        return new Report(string(d, "CommandUUID"), status, string(d, "UDID"), string(d, "EnrollmentID"), d);
    }

    private static NSDictionary dictionary(byte[] plist) {
        NSObject parsed;
        try {
            parsed = PropertyListParser.parse(plist);
        } catch (Exception e) {
            throw new IllegalArgumentException("the payload is not a property list: " + e.getMessage(), e);
        }
        if (!(parsed instanceof NSDictionary d)) {
            throw new IllegalArgumentException("the payload is a property list but not a dictionary");
        }
        return d;
    }

    static String string(NSDictionary d, String key) {
        NSObject o = d.get(key);
        if (o == null) {
            return null;
        }
        Object value = o.toJavaObject();
        return value == null ? null : value.toString();
    }
}
