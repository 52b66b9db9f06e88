package dev.orchard.server.mdm.nano;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import com.dd.plist.NSArray;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSObject;
import com.dd.plist.PropertyListParser;

/**
 * An Apple device as an MDM server sees it, for tests: it enrolls (Authenticate, TokenUpdate), signs in users (a
 * Mac's user channel, a Shared iPad user), checks out, is erased and enrolls again, and works its command channel
 * (Idle, then each command answered Acknowledged, Error or NotNow) with the payloads Apple documents for
 * InstallApplication, ManagedApplicationList, InstalledApplicationList, DeviceInformation and RemoveApplication.
 * Every request is signed with the device's identity certificate (Mdm-Signature) or, for a server behind a TLS proxy,
 * carries it in a header. User Enrollment devices show no serial number or UDID, only their EnrollmentID.
 */
public final class DeviceEmulator {

    /** What kind of device it is. */
    public enum Kind { IPHONE, IPAD, SHARED_IPAD, MAC, USER_ENROLLMENT }

    /** A command as the device received it. */
    public record Received(String channel, String uuid, String requestType, NSDictionary command) {
    }

    /** The apps the emulated App Store knows: store id → bundle id and version. */
    public static final Map<Long, String[]> STORE = new ConcurrentHashMap<>();

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final TestCa.Identity identity;
    private final URI mdm;
    private final String certHeader;
    public final Kind kind;
    public final String serial;
    public final String udid;
    public final String enrollmentId;
    private final String topic = "com.apple.mgmt.External.orchard-test";
    private final Map<String, String> managed = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> notNow = new ConcurrentHashMap<>();
    private final Map<String, String> errors = new ConcurrentHashMap<>();

    public DeviceEmulator(TestCa ca, URI mdm, String certHeader, Kind kind, String serial) {
        this.identity = ca.issue(serial, true);
        this.mdm = mdm;
        this.certHeader = certHeader;
        this.kind = kind;
        this.serial = serial;
        this.udid = kind == Kind.USER_ENROLLMENT ? null : "0000" + Integer.toHexString(serial.hashCode() & 0xffff).toUpperCase()
                + "-" + serial;
        this.enrollmentId = kind == Kind.USER_ENROLLMENT ? "UE-" + serial : null;
    }

    /** The device channel's enrollment id at NanoMDM. */
    public String channel() {
        return udid != null ? udid : enrollmentId;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(String requestType) {
        return received.stream().filter(r -> r.requestType().equals(requestType)).toList();
    }

    /** The next {@code n} commands of that type are answered NotNow. */
    public void notNow(String requestType, int n) {
        notNow.put(requestType, n);
    }

    /** Commands of that type are answered Error with this description. */
    public void error(String requestType, String description) {
        errors.put(requestType, description);
    }

    /** The user deletes the app: it stays managed, {@code ManagedButUninstalled}. */
    public void userDeletes(String bundleId) {
        managed.put(bundleId, "ManagedButUninstalled");
    }

    public Map<String, String> managedApps() {
        return Map.copyOf(managed);
    }

    /** Authenticate and TokenUpdate on the device channel: HTTP status of each. */
    public int[] enroll() {
        return new int[] {authenticate(), tokenUpdate()};
    }

    public int authenticate() {
        Map<String, Object> m = identityFields();
        m.put("MessageType", "Authenticate");
        m.put("Topic", topic);
        m.put("BuildVersion", "22A3354");
        m.put("OSVersion", kind == Kind.MAC ? "15.1" : "18.1");
        m.put("ProductName", product());
        m.put("Model", product());
        m.put("DeviceName", serial);
        if (kind != Kind.USER_ENROLLMENT) {
            m.put("SerialNumber", serial);
        }
        return checkIn(m);
    }

    public int tokenUpdate() {
        return checkIn(tokenUpdate(""));
    }

    /**
     * A user signs in: the user channel's TokenUpdate. On a Mac its id is {@code UDID:UserID}; on a Shared iPad the
     * UserID is Apple's fixed one and the id is {@code UDID:UserShortName}; on a User Enrollment it is the managed
     * Apple account's channel {@code EnrollmentID:EnrollmentUserID}.
     */
    public int signIn(String userId, String shortName) {
        Map<String, Object> m = tokenUpdate("-" + shortName);
        if (kind == Kind.USER_ENROLLMENT) {
            m.put("EnrollmentUserID", userId);
        } else {
            m.put("UserID", kind == Kind.SHARED_IPAD ? NanoMdmEndpoint.SHARED_IPAD_USER_ID : userId);
            m.put("UserLongName", shortName);
        }
        m.put("UserShortName", shortName);
        return checkIn(m);
    }

    private Map<String, Object> tokenUpdate(String magicSuffix) {
        Map<String, Object> m = identityFields();
        m.put("MessageType", "TokenUpdate");
        m.put("Topic", topic);
        m.put("PushMagic", "magic-" + serial + magicSuffix);
        m.put("Token", new com.dd.plist.NSData(randomBytes(32)));
        return m;
    }

    public int checkOut() {
        Map<String, Object> m = identityFields();
        m.put("MessageType", "CheckOut");
        m.put("Topic", topic);
        return checkIn(m);
    }

    /** Erase All Content and Settings, then the device enrolls again (same hardware, same UDID). */
    public int[] eraseAndReEnroll() {
        managed.clear();
        return enroll();
    }

    /** Works the device channel: Idle, then every queued command; returns how many commands it answered. */
    public int poll() {
        return work(identityFields());
    }

    /** Works a user channel (Mac user, User Enrollment user). */
    public int pollUser(String userId) {
        Map<String, Object> fields = identityFields();
        if (kind == Kind.USER_ENROLLMENT) {
            fields.put("EnrollmentUserID", userId);
        } else {
            fields.put("UserID", userId);
        }
        return work(fields);
    }

    private int work(Map<String, Object> fields) {
        Map<String, Object> report = new LinkedHashMap<>(fields);
        report.put("Status", "Idle");
        int answered = 0;
        for (int guard = 0; guard < 200; guard++) {
            byte[] next = send(report, "application/x-apple-aspen-mdm");
            if (next == null || next.length == 0) {
                return answered;
            }
            NSDictionary root;
            try {
                root = (NSDictionary) PropertyListParser.parse(next);
            } catch (Exception e) {
                throw new IllegalStateException("the MDM sent a command that is not a plist", e);
            }
            String uuid = root.get("CommandUUID").toJavaObject().toString();
            NSDictionary command = (NSDictionary) root.get("Command");
            String type = command.get("RequestType").toJavaObject().toString();
            received.add(new Received((String) fields.getOrDefault("UDID", fields.get("EnrollmentID")), uuid, type, command));
            report = new LinkedHashMap<>(fields);
            report.put("CommandUUID", uuid);
            answer(type, command, report);
            answered++;
        }
        throw new IllegalStateException("the MDM kept sending commands");
    }

    private void answer(String type, NSDictionary command, Map<String, Object> report) {
        Integer later = notNow.get(type);
        if (later != null && later > 0) {
            notNow.put(type, later - 1);
            report.put("Status", "NotNow");
            return;
        }
        if (errors.containsKey(type)) {
            report.put("Status", "Error");
            report.put("ErrorChain", List.of(Map.of("ErrorCode", 12064, "ErrorDomain", "MCMDMErrorDomain",
                    "LocalizedDescription", errors.get(type), "USEnglishDescription", errors.get(type))));
            return;
        }
        report.put("Status", "Acknowledged");
        switch (type) {
            case "InstallApplication" -> {
                long adamId = ((Number) command.get("iTunesStoreID").toJavaObject()).longValue();
                String[] app = STORE.get(adamId);
                if (app == null) {
                    report.put("Status", "Error");
                    report.put("ErrorChain", List.of(Map.of("ErrorCode", 12029, "ErrorDomain", "MCMDMErrorDomain",
                            "USEnglishDescription", "The app could not be found in the App Store")));
                    return;
                }
                managed.put(app[0], "Managed");
                report.put("Identifier", app[0]);
                report.put("State", "Installing");
            }
            case "RemoveApplication" -> managed.remove(command.get("Identifier").toJavaObject().toString());
            case "ManagedApplicationList" -> {
                List<String> only = strings(command.get("Identifiers"));
                Map<String, Object> list = new LinkedHashMap<>();
                managed.forEach((bundle, status) -> {
                    if (only.isEmpty() || only.contains(bundle)) {
                        list.put(bundle, Map.of("Status", status, "ManagementFlags", 1, "HasConfiguration", false,
                                "HasFeedback", false, "IsValidated", true));
                    }
                });
                report.put("ManagedApplicationList", list);
            }
            case "InstalledApplicationList" -> {
                List<Object> list = new ArrayList<>();
                managed.forEach((bundle, status) -> {
                    if (!"ManagedButUninstalled".equals(status)) {
                        String version = STORE.values().stream().filter(a -> a[0].equals(bundle)).map(a -> a[1]).findFirst().orElse("1.0");
                        list.add(Map.of("Identifier", bundle, "ShortVersion", version, "Version", version, "Name", bundle));
                    }
                });
                report.put("InstalledApplicationList", list);
            }
            case "DeviceInformation" -> report.put("QueryResponses", deviceInformation(strings(command.get("Queries"))));
            default -> {
            }
        }
    }

    private Map<String, Object> deviceInformation(List<String> queries) {
        Map<String, Object> all = new LinkedHashMap<>();
        if (kind != Kind.USER_ENROLLMENT) { // Apple's privacy rules: no hardware ids in User Enrollment
            all.put("SerialNumber", serial);
            all.put("UDID", udid);
        }
        all.put("Model", product());
        all.put("ModelName", kind == Kind.MAC ? "MacBook Air" : kind == Kind.IPHONE || kind == Kind.USER_ENROLLMENT ? "iPhone" : "iPad");
        all.put("ProductName", product());
        all.put("OSVersion", kind == Kind.MAC ? "15.1" : "18.1");
        all.put("IsMultiUser", kind == Kind.SHARED_IPAD);
        Map<String, Object> answer = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (queries.isEmpty() || queries.contains(k)) {
                answer.put(k, v);
            }
        });
        return answer;
    }

    private String product() {
        return switch (kind) {
            case IPHONE, USER_ENROLLMENT -> "iPhone16,1";
            case IPAD, SHARED_IPAD -> "iPad13,1";
            case MAC -> "Mac15,12";
        };
    }

    private Map<String, Object> identityFields() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (udid != null) {
            m.put("UDID", udid);
        } else {
            m.put("EnrollmentID", enrollmentId);
        }
        return m;
    }

    private int checkIn(Map<String, Object> message) {
        return status(message, "application/x-apple-aspen-mdm-checkin");
    }

    private int status(Map<String, Object> message, String contentType) {
        return exchange(message, contentType).statusCode();
    }

    private byte[] send(Map<String, Object> message, String contentType) {
        HttpResponse<byte[]> r = exchange(message, contentType);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the MDM answered " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.body();
    }

    private HttpResponse<byte[]> exchange(Map<String, Object> message, String contentType) {
        byte[] body = NSObject.fromJavaObject(message).toXMLPropertyList().getBytes(StandardCharsets.UTF_8);
        var request = HttpRequest.newBuilder(mdm).header("Content-Type", contentType).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (certHeader != null) {
            request.header(certHeader, MdmSignature.certHeader(identity.certificate()));
        } else {
            request.header("Mdm-Signature", MdmSignature.sign(identity, body));
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the MDM is unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> strings(NSObject o) {
        List<String> out = new ArrayList<>();
        if (o instanceof NSArray a) {
            for (NSObject e : a.getArray()) {
                out.add(e.toJavaObject().toString());
            }
        }
        return out;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}
