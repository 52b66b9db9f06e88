package dev.orchard.server.mdm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.system.ConflictException;
import dev.orchard.server.system.NotFoundException;
import dev.orchard.server.system.SecretCipher;

/**
 * Administers the MDM servers (the first one added is the default, used for devices no MDM has reported yet) and
 * verifies NanoMDM's signed webhook events against their secrets.
 */
@Service
public class MdmServerService {

    static final String API_KEY = "mdm-server-api-key";
    static final String EVENTS_SECRET = "mdm-server-events-secret";

    /** What an administrator enters; a null field on update keeps the stored value (secrets included). */
    public record Input(String name, MdmServer.Kind kind, String url, String apiKey, String eventsSecret, Boolean isDefault,
                        MdmServer.UrlForm urlForm, Boolean licenseOnly) {
    }

    private final MdmServers servers;
    private final SecretCipher cipher;
    private final AuditTrail audit;
    private final Clock clock;

    MdmServerService(MdmServers servers, SecretCipher cipher, AuditTrail audit, Clock clock) {
        this.servers = servers;
        this.cipher = cipher;
        this.audit = audit;
        this.clock = clock;
    }

    public List<MdmServer> list() {
        return servers.all();
    }

    public MdmServer get(long id) {
        return servers.find(id).orElseThrow(() -> new NotFoundException("no MDM server " + id));
    }

    @Transactional
    public MdmServer create(Input in) {
        MdmServer.check(in.name(), in.kind(), in.url());
        checkSecrets(in);
        if (servers.nameTaken(in.name().strip(), -1)) {
            throw new ConflictException("an MDM server named '" + in.name().strip() + "' exists");
        }
        boolean isDefault = Boolean.TRUE.equals(in.isDefault()) || servers.all().isEmpty();
        MdmServer.UrlForm form = in.urlForm() == null ? MdmServer.UrlForm.NANOMDM : in.urlForm();
        if (form == MdmServer.UrlForm.NANOHUB && in.kind() != MdmServer.Kind.NANOMDM) {
            throw new IllegalArgumentException("urlForm NANOHUB is for servers of kind NANOMDM");
        }
        boolean licenseOnly = Boolean.TRUE.equals(in.licenseOnly());
        long id = servers.insert(in.name().strip(), in.kind(), in.url().strip(), encrypt(in.apiKey(), API_KEY),
                encrypt(in.eventsSecret(), EVENTS_SECRET), isDefault, form, licenseOnly, clock.instant());
        if (isDefault) {
            servers.clearDefault(id);
        }
        audit.record("api", "MDM_SERVER_ADDED", "mdm server " + id, in.kind() + " " + in.url().strip() + " (" + form
                + (licenseOnly ? ", license only" : "") + ")", "OK");
        return get(id);
    }

    @Transactional
    public MdmServer update(long id, Input in) {
        MdmServer current = get(id);
        checkSecrets(in);
        String name = in.name() == null ? current.name() : in.name().strip();
        String url = in.url() == null ? current.url() : in.url().strip();
        MdmServer.check(name, current.kind(), url);
        if (servers.nameTaken(name, id)) {
            throw new ConflictException("an MDM server named '" + name + "' exists");
        }
        boolean isDefault = in.isDefault() == null ? current.isDefault() : in.isDefault();
        MdmServer.UrlForm form = in.urlForm() == null ? current.urlForm() : in.urlForm();
        if (form == MdmServer.UrlForm.NANOHUB && current.kind() != MdmServer.Kind.NANOMDM) {
            throw new IllegalArgumentException("urlForm NANOHUB is for servers of kind NANOMDM");
        }
        boolean licenseOnly = in.licenseOnly() == null ? current.licenseOnly() : in.licenseOnly();
        servers.update(id, name, url, encrypt(in.apiKey(), API_KEY), encrypt(in.eventsSecret(), EVENTS_SECRET), isDefault,
                form, licenseOnly, clock.instant());
        if (isDefault) {
            servers.clearDefault(id);
        }
        audit.record("api", "MDM_SERVER_CHANGED", "mdm server " + id, "before: " + describe(current) + "; after: "
                + describe(get(id)), "OK");
        return get(id);
    }

    @Transactional
    public void delete(long id) {
        MdmServer current = get(id);
        if (!servers.delete(id)) {
            throw new NotFoundException("no MDM server " + id);
        }
        audit.record("api", "MDM_SERVER_DELETED", "mdm server " + id, "before: " + describe(current), "OK");
    }

    private static void checkSecrets(Input in) {
        dev.orchard.server.system.Fields.secret("apiKey", in.apiKey(), 1000);
        dev.orchard.server.system.Fields.secret("eventsSecret", in.eventsSecret(), 1000);
    }

    private static String describe(MdmServer s) {
        return s.name() + " " + s.url() + " " + s.urlForm() + (s.licenseOnly() ? " license-only" : "") + (s.isDefault() ? " default" : "");
    }

    /** The server a device's commands go through: the one that reported it, else the default. */
    Optional<MdmServer> serverFor(Long reportedBy) {
        return Optional.ofNullable(reportedBy).flatMap(servers::find).or(servers::byDefault);
    }

    /** Records that a request did not reach the server (the MDM-unreachable alert reads it from the server's view). */
    void unreachable(long id, String error, java.time.Instant now) {
        servers.unreachable(id, error, now);
    }

    void reached(long id) {
        servers.reached(id);
    }

    Optional<String> apiKey(long id) {
        return servers.apiKeyCiphertext(id).map(c -> cipher.decrypt(c, API_KEY));
    }

    /**
     * The NanoMDM server whose events secret signed this body ({@code X-Hmac-Signature}: base64 HMAC-SHA256),
     * compared in constant time; empty when none did.
     */
    public Optional<Long> verifyEvent(byte[] body, String signature) {
        if (signature == null || signature.isBlank()) {
            return Optional.empty();
        }
        byte[] given;
        try {
            given = java.util.Base64.getDecoder().decode(signature.strip());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        for (Object[] row : servers.eventSecrets()) {
            byte[] expected = hmac(cipher.decrypt((String) row[1], EVENTS_SECRET), body);
            if (MessageDigest.isEqual(expected, given)) {
                return Optional.of((Long) row[0]);
            }
        }
        return Optional.empty();
    }

    static byte[] hmac(String key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
        }
    }

    private String encrypt(String secret, String purpose) {
        if (secret == null) {
            return null;
        }
        if (secret.isBlank() || secret.length() > 1000) {
            throw new IllegalArgumentException("a secret must not be blank (at most 1000 characters)");
        }
        return cipher.encrypt(secret, purpose);
    }
}
