package dev.orchard.server.web.api;

import java.util.List;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.accounts.AccountId;
import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.inventory.AppSettings;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Label;
import dev.orchard.server.inventory.LabelTarget;
import dev.orchard.server.inventory.Platform;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Apple License Labels, App labels and per-app license settings. */
@RestController
@Tag(name = "Labels")
class LabelsController {

    record TargetInput(String type, String value, String platform, Boolean sharedIpad, String enrollment) {
        LabelTarget toTarget() {
            return new LabelTarget(InventoryController.enumOf(LabelTarget.Type.class, type, "type"), value,
                    platform == null ? null : Platform.parse(platform), sharedIpad,
                    InventoryController.enumOf(Device.Enrollment.class, enrollment, "enrollment"));
        }
    }

    /**
     * {@code exclusions}: targets the label never takes in, whatever its targets say (optional; not ALL);
     * {@code ahead}: it may name serials no device has reported and apps no account holds yet (optional; else refused).
     */
    record LabelInput(String kind, String name, Long accountId, List<TargetInput> targets, List<String> adamIds,
                      List<TargetInput> exclusions, Boolean ahead) {
    }

    record SettingsInput(String licenseType, Boolean autoInstall, Boolean installOnRegistration, Boolean autoUpdate,
                         Boolean removeOnUnenroll, Boolean preventBackup) {
    }

    private final Inventory inventory;
    private final AccountService accounts;
    private final dev.orchard.server.licensing.LabelRollout rollout;

    private final dev.orchard.server.licensing.LabelPreview preview;

    LabelsController(Inventory inventory, AccountService accounts, dev.orchard.server.licensing.LabelRollout rollout,
                     dev.orchard.server.licensing.LabelPreview preview) {
        this.preview = preview;
        this.inventory = inventory;
        this.accounts = accounts;
        this.rollout = rollout;
    }

    @GetMapping("/api/v1/labels")
    @Operation(summary = "Apple License Labels and App labels with their targets")
    List<Label> labels() {
        return inventory.labels();
    }

    @GetMapping("/api/v1/labels/{id}")
    Label label(@PathVariable long id) {
        return inventory.label(id);
    }

    @GetMapping("/api/v1/labels/{id}/progress")
    @Operation(summary = "An App label's rollout per app over the active devices it takes in: licensed, being assigned, "
            + "waiting, blocked, opted out, not decided yet")
    dev.orchard.server.licensing.LabelRollout.Progress progress(@PathVariable long id) {
        return rollout.of(id);
    }

    @PostMapping("/api/v1/labels")
    @org.springframework.web.bind.annotation.ResponseStatus(org.springframework.http.HttpStatus.CREATED)
    @Operation(summary = "Create a label: kind LICENSE (accountId + targets) or APP (adamIds + targets), with optional exclusions. "
            + "A serial no device has reported or a store id no account holds is refused unless ahead is true")
    Label createLabel(@RequestBody LabelInput input) {
        return inventory.createLabel(toLabel(0, input));
    }

    @PutMapping("/api/v1/labels/{id}")
    @Operation(summary = "Replace a label's name, targets and apps (the kind cannot change); unknown serials and apps as for "
            + "create")
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
        var exclusions = in.exclusions() == null || in.exclusions().isEmpty() ? List.<LabelTarget>of()
                : InventoryController.convert(in.exclusions(), TargetInput::toTarget);
        var label = new Label(id, InventoryController.enumOf(Label.Kind.class, in.kind(), "kind"), in.name(), in.accountId(),
                targets, in.adamIds(), exclusions);
        preview.checkKnown(label, Boolean.TRUE.equals(in.ahead())); // groups and users: Inventory checks them as it saves
        return label;
    }

    @GetMapping("/api/v1/apps/{adamId}/settings")
    AppSettings settings(@PathVariable String adamId) {
        return inventory.settings(adamId);
    }

    @PutMapping("/api/v1/apps/{adamId}/settings")
    @Operation(summary = "License type (DEVICE or USER), install automatically, install on registration/sign-in, auto-update, ManagementFlags (remove on unenroll, prevent backup)")
    AppSettings saveSettings(@PathVariable String adamId, @RequestBody SettingsInput in) {
        AppSettings current = inventory.settings(adamId);
        return inventory.saveSettings(new AppSettings(adamId,
                in.licenseType() == null ? current.licenseType()
                        : InventoryController.enumOf(AppSettings.LicenseType.class, in.licenseType(), "licenseType"),
                in.autoInstall() == null ? current.autoInstall() : in.autoInstall(),
                in.installOnRegistration() == null ? current.installOnRegistration() : in.installOnRegistration(),
                in.autoUpdate() == null ? current.autoUpdate() : in.autoUpdate(),
                in.removeOnUnenroll() == null ? current.removeOnUnenroll() : in.removeOnUnenroll(),
                in.preventBackup() == null ? current.preventBackup() : in.preventBackup()));
    }
}
