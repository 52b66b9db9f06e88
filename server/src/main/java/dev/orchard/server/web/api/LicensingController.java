package dev.orchard.server.web.api;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.inventory.AppSettings;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Label;
import dev.orchard.server.inventory.LabelTarget;
import dev.orchard.server.inventory.Platform;
import dev.orchard.server.licensing.LicensingTasks;
import dev.orchard.server.licensing.Reclaims;
import dev.orchard.server.licensing.Waitlist;
import dev.orchard.server.operations.Operations;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Labels, app settings, the waitlist, reclaims (R4d), the outbox of Apple operations and the audit trail. */
@RestController
@Tag(name = "Licensing")
class LicensingController {

    record TargetInput(String type, String value, String platform, Boolean sharedIpad, String enrollment) {
        LabelTarget toTarget() {
            return new LabelTarget(InventoryController.enumOf(LabelTarget.Type.class, type, "type"), value,
                    platform == null ? null : Platform.parse(platform), sharedIpad,
                    InventoryController.enumOf(Device.Enrollment.class, enrollment, "enrollment"));
        }
    }

    record LabelInput(String kind, String name, Long accountId, List<TargetInput> targets, List<String> adamIds) {
    }

    record SettingsInput(String licenseType, Boolean autoInstall, Boolean installOnRegistration, Boolean autoUpdate) {
    }

    private final Inventory inventory;
    private final AccountService accounts;
    private final Reclaims reclaims;
    private final Waitlist waitlist;
    private final LicensingTasks licensing;
    private final Operations operations;
    private final AuditTrail audit;

    LicensingController(Inventory inventory, AccountService accounts, Reclaims reclaims, Waitlist waitlist,
                        LicensingTasks licensing, Operations operations, AuditTrail audit) {
        this.inventory = inventory;
        this.accounts = accounts;
        this.reclaims = reclaims;
        this.waitlist = waitlist;
        this.licensing = licensing;
        this.operations = operations;
        this.audit = audit;
    }

    // --- labels and settings

    @GetMapping("/api/v1/labels")
    @Operation(summary = "Apple License Labels and App labels with their targets")
    List<Label> labels() {
        return inventory.labels();
    }

    @GetMapping("/api/v1/labels/{id}")
    Label label(@PathVariable long id) {
        return inventory.label(id);
    }

    @PostMapping("/api/v1/labels")
    @Operation(summary = "Create a label: kind LICENSE (accountId + targets) or APP (adamIds + targets)")
    Label createLabel(@RequestBody LabelInput input) {
        return inventory.createLabel(toLabel(0, input));
    }

    @PutMapping("/api/v1/labels/{id}")
    @Operation(summary = "Replace a label's name, targets and apps (the kind cannot change)")
    Label replaceLabel(@PathVariable long id, @RequestBody LabelInput input) {
        return inventory.replaceLabel(id, toLabel(id, input));
    }

    @DeleteMapping("/api/v1/labels/{id}")
    void deleteLabel(@PathVariable long id) {
        inventory.deleteLabel(id);
    }

    private Label toLabel(long id, LabelInput in) {
        if (in == null) {
            throw new IllegalArgumentException("a label is required");
        }
        if (in.accountId() != null) {
            accounts.get(new AccountId(in.accountId())); // 404 for an unknown account
        }
        var targets = InventoryController.convert(in.targets() == null || in.targets().isEmpty() ? null : in.targets(),
                TargetInput::toTarget);
        return new Label(id, InventoryController.enumOf(Label.Kind.class, in.kind(), "kind"), in.name(), in.accountId(),
                targets, in.adamIds());
    }

    @GetMapping("/api/v1/apps/{adamId}/settings")
    AppSettings settings(@PathVariable String adamId) {
        return inventory.settings(adamId);
    }

    @PutMapping("/api/v1/apps/{adamId}/settings")
    @Operation(summary = "License type (DEVICE or USER), install automatically, install on registration/sign-in, auto-update")
    AppSettings saveSettings(@PathVariable String adamId, @RequestBody SettingsInput in) {
        AppSettings current = inventory.settings(adamId);
        return inventory.saveSettings(new AppSettings(adamId,
                in.licenseType() == null ? current.licenseType()
                        : InventoryController.enumOf(AppSettings.LicenseType.class, in.licenseType(), "licenseType"),
                in.autoInstall() == null ? current.autoInstall() : in.autoInstall(),
                in.installOnRegistration() == null ? current.installOnRegistration() : in.installOnRegistration(),
                in.autoUpdate() == null ? current.autoUpdate() : in.autoUpdate()));
    }

    // --- waitlist and passes

    @GetMapping("/api/v1/waitlist")
    @Operation(summary = "Targets waiting for a license (WAITING, served in order) or that no account can serve (BLOCKED, with why)")
    Map<String, Object> waitlist(@RequestParam(required = false) String adamId, @RequestParam(required = false) String kind,
                                 @RequestParam(defaultValue = "0") long afterId, @RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        if (kind != null && !kind.equals("WAITING") && !kind.equals("BLOCKED")) {
            throw new IllegalArgumentException("kind must be WAITING or BLOCKED");
        }
        return Map.of("items", waitlist.list(adamId, kind, afterId, limit), "pass", waitlist.pass());
    }

    @PostMapping("/api/v1/licensing/pass")
    @Operation(summary = "Run the licensing pass now (it also runs after every change and every pass interval)")
    Map<String, Object> runPass() {
        licensing.requestPass();
        return waitlist.pass();
    }

    // --- reclaim (R4d)

    @PostMapping("/api/v1/licenses/{id}/reclaim")
    @Operation(summary = "Reclaim one license (dryRun=true lists what would happen)")
    Reclaims.Plan reclaimLicense(@PathVariable long id, @RequestParam(defaultValue = "false") boolean dryRun) {
        return reclaims.reclaimLicense(id, dryRun);
    }

    @PostMapping("/api/v1/licenses/{id}/reclaim/cancel")
    @Operation(summary = "Cancel a reclaim still in its grace period")
    Map<String, Object> cancelReclaim(@PathVariable long id) {
        if (!reclaims.cancel(id)) {
            throw new dev.orchard.server.system.ConflictException("license " + id + " has no reclaim waiting to be sent");
        }
        return Map.of("licenseId", id, "cancelled", true);
    }

    @PostMapping("/api/v1/apps/{adamId}/reclaim")
    @Operation(summary = "Reclaim every license of an app, in one account (accountId) or in all")
    Reclaims.Plan reclaimApp(@PathVariable String adamId, @RequestParam(required = false) Long accountId,
                             @RequestParam(defaultValue = "false") boolean dryRun) {
        if (accountId != null) {
            accounts.get(new AccountId(accountId));
        }
        return reclaims.reclaimApp(adamId, accountId, dryRun);
    }

    @PostMapping("/api/v1/accounts/{id}/reclaim")
    @Operation(summary = "Reclaim every license of an account")
    Reclaims.Plan reclaimAccount(@PathVariable long id, @RequestParam(defaultValue = "false") boolean dryRun) {
        return reclaims.reclaimAccount(accounts.get(new AccountId(id)).id(), dryRun);
    }

    // --- operations

    @GetMapping("/api/v1/operations")
    @Operation(summary = "Apple operations, newest first (page with beforeId)")
    Map<String, Object> operations(@RequestParam(required = false) Long accountId, @RequestParam(required = false) String state,
                                   @RequestParam(defaultValue = "0") long beforeId, @RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        var items = operations.list(accountId, state, beforeId, limit);
        return Map.of("items", items, "targets", operations.summary(),
                "nextBeforeId", items.size() < limit ? -1 : items.get(items.size() - 1).id());
    }

    @GetMapping("/api/v1/operations/{id}")
    Operations.Detail operation(@PathVariable long id) {
        return operations.get(id, 1000);
    }

    @GetMapping("/api/v1/operations/queued")
    @Operation(summary = "Targets queued and not sent yet (for example reclaims in their grace period)")
    List<Operations.TargetView> queued(@RequestParam(required = false) Long accountId, @RequestParam(defaultValue = "0") long afterId,
                                       @RequestParam(defaultValue = "100") int limit) {
        Paging.check(limit);
        return operations.queued(accountId, afterId, limit);
    }

    @PostMapping("/api/v1/operations/{id}/retry")
    @Operation(summary = "Send a failed or stuck operation's targets again")
    Map<String, Object> retry(@PathVariable long id) {
        return Map.of("operationId", id, "requeued", operations.retry(id));
    }

    @PostMapping("/api/v1/operations/targets/{id}/cancel")
    @Operation(summary = "Cancel a queued target (an assignment is dropped, a reclaim keeps the license)")
    Map<String, Object> cancel(@PathVariable long id) {
        operations.cancelTarget(id);
        return Map.of("targetId", id, "cancelled", true);
    }

    // --- audit

    @GetMapping("/api/v1/audit")
    @Operation(summary = "The audit trail, newest first; filters; page with beforeId; format=csv exports every match")
    Object audit(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
                 @RequestParam(required = false) String subject, @RequestParam(required = false) Instant from,
                 @RequestParam(required = false) Instant to, @RequestParam(defaultValue = "0") long beforeId,
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
        var items = audit.list(filter, beforeId, limit);
        return Map.of("items", items, "nextBeforeId", items.size() < limit ? -1 : items.get(items.size() - 1).id());
    }
}
