package dev.orchard.server.web.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.orchard.server.accounts.AccountService;
import dev.orchard.server.inventory.Device;
import dev.orchard.server.inventory.Inventory;
import dev.orchard.server.inventory.Label;
import dev.orchard.server.inventory.LabelTarget;
import dev.orchard.server.inventory.Platform;
import dev.orchard.server.licensing.LabelPreview;

/**
 * Labels: Apple License Labels and App labels with their targets; creating, changing and deleting one always goes
 * through a preview of what it would assign or reclaim, and saving needs that preview to have been seen.
 */
@Controller
class LabelsPages {

    /**
     * The form as typed: targets and exclusions one per line ({@code ALL}, {@code GROUP sales}, {@code RULE
     * platform=iOS …}).
     */
    /** {@code ahead}: the label may name serials and apps Orchard does not know yet. */
    record Form(long id, String kind, String name, Long accountId, String adamIds, String targets, String exclusions,
                boolean ahead) {
        static Form of(Label l, boolean ahead) {
            return new Form(l.id(), l.kind().name(), l.name(), l.accountId(), String.join(", ", l.adamIds()),
                    lines(l.targets()), lines(l.exclusions()), ahead);
        }

        private static String lines(List<LabelTarget> targets) {
            return targets.stream().map(LabelsPages::line).collect(Collectors.joining("\n"));
        }
    }

    private final Inventory inventory;
    private final AccountService accounts;
    private final LabelPreview preview;
    private final dev.orchard.server.catalog.CatalogQueries catalog;
    private final Names names;
    private final dev.orchard.server.licensing.LabelRollout rollout;

    LabelsPages(Inventory inventory, AccountService accounts, LabelPreview preview, dev.orchard.server.catalog.CatalogQueries catalog,
                Names names, dev.orchard.server.licensing.LabelRollout rollout) {
        this.rollout = rollout;
        this.catalog = catalog;
        this.names = names;
        this.inventory = inventory;
        this.accounts = accounts;
        this.preview = preview;
    }

    @GetMapping("/labels")
    String list(@RequestParam(required = false) Long edit, Model model) {
        Label editing = edit == null ? null : inventory.label(edit);
        // a label that was saved ahead of what it names opens with "Label ahead" still ticked
        common(model, editing == null ? new Form(0, "APP", "", null, "", "ALL", "", false)
                : Form.of(editing, !preview.notYet(editing).isEmpty()));
        return "labels";
    }

    /** Preview (the default) or, once previewed, save; {@code delete} previews or confirms removing the label. */
    @PostMapping("/labels")
    String submit(@RequestParam(defaultValue = "0") long id, @RequestParam String kind, @RequestParam String name,
                  @RequestParam(required = false) Long accountId, @RequestParam(defaultValue = "") String adamIds,
                  @RequestParam(defaultValue = "") String targets, @RequestParam(defaultValue = "") String exclusions,
                  @RequestParam(defaultValue = "false") boolean ahead, @RequestParam(defaultValue = "preview") String action,
                  Model model, RedirectAttributes flash) {
        var form = new Form(id, kind, name, accountId, adamIds, targets, exclusions, ahead);
        common(model, form);
        Label label;
        try {
            label = toLabel(form);
            if (!action.contains("delete")) {
                inventory.checkTargets(label); // a typo is refused at the preview, not only at the save
                preview.checkKnown(label, ahead);
            }
        } catch (IllegalArgumentException e) {
            model.addAttribute("error", e.getMessage() + " Nothing was saved.");
            return "labels";
        }
        switch (action) {
            case "save" -> {
                return Actions.run(flash, "/labels", () -> {
                    var saved = id == 0 ? inventory.createLabel(label) : inventory.replaceLabel(id, label);
                    return "Label '" + saved.name() + "' saved; the licensing engine applies it now.";
                });
            }
            case "delete" -> {
                return Actions.run(flash, "/labels", () -> {
                    inventory.deleteLabel(id);
                    return "Label '" + label.name() + "' deleted.";
                });
            }
            case "preview-delete" -> {
                model.addAttribute("effect", preview.preview(label, true));
                model.addAttribute("deleting", true);
                return "labels";
            }
            default -> {
                model.addAttribute("effect", preview.preview(label, false));
                model.addAttribute("notYet", preview.notYet(label).notes());
                return "labels";
            }
        }
    }

    private void common(Model model, Form form) {
        List<Label> labels = inventory.labels();
        model.addAttribute("labels", labels);
        model.addAttribute("lines", labels.stream().collect(Collectors.toMap(Label::id,
                l -> l.targets().stream().map(LabelsPages::line).toList())));
        model.addAttribute("excluded", labels.stream().collect(Collectors.toMap(Label::id,
                l -> l.exclusions().stream().map(LabelsPages::line).toList())));
        model.addAttribute("accounts", accounts.list());
        model.addAttribute("form", form);
        // pickers: the apps of every account by name, and the groups, instead of typing ids
        var apps = catalog.apps(null);
        var chosen = java.util.Set.copyOf(Actions.ids(form.adamIds()));
        var listed = apps.stream().map(dev.orchard.server.catalog.CatalogQueries.App::adamId).collect(Collectors.toSet());
        model.addAttribute("catalog", apps);
        model.addAttribute("chosenApps", chosen);
        model.addAttribute("otherAdamIds", String.join(", ",
                Actions.ids(form.adamIds()).stream().filter(a -> !listed.contains(a)).toList()));
        model.addAttribute("groups", inventory.groups());
        model.addAttribute("appNames", appNames(apps));
        model.addAttribute("accountNames", names.accounts());
    }

    @GetMapping("/labels/{id}")
    String edit(@PathVariable long id) {
        return "redirect:/labels?edit=" + id;
    }

    /**
     * An App label's rollout line per app, on the labels list: it asks again every few seconds until nothing is being
     * assigned or undecided (the fragment then comes back without its trigger).
     */
    @GetMapping("/labels/{id}/progress")
    String progress(@PathVariable long id, Model model) {
        model.addAttribute("progress", rollout.of(id));
        model.addAttribute("appNames", appNames(catalog.apps(null)));
        return "label-parts :: progress";
    }

    private static java.util.Map<String, String> appNames(List<dev.orchard.server.catalog.CatalogQueries.App> apps) {
        var names = new java.util.HashMap<String, String>();
        apps.forEach(a -> names.put(a.adamId(), a.name() == null ? a.adamId() : a.name()));
        return names;
    }

    /** How many users and devices the picker lists for one search. */
    static final int PICKS = 8;

    /**
     * The label editor's picker: users (by id, e-mail or name), devices (a serial matched anywhere, the model) and
     * groups that match what was typed, each with buttons that add it as a target or an exclusion line.
     */
    @GetMapping("/fragments/label-picker")
    String picker(@RequestParam(defaultValue = "") String q, Model model) {
        String query = q.strip();
        boolean searched = query.length() >= 2;
        model.addAttribute("q", query);
        model.addAttribute("searched", searched);
        model.addAttribute("pickedUsers", searched ? inventory.users(query, null, PICKS) : List.of());
        model.addAttribute("pickedDevices", searched ? inventory.devices(query, null, null, PICKS) : List.of());
        String lower = query.toLowerCase(Locale.ROOT);
        model.addAttribute("pickedGroups", searched ? inventory.groups().stream().filter(g -> g.groupId()
                .toLowerCase(Locale.ROOT).contains(lower) || g.name().toLowerCase(Locale.ROOT).contains(lower))
                .limit(PICKS).toList() : List.of());
        return "label-parts :: picks";
    }

    static Label toLabel(Form f) {
        Label.Kind kind;
        try {
            kind = Label.Kind.valueOf(f.kind());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("Kind must be LICENSE or APP.");
        }
        List<String> apps = Actions.ids(f.adamIds());
        var targets = targets("Target", f.targets());
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("Give at least one target (for example ALL).");
        }
        return new Label(f.id(), kind, f.name(), kind == Label.Kind.LICENSE ? f.accountId() : null, targets,
                kind == Label.Kind.APP ? apps : List.of(), targets("Exclusion", f.exclusions() == null ? "" : f.exclusions()));
    }

    private static List<LabelTarget> targets(String what, String text) {
        var targets = new ArrayList<LabelTarget>();
        int n = 0;
        for (String raw : text.split("\\R")) {
            n++;
            if (!raw.isBlank()) {
                try {
                    targets.add(target(raw.strip()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(what + " line " + n + " ('" + raw.strip() + "'): " + e.getMessage() + ".");
                }
            }
        }
        return targets;
    }

    static LabelTarget target(String line) {
        String[] parts = line.split("\\s+");
        LabelTarget.Type type;
        try {
            type = LabelTarget.Type.valueOf(parts[0].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("start with ALL, GROUP, USER, SERIAL or RULE");
        }
        if (type != LabelTarget.Type.RULE) {
            return new LabelTarget(type, parts.length > 1 ? parts[1] : null, null, null, null);
        }
        Platform platform = null;
        Boolean shared = null;
        Device.Enrollment enrollment = null;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("write RULE conditions as key=value");
            }
            switch (kv[0]) {
                case "platform" -> platform = Platform.parse(kv[1]);
                case "sharedIpad" -> shared = Boolean.parseBoolean(kv[1]);
                case "enrollment" -> {
                    try {
                        enrollment = Device.Enrollment.valueOf(kv[1].toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("enrollment is DEVICE or USER");
                    }
                }
                default -> throw new IllegalArgumentException("RULE knows platform, sharedIpad and enrollment");
            }
        }
        return new LabelTarget(type, null, platform, shared, enrollment);
    }

    static String line(LabelTarget t) {
        if (t.type() != LabelTarget.Type.RULE) {
            return t.type() + (t.value() == null ? "" : " " + t.value());
        }
        var sb = new StringBuilder("RULE");
        if (t.platform() != null) {
            sb.append(" platform=").append(t.platform().name());
        }
        if (t.sharedIpad() != null) {
            sb.append(" sharedIpad=").append(t.sharedIpad());
        }
        if (t.enrollment() != null) {
            sb.append(" enrollment=").append(t.enrollment().name());
        }
        return sb.toString();
    }
}
