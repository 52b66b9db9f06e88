package dev.orchard.server.mdm.nano;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Map;

import com.dd.plist.NSDictionary;
import com.dd.plist.NSObject;
import com.dd.plist.PropertyListParser;
import com.sun.net.httpserver.HttpExchange;

/**
 * The double's {@code PUT /mdm}: identity first (400 when missing, bad or untrusted; never 401), then a check-in
 * ({@code Content-Type: application/x-apple-aspen-mdm-checkin}) or a command report answered with the next queued
 * command. The enrollment id is NanoMDM's: the UDID, {@code UDID:UserID} for a user channel ({@code UDID:UserShortName}
 * for a Shared iPad user, whose UserID is the fixed FFFFFFFF-… one), the EnrollmentID for User Enrollment and
 * {@code EnrollmentID:EnrollmentUserID} for its user channel. Each handled message is posted to the webhook afterwards,
 * from its own thread; a request whose identity check failed posts nothing.
 */
final class NanoMdmEndpoint {

    static final String SHARED_IPAD_USER_ID = "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF";
    private static final String CHECKIN = "application/x-apple-aspen-mdm-checkin";

    /** NanoMDM's resolved enrollment of a message. */
    record Ids(String id, String type, String parentId, String deviceId) {
    }

    private final NanoMdmDouble nano;

    NanoMdmEndpoint(NanoMdmDouble nano) {
        this.nano = nano;
    }

    void handle(HttpExchange ex) throws IOException {
        if (!"PUT".equals(ex.getRequestMethod()) && !"POST".equals(ex.getRequestMethod())) {
            NanoMdmDouble.text(ex, 405, "Method Not Allowed");
            return;
        }
        byte[] body = ex.getRequestBody().readAllBytes();
        X509Certificate cert;
        NSDictionary message;
        try {
            var o = nano.options();
            cert = o.certHeader() != null ? MdmSignature.verifyCertHeader(ex.getRequestHeaders().getFirst(o.certHeader()), o.ca())
                    : MdmSignature.verifySignature(ex.getRequestHeaders().getFirst("Mdm-Signature"), body, o.ca());
            NSObject parsed = PropertyListParser.parse(body);
            if (!(parsed instanceof NSDictionary d)) {
                throw new IllegalArgumentException("not a dictionary");
            }
            message = d;
        } catch (Exception e) {
            NanoMdmDouble.text(ex, 400, "Bad Request");
            return;
        }
        Ids ids = ids(message);
        if (ids == null) {
            NanoMdmDouble.text(ex, 400, "Bad Request");
            return;
        }
        String fingerprint = NanoMdmDouble.fingerprint(cert);
        boolean checkin = CHECKIN.equals(ex.getRequestHeaders().getFirst("Content-Type"));
        String messageType = checkin ? string(message, "MessageType") : null;
        NanoMdmStore store = nano.store();
        String refused = "Authenticate".equals(messageType) ? store.bind(ids.deviceId(), fingerprint, false)
                : store.check(ids.deviceId(), fingerprint);
        Map<String, String> params = NanoMdmDouble.query(ex);
        Instant at = Instant.now();
        if (refused != null) {
            NanoMdmDouble.text(ex, 500, refused);
            // NanoMDM posts the event of a message whose handling failed, identity aside
            return;
        }
        if (checkin) {
            checkIn(ex, message, messageType, ids, body, params, at);
        } else {
            report(ex, message, ids, body, params, at);
        }
    }

    private void checkIn(HttpExchange ex, NSDictionary m, String type, Ids ids, byte[] body, Map<String, String> params, Instant at)
            throws IOException {
        NanoMdmStore store = nano.store();
        Integer tally = null;
        int code = 200;
        switch (type == null ? "" : type) {
            case "Authenticate" -> store.authenticate(ids.id(), ids.type());
            case "TokenUpdate" -> tally = store.tokenUpdate(ids.id(), ids.type(), ids.parentId(), string(m, "Topic"));
            case "CheckOut" -> store.checkOut(ids.id());
            case "DeclarativeManagement" -> code = 500; // no -dm target configured
            case "UserAuthenticate", "SetBootstrapToken", "GetBootstrapToken", "GetToken" -> {
            }
            default -> code = 400;
        }
        if (code != 400) { // posted from its own thread, racing the answer to the device
            nano.webhook().checkIn("mdm." + type, ids, m, body, params, tally == null ? null : store.tally(ids.id()), at);
        }
        NanoMdmDouble.text(ex, code, code == 200 ? "" : "error");
    }

    private void report(HttpExchange ex, NSDictionary m, Ids ids, byte[] body, Map<String, String> params, Instant at)
            throws IOException {
        String status = string(m, "Status");
        if (status == null) {
            NanoMdmDouble.text(ex, 400, "Bad Request");
            return;
        }
        String uuid = string(m, "CommandUUID");
        NanoMdmStore store = nano.store();
        if (!"Idle".equals(status)) {
            store.report(ids.id(), uuid, status);
        }
        byte[] next = store.next(ids.id(), "Idle".equals(status));
        nano.webhook().report(ids, m, body, params, status, uuid, at); // from its own thread, racing the answer
        if (next == null) {
            NanoMdmDouble.text(ex, 200, "");
        } else {
            ex.getResponseHeaders().set("Content-Type", "application/xml; charset=utf-8");
            ex.sendResponseHeaders(200, next.length);
            ex.getResponseBody().write(next);
            ex.close();
        }
    }

    /** NanoMDM's enrollment ids of a message, or null when it names no device. */
    static Ids ids(NSDictionary m) {
        String udid = string(m, "UDID");
        String userId = string(m, "UserID");
        String enrollmentId = string(m, "EnrollmentID");
        String enrollmentUserId = string(m, "EnrollmentUserID");
        if (udid != null) {
            if (userId == null) {
                return new Ids(udid, "Device", null, udid);
            }
            boolean shared = SHARED_IPAD_USER_ID.equalsIgnoreCase(userId);
            String user = shared ? string(m, "UserShortName") : userId;
            return new Ids(udid + ":" + user, shared ? "Shared iPad" : "User", udid, udid);
        }
        if (enrollmentId != null) {
            return enrollmentUserId == null ? new Ids(enrollmentId, "User Enrollment (Device)", null, enrollmentId)
                    : new Ids(enrollmentId + ":" + enrollmentUserId, "User Enrollment", enrollmentId, enrollmentId);
        }
        return null;
    }

    static String string(NSDictionary d, String key) {
        NSObject o = d.get(key);
        return o == null ? null : o.toJavaObject().toString();
    }
}
