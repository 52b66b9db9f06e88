package dev.orchard.server.mdm.nano;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The NanoMDM double's storage, with the personality of the storage backend it plays: the key-value stores
 * ({@code filekv}, {@code inmem}) or PostgreSQL ({@code pgsql}). What differs, as observed on the real server: the
 * error text for a command UUID that already exists, and that on PostgreSQL an id without an enrollment (no
 * TokenUpdate yet) fails the whole enqueue (foreign key), while the key-value stores queue for any id. Enqueueing is
 * all or nothing per request on both. Synchronized: one request at a time touches it.
 */
final class NanoMdmStore {

    /** An enrollment: its type, parent, push topic (after TokenUpdate), tally of TokenUpdates since Authenticate. */
    static final class Enrollment {
        final String id;
        final String type;
        final String parentId;
        String topic;
        boolean hasPushInfo;
        boolean enabled;
        int tally;
        final List<String> queue = new ArrayList<>();
        final Set<String> notNow = new LinkedHashSet<>();

        Enrollment(String id, String type, String parentId) {
            this.id = id;
            this.type = type;
            this.parentId = parentId;
        }
    }

    final NanoMdmDouble.Storage storage;
    final boolean deleteWhenDone;
    private final Map<String, byte[]> commands = new LinkedHashMap<>();
    private final Map<String, Set<String>> pendingFor = new LinkedHashMap<>();
    private final Map<String, Enrollment> enrollments = new LinkedHashMap<>();
    private final Map<String, String> certOfEnrollment = new LinkedHashMap<>();
    private final Map<String, String> enrollmentOfCert = new LinkedHashMap<>();

    NanoMdmStore(NanoMdmDouble.Storage storage, boolean deleteWhenDone) {
        this.storage = storage;
        this.deleteWhenDone = deleteWhenDone;
    }

    /** The top-level error of enqueueing {@code uuid} for {@code ids}, or null when it was queued for all of them. */
    synchronized String enqueue(String uuid, byte[] raw, List<String> ids) {
        if (commands.containsKey(uuid)) {
            return storage == NanoMdmDouble.Storage.PGSQL ? "pq: duplicate key value violates unique constraint \"commands_pkey\""
                    : "command already exists: " + uuid;
        }
        if (storage == NanoMdmDouble.Storage.PGSQL) {
            for (String id : ids) {
                Enrollment e = enrollments.get(id);
                if (e == null || !e.hasPushInfo) {
                    return "pq: insert or update on table \"enrollment_queue\" violates foreign key constraint "
                            + "\"enrollment_queue_id_fkey\"";
                }
            }
        }
        commands.put(uuid, raw);
        Set<String> pending = pendingFor.computeIfAbsent(uuid, k -> new LinkedHashSet<>());
        for (String id : ids) {
            Enrollment e = enrollments.computeIfAbsent(id, k -> new Enrollment(k, "Device", null));
            if (!e.queue.contains(uuid)) {
                e.queue.add(uuid);
            }
            pending.add(id);
        }
        return null;
    }

    synchronized boolean holds(String uuid) {
        return commands.containsKey(uuid);
    }

    /** The next command for the enrollment, skipping those it answered NotNow to unless {@code includeNotNow}. */
    synchronized byte[] next(String id, boolean includeNotNow) {
        Enrollment e = enrollments.get(id);
        if (e == null) {
            return null;
        }
        if (includeNotNow) {
            e.notNow.clear();
        }
        for (String uuid : e.queue) {
            if (!e.notNow.contains(uuid)) {
                return commands.get(uuid);
            }
        }
        return null;
    }

    /** A command report for {@code uuid}: Acknowledged or Error take it off the queue, NotNow sets it aside. */
    synchronized void report(String id, String uuid, String status) {
        Enrollment e = enrollments.get(id);
        if (e == null || uuid == null) {
            return;
        }
        if ("NotNow".equals(status)) {
            e.notNow.add(uuid);
            return;
        }
        e.queue.remove(uuid);
        e.notNow.remove(uuid);
        Set<String> pending = pendingFor.get(uuid);
        if (pending != null) {
            pending.remove(id);
            if (pending.isEmpty() && deleteWhenDone && storage == NanoMdmDouble.Storage.PGSQL) {
                commands.remove(uuid);
                pendingFor.remove(uuid);
            }
        }
    }

    /** Authenticate: a (re-)enrollment starts; the tally restarts, the enrollment is off until its TokenUpdate. */
    synchronized void authenticate(String id, String type) {
        Enrollment e = enrollments.computeIfAbsent(id, k -> new Enrollment(k, type, null));
        e.tally = 0;
        e.enabled = false;
    }

    /** TokenUpdate: push info stored, the enrollment on; returns the tally after it. */
    synchronized int tokenUpdate(String id, String type, String parentId, String topic) {
        Enrollment e = enrollments.computeIfAbsent(id, k -> new Enrollment(k, type, parentId));
        e.topic = topic;
        e.hasPushInfo = true;
        e.enabled = true;
        return ++e.tally;
    }

    synchronized int tally(String id) {
        Enrollment e = enrollments.get(id);
        return e == null ? 0 : e.tally;
    }

    synchronized void checkOut(String id) {
        Enrollment e = enrollments.get(id);
        if (e != null) {
            e.enabled = false;
        }
    }

    /** Push info per id: its topic, or null when it never sent a TokenUpdate. */
    synchronized String topicOf(String id) {
        Enrollment e = enrollments.get(id);
        return e == null || !e.hasPushInfo ? null : e.topic;
    }

    /**
     * Binds the certificate to a device enrollment at Authenticate: null when fine, else NanoMDM's refusal. Later
     * requests of the enrollment (and its user channels) must come with the same certificate.
     */
    synchronized String bind(String deviceId, String certFingerprint, boolean retro) {
        String other = enrollmentOfCert.get(certFingerprint);
        if (other != null && !other.equals(deviceId)) {
            return "cert re-use not permitted";
        }
        String current = certOfEnrollment.get(deviceId);
        if (current != null && !current.equals(certFingerprint) && !retro) {
            return "enrollment not associated with cert";
        }
        if (current != null) {
            enrollmentOfCert.remove(current);
        }
        certOfEnrollment.put(deviceId, certFingerprint);
        enrollmentOfCert.put(certFingerprint, deviceId);
        return null;
    }

    /** Whether a non-Authenticate request of {@code deviceId} carries the bound certificate (null when fine). */
    synchronized String check(String deviceId, String certFingerprint) {
        String current = certOfEnrollment.get(deviceId);
        return current != null && current.equals(certFingerprint) ? null : "enrollment not associated with cert";
    }

    /** What is queued for an enrollment, oldest first (for tests). */
    synchronized List<String> queued(String id) {
        Enrollment e = enrollments.get(id);
        return e == null ? List.of() : List.copyOf(e.queue);
    }

    synchronized int commandCount() {
        return commands.size();
    }
}
