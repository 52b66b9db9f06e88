package dev.orchard.server.web.admin;

import java.util.List;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriUtils;

import dev.orchard.server.inventory.Inventory;

/**
 * Directory groups, which labels target: the list with member counts, creating one, and per group renaming it,
 * adding and removing members (user ids, one per line or comma-separated) and deleting it. Each change is the same
 * call the API makes (validated, audited, and served by the licensing pass as a change of its members).
 */
@Controller
class GroupsPages {

    private final Inventory inventory;

    GroupsPages(Inventory inventory) {
        this.inventory = inventory;
    }

    @GetMapping("/groups")
    String list(Model model) {
        model.addAttribute("groups", inventory.groups());
        return "groups";
    }

    @PostMapping("/groups")
    String create(@RequestParam(defaultValue = "") String id, @RequestParam(defaultValue = "") String name, RedirectAttributes flash) {
        String gid = Actions.blank(id);
        if (gid == null) {
            flash.addFlashAttribute("error", "A group needs an id (the value labels use); nothing was created.");
            return "redirect:/groups";
        }
        boolean exists = inventory.groups().stream().anyMatch(g -> gid.equals(g.groupId()));
        if (exists) {
            flash.addFlashAttribute("error", "A group '" + gid + "' exists; rename it on its page.");
            return "redirect:/groups";
        }
        return Actions.run(flash, "/groups", () -> {
            inventory.saveGroup(gid, Actions.blank(name) == null ? gid : name);
            return "Group '" + gid + "' created; add its members on its page.";
        });
    }

    @GetMapping("/groups/{id}")
    String group(@PathVariable String id, Model model) {
        List<String> members = inventory.members(id);
        model.addAttribute("group", inventory.groups().stream().filter(g -> id.equals(g.groupId())).findFirst().orElseThrow());
        model.addAttribute("members", inventory.users(members));
        model.addAttribute("confirmDelete", false);
        return "group";
    }

    @PostMapping("/groups/{id}/rename")
    String rename(@PathVariable String id, @RequestParam(defaultValue = "") String name, RedirectAttributes flash) {
        return Actions.run(flash, path(id), () -> {
            inventory.members(id); // the group must exist: renaming is not creating
            inventory.saveGroup(id, name);
            return "Renamed to '" + name.strip() + "'.";
        });
    }

    @PostMapping("/groups/{id}/members")
    String members(@PathVariable String id, @RequestParam(defaultValue = "") String add, @RequestParam(defaultValue = "") String remove,
                   RedirectAttributes flash) {
        return Actions.run(flash, path(id), () -> {
            var r = inventory.changeMembers(id, Actions.ids(add), Actions.ids(remove));
            return r.added() + " added, " + r.removed() + " removed; the licensing pass looks at them now.";
        });
    }

    @PostMapping("/groups/{id}/delete")
    String delete(@PathVariable String id, @RequestParam(defaultValue = "") String confirm, RedirectAttributes flash) {
        if (!confirm.strip().equals(id)) {
            flash.addFlashAttribute("error", "Type the group's id exactly to delete it; nothing was deleted.");
            return "redirect:" + path(id);
        }
        return Actions.run(flash, "/groups", () -> {
            inventory.deleteGroup(id);
            return "Group '" + id + "' deleted; labels that name it no longer reach its former members.";
        });
    }

    private static String path(String id) {
        return "/groups/" + UriUtils.encodePathSegment(id, java.nio.charset.StandardCharsets.UTF_8);
    }
}
