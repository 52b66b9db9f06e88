package dev.orchard.server.web.admin;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.catalog.CatalogQueries;
import dev.orchard.server.mdm.MdmService;
import dev.orchard.server.operations.Operations;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Apple operations (each with a detail page: its targets, their states and errors) and MDM commands with their state,
 * progress and errors; the audit log with filters and CSV.
 */
@Controller
class OperationsPages {

    private final Operations operations;
    private final MdmService mdm;
    private final AuditTrail audit;
    private final AccountService accounts;
    private final CatalogQueries catalog;
    private final Names names;
    private final Times times;

    private final java.time.Clock clock;
    private final dev.orchard.server.licensing.AuditFollowUp followUp;

    OperationsPages(Operations operations, MdmService mdm, AuditTrail audit, AccountService accounts, CatalogQueries catalog,
                    Names names, Times times, java.time.Clock clock, dev.orchard.server.licensing.AuditFollowUp followUp) {
        this.followUp = followUp;
        this.names = names;
        this.times = times;
        this.clock = clock;
        this.accounts = accounts;
        this.catalog = catalog;
        this.operations = operations;
        this.mdm = mdm;
        this.audit = audit;
    }

    /** The queue and the operations list alone, refreshed by htmx every few seconds while the first page is shown. */
    @GetMapping("/fragments/operations")
    String live(@RequestParam(required = false) String state, Model model) {
        operations(state, 0, model);
        return "operations :: live";
    }

    @GetMapping("/operations")
    String operations(@RequestParam(required = false) String state, @RequestParam(defaultValue = "0") long beforeId, Model model) {
        String s = state == null || state.isBlank() ? null : state.strip().toUpperCase(java.util.Locale.ROOT);
        var list = operations.list(null, s, beforeId, AppsPages.PAGE);
        model.addAttribute("operations", list);
        model.addAttribute("state", s);
        model.addAttribute("beforeId", beforeId);
        model.addAttribute("summary", operations.summary());
        model.addAttribute("next", list.size() == AppsPages.PAGE ? list.get(list.size() - 1).id() : null);
        model.addAttribute("commands", mdm.commands(null, null, null, null, AppsPages.PAGE));
        model.addAttribute("accountNames", names.accounts());
        model.addAttribute("queued", operations.queued(null, 0, AppsPages.PAGE));
        model.addAttribute("blocked", accounts.list().stream().filter(a -> a.isBlockedAt(clock.instant())).toList());
        return "operations";
    }

    /** One Apple request: what it asked, Apple's answer, and each target with its own state and error. */
    @GetMapping("/operations/{id}")
    String operation(@PathVariable long id, @RequestParam(defaultValue = "0") long after, Model model) {
        var detail = operations.get(id, 0);
        var targets = operations.targets(id, after, AppsPages.PAGE);
        model.addAttribute("o", detail.operation());
        model.addAttribute("accountName", names.accounts().getOrDefault(detail.operation().accountId(),
                "account " + detail.operation().accountId()));
        model.addAttribute("targets", targets);
        model.addAttribute("states", operations.targetStates(id));
        model.addAttribute("appNames", catalog.names(targets.stream().map(Operations.TargetView::adamId)
                .filter(java.util.Objects::nonNull).distinct().toList()));
        model.addAttribute("next", targets.size() == AppsPages.PAGE ? targets.get(targets.size() - 1).id() : null);
        return "operation";
    }

    @PostMapping("/operations/{id}/retry")
    String retry(@PathVariable long id, RedirectAttributes flash) {
        return Actions.run(flash, "/operations/" + id, () -> operations.retry(id) + " target(s) of operation " + id + " are sent again.");
    }

    @PostMapping("/operations/targets/{id}/cancel")
    String cancelTarget(@PathVariable long id, RedirectAttributes flash) {
        return Actions.run(flash, "/operations", () -> {
            operations.cancelTarget(id);
            return "Cancelled: it will not be sent (an assignment is dropped, a reclaim keeps the license).";
        });
    }

    @PostMapping("/operations/commands/{uuid}/retry")
    String retryCommand(@PathVariable String uuid, RedirectAttributes flash) {
        return Actions.run(flash, "/operations", () -> {
            mdm.retry(uuid);
            return "Command " + uuid + " is sent again where it failed.";
        });
    }

    @PostMapping("/operations/commands/{uuid}/push")
    String pushCommand(@PathVariable String uuid, RedirectAttributes flash) {
        return Actions.run(flash, "/operations", () -> {
            var outcome = mdm.push(uuid).pushes();
            var failed = outcome.stream().filter(p -> !p.pushed()).toList();
            return outcome.isEmpty() ? "No device is waiting for command " + uuid + "."
                    : failed.isEmpty() ? "Pushed " + outcome.size() + " device(s) waiting for command " + uuid + "."
                    : "Pushed " + outcome.size() + " device(s); " + failed.size() + " push(es) failed: " + failed.get(0).error();
        });
    }

    @GetMapping("/audit")
    String audit(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
                 @RequestParam(required = false) String subject, @RequestParam(required = false) String from,
                 @RequestParam(required = false) String to, @RequestParam(defaultValue = "0") long beforeId, Model model) {
        var filter = filter(actor, action, subject, from, to);
        var entries = audit.list(filter, beforeId, AppsPages.PAGE);
        model.addAttribute("entries", entries);
        model.addAttribute("now", followUp.now(entries));
        model.addAttribute("f", filter);
        model.addAttribute("from", Actions.blank(from));
        model.addAttribute("to", Actions.blank(to));
        model.addAttribute("next", entries.size() == AppsPages.PAGE ? entries.get(entries.size() - 1).id() : null);
        return "audit";
    }

    @GetMapping("/audit.csv")
    void auditCsv(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
                  @RequestParam(required = false) String subject, @RequestParam(required = false) String from,
                  @RequestParam(required = false) String to, HttpServletResponse response) throws IOException {
        var filter = filter(actor, action, subject, from, to);
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"orchard-audit-" + Instant.now().getEpochSecond() + ".csv\"");
        var out = new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8);
        audit.exportCsv(filter, out);
        out.flush();
    }

    /** {@code from} and {@code to} are days (yyyy-MM-dd) in the pages' time zone; {@code to} includes its whole day. */
    private AuditTrail.Filter filter(String actor, String action, String subject, String from, String to) {
        return new AuditTrail.Filter(Actions.blank(actor), Actions.blank(action), Actions.blank(subject),
                day(from, 0), day(to, 1));
    }

    private Instant day(String value, int plusDays) {
        String v = Actions.blank(value);
        if (v == null) {
            return null;
        }
        try {
            return java.time.LocalDate.parse(v).plusDays(plusDays).atStartOfDay(times.zone()).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("a date is written yyyy-MM-dd, not '" + v + "'");
        }
    }
}
