package dev.orchard.server.licensing;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Service;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.ledger.LedgerQueries;

/**
 * What became of the license changes the audit trail recorded as QUEUED or PENDING. The trail is append-only, so an
 * entry keeps the outcome it was written with; this reads where the license stands now and says it in words:
 * an assignment {@code CONFIRMED} (Apple holds it), {@code AT_APPLE} (not answered yet) or {@code NOT_HELD} (Apple
 * refused it, or it was cancelled or reclaimed since: later entries say which); a reclaim {@code DONE}, {@code AT_APPLE}
 * (being reclaimed, or an assignment still at Apple whose license is taken back once confirmed) or {@code KEPT} (the
 * license is held: Apple refused, or it was assigned again since).
 */
@Service
public class AuditFollowUp {

    private final LedgerQueries ledger;

    AuditFollowUp(LedgerQueries ledger) {
        this.ledger = ledger;
    }

    /** For each entry that awaited Apple, its follow-up by entry id; other entries have none. */
    public Map<Long, String> now(List<AuditTrail.Entry> entries) {
        var serials = new HashSet<String>();
        var users = new HashSet<String>();
        var awaiting = entries.stream().filter(AuditFollowUp::awaitsApple).toList();
        for (AuditTrail.Entry e : awaiting) {
            String[] h = e.holder();
            ("device".equals(h[0]) ? serials : users).add(h[1]);
        }
        Map<String, String> standing = awaiting.isEmpty() ? Map.of() : ledger.standing(serials, users);
        var out = new HashMap<Long, String>();
        for (AuditTrail.Entry e : awaiting) {
            String state = standing.get(e.subject() + " " + e.adamId());
            boolean assignment = e.action().equals("LICENSE_ASSIGNED");
            out.put(e.id(), assignment
                    ? (state == null ? "NOT_HELD" : "ASSIGNING".equals(state) ? "AT_APPLE" : "CONFIRMED")
                    : (state == null ? "DONE" : "HELD".equals(state) ? "KEPT" : "AT_APPLE"));
        }
        return out;
    }

    private static boolean awaitsApple(AuditTrail.Entry e) {
        return e.adamId() != null && e.holder() != null && ("QUEUED".equals(e.outcome()) || "PENDING".equals(e.outcome()))
                && (e.action().equals("LICENSE_ASSIGNED") || e.action().equals("LICENSE_RECLAIMED"));
    }
}
