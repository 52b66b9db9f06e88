package dev.orchard.server.web.admin;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.licensing.LicensingProperties;
import dev.orchard.server.mdm.MdmProperties;
import dev.orchard.server.mdm.MdmServer;
import dev.orchard.server.mdm.MdmServerService;
import dev.orchard.server.sync.SyncProperties;
import dev.orchard.server.system.ApiTokens;
import dev.orchard.server.system.LoginThrottle;
import dev.orchard.server.system.Role;
import dev.orchard.server.system.UiUsers;

/**
 * Settings (admins only): API tokens (a new token is shown once), the people who sign in and their roles, MDM
 * servers, directory sources (with their last sync), and the configured sync interval and reclaim policy (set in configuration, shown here).
 */
@Controller
class SettingsPages {

    private final ApiTokens tokens;
    private final UiUsers users;
    private final MdmServerService servers;
    private final SyncProperties sync;
    private final LicensingProperties licensing;
    private final MdmProperties mdm;
    private final LoginThrottle throttle;
    private final dev.orchard.server.inventory.DirectorySourceService directory;

    SettingsPages(ApiTokens tokens, UiUsers users, MdmServerService servers, SyncProperties sync, LicensingProperties licensing,
                  MdmProperties mdm, LoginThrottle throttle, dev.orchard.server.inventory.DirectorySourceService directory) {
        this.directory = directory;
        this.throttle = throttle;
        this.tokens = tokens;
        this.users = users;
        this.servers = servers;
        this.sync = sync;
        this.licensing = licensing;
        this.mdm = mdm;
    }

    /** A destructive action waiting for the admin's yes: the names are shown as text, never put in a script. */
    record Confirm(String question, String consequence, String action, String button) {
    }

    @GetMapping("/settings")
    String settings(@RequestParam(required = false) Long revoke, @RequestParam(required = false) String removeUser,
                    @RequestParam(required = false) Long removeServer, @RequestParam(required = false) Long removeSource,
                    Model model) {
        var tokenList = tokens.list();
        var serverList = servers.list();
        var userList = users.list();
        if (revoke != null) {
            tokenList.stream().filter(t -> t.id() == revoke && t.active()).findFirst().ifPresent(t -> model.addAttribute("confirm",
                    new Confirm("Revoke the API token '" + t.name() + "'?", "Every script using it is refused from now on.",
                            "/settings/tokens/" + t.id() + "/revoke", "Revoke token")));
        } else if (removeUser != null) {
            userList.stream().filter(u -> removeUser.equals(u.username())).findFirst().ifPresent(u -> model.addAttribute("confirm",
                    new Confirm("Remove the user '" + removeUser + "'?", "They can no longer sign in.",
                            "/settings/users/" + org.springframework.web.util.UriUtils.encodePathSegment(removeUser,
                                    java.nio.charset.StandardCharsets.UTF_8) + "/delete", "Remove user")));
        } else if (removeServer != null) {
            serverList.stream().filter(s -> s.id() == removeServer).findFirst().ifPresent(s -> model.addAttribute("confirm",
                    new Confirm("Remove the MDM server '" + s.name() + "'?",
                            "Commands still queued for its devices go to the default server, or wait for one.",
                            "/settings/mdm-servers/" + s.id() + "/delete", "Remove server")));
        } else if (removeSource != null) {
            directory.list().stream().filter(d -> d.id() == removeSource).findFirst().ifPresent(d -> model.addAttribute("confirm",
                    new Confirm("Remove the directory source '" + d.name() + "'?",
                            "Its users and groups stay, no longer synced: group changes in the directory no longer reach Orchard.",
                            "/settings/directory-sources/" + d.id() + "/delete", "Remove source")));
        }
        model.addAttribute("locks", throttle.locks());
        model.addAttribute("tokens", tokenList);
        model.addAttribute("users", userList);
        model.addAttribute("servers", serverList);
        model.addAttribute("sources", directory.list());
        model.addAttribute("sync", sync);
        model.addAttribute("licensing", licensing);
        model.addAttribute("mdm", mdm);
        return "settings";
    }

    @PostMapping("/settings/tokens")
    String createToken(@RequestParam String name, @RequestParam String role, @RequestParam(defaultValue = "API") String scope,
                       RedirectAttributes flash) {
        try {
            if (name.isBlank() || name.length() > 100) {
                throw new IllegalArgumentException("A token needs a name (at most 100 characters).");
            }
            var kind = "SCIM".equalsIgnoreCase(scope) ? ApiTokens.Scope.SCIM : ApiTokens.Scope.API;
            var created = tokens.create(name.strip(), Role.parse(role), kind, AuditTrail.actor("admin"));
            flash.addFlashAttribute("newToken", created.value());
            flash.addFlashAttribute("ok", "Token '" + name.strip() + "' created. Copy it now: it is not shown again.");
        } catch (IllegalArgumentException e) {
            flash.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/settings";
    }

    @PostMapping("/settings/tokens/{id}/revoke")
    String revokeToken(@PathVariable long id, RedirectAttributes flash) {
        return Actions.run(flash, "/settings", () -> tokens.revoke(id) ? "Token revoked." : "The token was already revoked.");
    }

    @PostMapping("/settings/users")
    String createUser(@RequestParam String username, @RequestParam String password, @RequestParam String role,
                      RedirectAttributes flash) {
        return Actions.run(flash, "/settings", () -> {
            users.create(username, password, Role.parse(role));
            return "User " + username.strip() + " added as " + role.toLowerCase(java.util.Locale.ROOT) + ".";
        });
    }

    @PostMapping("/settings/users/{username}/delete")
    String deleteUser(@PathVariable String username, RedirectAttributes flash) {
        return Actions.run(flash, "/settings", () -> {
            users.delete(username);
            return "User " + username + " removed.";
        });
    }

    @PostMapping("/settings/locks/unlock")
    String unlock(@RequestParam String kind, @RequestParam String value, RedirectAttributes flash) {
        return Actions.run(flash, "/settings", () -> throttle.unlock(kind, value)
                ? "Sign-in unlocked for " + kind + " " + value + "." : "There was no lock for " + kind + " " + value + ".");
    }

    @PostMapping("/settings/mdm-servers")
    String addServer(@RequestParam String name, @RequestParam String kind, @RequestParam String url,
                     @RequestParam(required = false) String apiKey, @RequestParam(required = false) String eventsSecret,
                     @RequestParam(required = false) String urlForm, @RequestParam(required = false) Boolean licenseOnly,
                     RedirectAttributes flash) {
        return Actions.run(flash, "/settings", () -> {
            MdmServer.Kind k;
            try {
                k = MdmServer.Kind.valueOf(kind);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Kind must be NANOMDM or WEBHOOK.");
            }
            MdmServer.UrlForm form;
            try {
                form = urlForm == null || urlForm.isBlank() ? null : MdmServer.UrlForm.valueOf(urlForm);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("API form must be NANOMDM or NANOHUB.");
            }
            var s = servers.create(new MdmServerService.Input(name, k, url, Actions.blank(apiKey), Actions.blank(eventsSecret), null,
                    form, licenseOnly));
            return "MDM server " + s.name() + " added" + (s.isDefault() ? " as the default." : ".");
        });
    }

    @PostMapping("/settings/directory-sources")
    String addSource(@RequestParam String name, @RequestParam String url, @RequestParam(required = false) Boolean startTls,
                     @RequestParam(required = false) String bindDn, @RequestParam(required = false) String bindPassword,
                     @RequestParam String userBaseDn, @RequestParam String groupBaseDn,
                     @RequestParam(required = false) String userFilter, @RequestParam(required = false) String groupFilter,
                     @RequestParam(required = false) String userIdAttribute, @RequestParam(required = false) String onDelete,
                     @RequestParam(required = false) String caCertificate, RedirectAttributes flash) {
        return Actions.run(flash, "/settings", () -> {
            var d = directory.create(new dev.orchard.server.inventory.DirectorySourceService.Input(name, "LDAP", url, startTls,
                    Actions.blank(bindDn), bindPassword == null || bindPassword.isEmpty() ? null : bindPassword, userBaseDn,
                    Actions.blank(userFilter), groupBaseDn, Actions.blank(groupFilter), Actions.blank(userIdAttribute), null, null,
                    null, null, null, null, null, null, Actions.blank(onDelete), true, Actions.blank(caCertificate)));
            return "Directory source " + d.name() + " added; its first sync runs now.";
        });
    }

    @PostMapping("/settings/directory-sources/{id}/sync")
    String syncSource(@PathVariable long id, @RequestParam(defaultValue = "false") boolean full, RedirectAttributes flash) {
        return Actions.run(flash, "/settings", () -> {
            var d = directory.syncSoon(id, full);
            return (full ? "A full sync" : "A sync") + " of " + d.name() + " runs now; reload to see its outcome.";
        });
    }

    @PostMapping("/settings/directory-sources/{id}/delete")
    String deleteSource(@PathVariable long id, RedirectAttributes flash) {
        return Actions.run(flash, "/settings", () -> {
            directory.delete(id);
            return "Directory source removed; its users and groups stay.";
        });
    }

    @PostMapping("/settings/mdm-servers/{id}/delete")
    String deleteServer(@PathVariable long id, RedirectAttributes flash) {
        return Actions.run(flash, "/settings", () -> {
            servers.delete(id);
            return "MDM server removed.";
        });
    }
}
