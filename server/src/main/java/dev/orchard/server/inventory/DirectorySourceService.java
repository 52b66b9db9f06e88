package dev.orchard.server.inventory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.orchard.server.audit.AuditTrail;
import dev.orchard.server.system.ConflictException;
import dev.orchard.server.system.Fields;
import dev.orchard.server.system.NotFoundException;
import dev.orchard.server.system.SecretCipher;

/**
 * Administers directory sources and syncs them: each source is read (outside any transaction) on its schedule and on
 * request, incrementally where it can and fully once a day, and what was read is applied by {@link DirectoryImport}.
 * The bind password is stored encrypted and never returned; a sync's outcome (counts, summary, error) is kept on the
 * source for the API, the page and the directory-source alert.
 */
@Service
public class DirectorySourceService {

    static final String PASSWORD = "directory-bind-password";
    /** A full read at least this often: deletions in the directory are seen only by a full read. */
    static final Duration FULL_EVERY = Duration.ofDays(1);
    private static final Logger LOG = LoggerFactory.getLogger(DirectorySourceService.class);

    /** What an administrator enters; on a change, a null field keeps the stored value (the password included). */
    public record Input(String name, String kind, String url, Boolean startTls, String bindDn, String bindPassword,
                        String userBaseDn, String userFilter, String groupBaseDn, String groupFilter, String userIdAttribute,
                        String emailAttribute, String managedAppleIdAttribute, String displayNameAttribute,
                        String groupIdAttribute, String groupNameAttribute, String memberAttribute, Integer pageSize,
                        Integer syncMinutes, String onDelete, Boolean enabled, String caCertificate) {
    }

    private final DirectorySources sources;
    private final LdapReader reader;
    private final DirectoryImport importer;
    private final SecretCipher cipher;
    private final AuditTrail audit;
    private final DirectoryTasks tasks;
    private final Clock clock;

    DirectorySourceService(DirectorySources sources, LdapReader reader, DirectoryImport importer, SecretCipher cipher,
                           AuditTrail audit, DirectoryTasks tasks, Clock clock) {
        this.sources = sources;
        this.reader = reader;
        this.importer = importer;
        this.cipher = cipher;
        this.audit = audit;
        this.tasks = tasks;
        this.clock = clock;
    }

    public List<DirectorySource> list() {
        return sources.all();
    }

    public DirectorySource get(long id) {
        return sources.find(id).orElseThrow(() -> new NotFoundException("no directory source " + id));
    }

    @Transactional
    public DirectorySource create(Input in) {
        DirectorySource s = check(in, null);
        if (sources.nameTaken(s.name(), -1)) {
            throw new ConflictException("a directory source named '" + s.name() + "' exists");
        }
        long id = sources.insert(s, seal(in.bindPassword()), clock.instant());
        audit.record("api", "DIRECTORY_SOURCE_ADDED", "directory source " + id, describe(get(id)), "OK");
        tasks.syncAfterCommit(id);
        return get(id);
    }

    @Transactional
    public DirectorySource update(long id, Input in) {
        DirectorySource current = get(id);
        DirectorySource s = check(in, current);
        if (sources.nameTaken(s.name(), id)) {
            throw new ConflictException("a directory source named '" + s.name() + "' exists");
        }
        sources.update(id, s, seal(in.bindPassword()), clock.instant());
        audit.record("api", "DIRECTORY_SOURCE_CHANGED", "directory source " + id, "before: " + describe(current) + "; after: "
                + describe(get(id)) + (in.bindPassword() != null ? "; password replaced" : ""), "OK");
        tasks.syncAfterCommit(id);
        return get(id);
    }

    /** Removes the source; its users and groups stay, no longer synced (manage them through the API or CSV). */
    @Transactional
    public void delete(long id) {
        DirectorySource current = get(id);
        sources.delete(id);
        audit.record("api", "DIRECTORY_SOURCE_DELETED", "directory source " + id, "before: " + describe(current)
                + "; its users and groups stay", "OK");
    }

    /** Asks for a sync soon (a full read when {@code full}); the outcome shows on the source. */
    @Transactional
    public DirectorySource syncSoon(long id, boolean full) {
        get(id);
        if (full) {
            sources.requestFull(id);
        }
        audit.record("api", "DIRECTORY_SYNC_REQUESTED", "directory source " + id, full ? "full" : "incremental", "OK");
        tasks.syncAfterCommit(id);
        return get(id);
    }

    /** One sync of the source now (the task's work): read, apply, record the outcome. */
    void sync(long id) {
        DirectorySource s = sources.find(id).orElse(null);
        if (s == null || !s.enabled()) {
            return;
        }
        Instant now = clock.instant();
        String since = sources.changedSince(id).orElse(null);
        boolean full = since == null || sources.fullRequested(id) || s.lastFullSyncAt() == null
                || !s.lastFullSyncAt().isAfter(now.minus(FULL_EVERY));
        try {
            String password = sources.bindPasswordCiphertext(id).map(c -> cipher.decrypt(c, PASSWORD)).orElse(null);
            LdapReader.Snapshot read = reader.read(s, password, full ? null : since);
            var summary = importer.apply(s, read);
            sources.finished(id, full, "OK", null, (full ? "full: " : "incremental: ") + summary.text(), read.newestChange(),
                    clock.instant());
        } catch (RuntimeException e) {
            // Unreadable says what is wrong with the directory; anything else is Orchard's, named by its type
            String why = e instanceof LdapReader.Unreadable ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.warn("Directory source '{}' not synced: {}", s.name(), why);
            sources.finished(id, full, "FAILED", why, null, null, clock.instant());
        }
    }

    private DirectorySource check(Input in, DirectorySource c) {
        String name = in.name() == null && c != null ? c.name() : Fields.required("name", in.name(), 100);
        if (in.kind() != null && !in.kind().strip().equalsIgnoreCase("LDAP")) {
            throw new Fields.InvalidFieldException("kind", "kind must be LDAP (SCIM provisioning needs no source: see /scim/v2)");
        }
        String url = in.url() == null && c != null ? c.url() : ldapUrl(in.url());
        boolean startTls = in.startTls() == null ? c != null && c.startTls() : in.startTls();
        if (startTls && url.startsWith("ldaps:")) {
            throw new Fields.InvalidFieldException("startTls", "StartTLS is for ldap:// URLs; an ldaps:// URL is TLS already");
        }
        String bindDn = in.bindDn() == null ? c == null ? null : c.bindDn() : in.bindDn().isBlank() ? null : dn("bindDn", in.bindDn());
        String userBase = in.userBaseDn() == null && c != null ? c.userBaseDn() : dn("userBaseDn", in.userBaseDn());
        String groupBase = in.groupBaseDn() == null && c != null ? c.groupBaseDn() : dn("groupBaseDn", in.groupBaseDn());
        String userFilter = pick(in.userFilter(), c == null ? null : c.userFilter(), "(objectClass=inetOrgPerson)");
        String groupFilter = pick(in.groupFilter(), c == null ? null : c.groupFilter(), "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))");
        filter("userFilter", userFilter);
        filter("groupFilter", groupFilter);
        int page = in.pageSize() == null ? c == null ? 500 : c.pageSize() : in.pageSize();
        int minutes = in.syncMinutes() == null ? c == null ? 60 : c.syncMinutes() : in.syncMinutes();
        if (page < 10 || page > 5000) {
            throw new Fields.InvalidFieldException("pageSize", "pageSize must be between 10 and 5000");
        }
        if (minutes < 5 || minutes > 1440) {
            throw new Fields.InvalidFieldException("syncMinutes", "syncMinutes must be between 5 and 1440");
        }
        DirectorySource.OnDelete onDelete;
        try {
            onDelete = in.onDelete() == null ? c == null ? DirectorySource.OnDelete.RECLAIM : c.onDelete()
                    : DirectorySource.OnDelete.valueOf(in.onDelete().strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Fields.InvalidFieldException("onDelete", "onDelete must be RECLAIM or KEEP");
        }
        return new DirectorySource(c == null ? 0 : c.id(), name, DirectorySource.Kind.LDAP, url, startTls, bindDn, false,
                userBase, userFilter, groupBase, groupFilter,
                attribute("userIdAttribute", in.userIdAttribute(), c == null ? null : c.userIdAttribute(), "uid", true),
                attribute("emailAttribute", in.emailAttribute(), c == null ? null : c.emailAttribute(), "mail", false),
                attribute("managedAppleIdAttribute", in.managedAppleIdAttribute(), c == null ? null : c.managedAppleIdAttribute(), null, false),
                attribute("displayNameAttribute", in.displayNameAttribute(), c == null ? null : c.displayNameAttribute(), "cn", false),
                attribute("groupIdAttribute", in.groupIdAttribute(), c == null ? null : c.groupIdAttribute(), "cn", true),
                attribute("groupNameAttribute", in.groupNameAttribute(), c == null ? null : c.groupNameAttribute(), "cn", true),
                attribute("memberAttribute", in.memberAttribute(), c == null ? null : c.memberAttribute(), "member", true),
                page, minutes, onDelete, in.enabled() == null ? c == null || c.enabled() : in.enabled(),
                in.caCertificate() == null ? c == null ? null : c.caCertificate() : certificate(in.caCertificate()),
                null, null, null, null, null, 0, 0, null, null);
    }

    /** A PEM certificate (blank removes it), checked to be one. */
    private static String certificate(String pem) {
        if (pem.isBlank()) {
            return null;
        }
        if (pem.length() > 20_000) {
            throw new Fields.InvalidFieldException("caCertificate", "caCertificate is too long for one PEM certificate");
        }
        try {
            LdapTls.certificate(pem);
            return pem.strip();
        } catch (IllegalArgumentException e) {
            throw new Fields.InvalidFieldException("caCertificate", "caCertificate must be a PEM certificate "
                    + "(-----BEGIN CERTIFICATE----- …)");
        }
    }

    private static String pick(String given, String current, String fallback) {
        return given != null ? given.strip() : current != null ? current : fallback;
    }

    private static String ldapUrl(String value) {
        return Fields.url("url", value, 2000, java.util.Set.of("ldap", "ldaps"), "ldap://host[:port] or ldaps://host[:port]");
    }

    private static String dn(String field, String value) {
        String dn = Fields.required(field, value, 1000);
        try {
            new LdapName(dn);
            return dn;
        } catch (InvalidNameException e) {
            throw new Fields.InvalidFieldException(field, field + " is not a DN (like ou=People,dc=example,dc=com)");
        }
    }

    private static void filter(String field, String value) {
        int depth = 0;
        for (char ch : value.toCharArray()) {
            depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
            if (depth < 0) {
                break;
            }
        }
        if (value.length() > 1000 || !value.startsWith("(") || !value.endsWith(")") || depth != 0) {
            throw new Fields.InvalidFieldException(field, field + " must be an LDAP filter in parentheses, like (objectClass=person)");
        }
    }

    private static String attribute(String field, String given, String current, String fallback, boolean required) {
        String v = given == null ? current == null ? fallback : current : given.isBlank() ? null : given.strip();
        if (v == null) {
            if (required) {
                throw new Fields.InvalidFieldException(field, field + " is required");
            }
            return null;
        }
        if (!v.matches("[A-Za-z][A-Za-z0-9-]{0,99}")) {
            throw new Fields.InvalidFieldException(field, field + " must be an attribute name like mail");
        }
        return v;
    }

    private String seal(String password) {
        String p = Fields.secret("bindPassword", password, 1000);
        return p == null ? null : cipher.encrypt(p, PASSWORD);
    }

    private static String describe(DirectorySource s) {
        return s.name() + " " + s.url() + (s.startTls() ? " StartTLS" : "") + (s.caCertificate() != null ? " own CA" : "") + " users " + s.userBaseDn() + " " + s.userFilter()
                + " groups " + s.groupBaseDn() + " " + s.groupFilter() + " every " + s.syncMinutes() + " min, deleted users: "
                + s.onDelete() + (s.enabled() ? "" : " (off)");
    }
}
