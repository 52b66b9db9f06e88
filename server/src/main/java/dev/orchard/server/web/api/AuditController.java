package dev.orchard.server.web.api;

import java.io.IOException;
import java.time.Instant;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.audit.AuditTrail;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The audit trail, listed or exported as CSV. */
@RestController
@Tag(name = "Audit")
class AuditController {

    /**
     * One entry; {@code adamId}: the app of an entry about one license; {@code now}: for a license change recorded
     * while it waited for Apple (QUEUED, PENDING), where that license stands today (an assignment CONFIRMED, AT_APPLE
     * or NOT_HELD; a reclaim DONE, AT_APPLE or KEPT), else absent. The trail itself is never rewritten.
     */
    record Item(long id, Instant at, String actor, String action, String subject, String detail, String outcome,
                String adamId, String now) {
    }

    private final AuditTrail audit;
    private final dev.orchard.server.licensing.AuditFollowUp followUp;

    AuditController(AuditTrail audit, dev.orchard.server.licensing.AuditFollowUp followUp) {
        this.followUp = followUp;
        this.audit = audit;
    }

    @GetMapping("/api/v1/audit")
    @Operation(summary = "The audit trail, newest first; filters; paged with after/next; format=csv exports every match")
    Object audit(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
                 @RequestParam(required = false) String subject, @RequestParam(required = false) Instant from,
                 @RequestParam(required = false) Instant to, @RequestParam(required = false) String after,
                 @RequestParam(defaultValue = "100") int limit, @RequestParam(required = false) String format,
                 HttpServletResponse response) throws IOException {
        var filter = new AuditTrail.Filter(actor, action, subject, from, to);
        if ("csv".equals(format)) {
            response.setContentType("text/csv;charset=UTF-8");
            response.setHeader("Content-Disposition", "attachment; filename=\"orchard-audit.csv\"");
            audit.exportCsv(filter, response.getWriter());
            return null;
        }
        Paging.check(limit);
        var entries = audit.list(filter, Paging.id(after), limit);
        var now = followUp.now(entries);
        var items = entries.stream().map(e -> new Item(e.id(), e.at(), e.actor(), e.action(), e.subject(), e.detail(), e.outcome(),
                e.adamId(), now.get(e.id()))).toList();
        return Paging.of(items, limit, Item::id);
    }
}
