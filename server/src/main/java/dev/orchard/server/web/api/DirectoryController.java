package dev.orchard.server.web.api;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.orchard.server.inventory.DirectorySource;
import dev.orchard.server.inventory.DirectorySourceService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Directory sources (LDAP, Active Directory): what to read, on what schedule, and how the last sync went. */
@RestController
@Tag(name = "Directory")
class DirectoryController {

    record SourceInput(String name, String kind, String url, Boolean startTls, String bindDn, String bindPassword,
                       String userBaseDn, String userFilter, String groupBaseDn, String groupFilter, String userIdAttribute,
                       String emailAttribute, String managedAppleIdAttribute, String displayNameAttribute,
                       String groupIdAttribute, String groupNameAttribute, String memberAttribute, Integer pageSize,
                       Integer syncMinutes, String onDelete, Boolean enabled, String caCertificate) {
        DirectorySourceService.Input input() {
            return new DirectorySourceService.Input(name, kind, url, startTls, bindDn, bindPassword, userBaseDn, userFilter,
                    groupBaseDn, groupFilter, userIdAttribute, emailAttribute, managedAppleIdAttribute, displayNameAttribute,
                    groupIdAttribute, groupNameAttribute, memberAttribute, pageSize, syncMinutes, onDelete, enabled, caCertificate);
        }
    }

    private final DirectorySourceService sources;

    DirectoryController(DirectorySourceService sources) {
        this.sources = sources;
    }

    @GetMapping("/api/v1/directory/sources")
    List<DirectorySource> sources() {
        return sources.list();
    }

    @PostMapping("/api/v1/directory/sources")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Add an LDAP / Active Directory source (url ldap:// or ldaps://, startTls, bindDn and bindPassword "
            + "(stored encrypted, never shown), caCertificate (PEM of the CA that signed the directory's certificate), base DNs, filters, attribute names, pageSize, syncMinutes, onDelete RECLAIM or "
            + "KEEP); its first sync starts at once")
    DirectorySource add(@RequestBody SourceInput in) {
        return sources.create(in.input());
    }

    @GetMapping("/api/v1/directory/sources/{id}")
    DirectorySource source(@PathVariable long id) {
        return sources.get(id);
    }

    @PatchMapping("/api/v1/directory/sources/{id}")
    @Operation(summary = "Change a source; omitted fields (and the password) stay as they are")
    DirectorySource change(@PathVariable long id, @RequestBody SourceInput in) {
        return sources.update(id, in.input());
    }

    @DeleteMapping("/api/v1/directory/sources/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Remove a source; its users and groups stay, no longer synced")
    void delete(@PathVariable long id) {
        sources.delete(id);
    }

    @PostMapping("/api/v1/directory/sources/{id}/sync")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Sync the source soon (full=true: read every user and notice deletions); the outcome shows in "
            + "lastResult, lastSummary and lastError")
    DirectorySource sync(@PathVariable long id, @RequestParam(defaultValue = "false") boolean full) {
        return sources.syncSoon(id, full);
    }
}
