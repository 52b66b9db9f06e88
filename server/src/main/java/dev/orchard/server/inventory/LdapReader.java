package dev.orchard.server.inventory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.naming.ldap.Control;
import javax.naming.ldap.InitialLdapContext;
import javax.naming.ldap.LdapContext;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.PagedResultsControl;
import javax.naming.ldap.PagedResultsResponseControl;
import javax.naming.ldap.StartTlsRequest;
import javax.naming.ldap.StartTlsResponse;

import org.springframework.stereotype.Component;

/**
 * Reads an LDAP directory (OpenLDAP, Active Directory) with the JDK's LDAP client: {@code ldap://} (optionally upgraded
 * with StartTLS) or {@code ldaps://}, trusting the source's own CA when it has one ({@link LdapTls}), a simple bind, every search in pages (the Simple Paged Results control, so a
 * server's size limit never cuts a listing short). Users come from the user base and filter — on an incremental read
 * only those whose {@code modifyTimestamp} is at or after the last change seen; groups always come whole, with their
 * members (Active Directory's ranged values of large groups read to the end) (a DN, or a user id for {@code memberUid}-style groups), nested groups expanded (cycles are harmless):
 * a nested group's change does not change its parent's timestamp, so an incremental read of groups would miss it.
 */
@Component
class LdapReader {

    /** What was read. {@code users}: by user id, each with its DN; {@code groups}: by group id. */
    record Snapshot(Map<String, Entry> users, Map<String, GroupEntry> groups, String newestChange, boolean full) {
    }

    record Entry(String dn, DirectoryUser user) {
    }

    /** A group with its members: user DNs or ids as the server gave them, and groups nested in it, by DN. */
    record GroupEntry(String dn, String id, String name, Set<String> members) {
    }

    /** Why a directory could not be read, fit to show an administrator (never the password). */
    static final class Unreadable extends RuntimeException {
        Unreadable(String message) {
            super(message);
        }
    }

    static final int TIMEOUT_MS = 30_000;

    /** Reads users (all, or changed at or after {@code changedSince}) and every group. */
    Snapshot read(DirectorySource s, String password, String changedSince) {
        boolean full = changedSince == null;
        LdapContext ctx = connect(s, password);
        try {
            Map<String, Entry> users = new LinkedHashMap<>();
            String[] newest = {changedSince};
            var userAttributes = new ArrayList<>(List.of(s.userIdAttribute(), "modifyTimestamp"));
            for (String a : new String[] {s.emailAttribute(), s.managedAppleIdAttribute(), s.displayNameAttribute()}) {
                if (a != null) {
                    userAttributes.add(a);
                }
            }
            String filter = full ? s.userFilter() : "(&" + s.userFilter() + "(modifyTimestamp>=" + changedSince + "))";
            search(ctx, s, s.userBaseDn(), filter, userAttributes.toArray(String[]::new), r -> {
                Attributes a = r.getAttributes();
                String id = first(a, s.userIdAttribute());
                if (id == null) {
                    return; // not a user Orchard can name
                }
                String changed = first(a, "modifyTimestamp");
                if (changed != null && (newest[0] == null || changed.compareTo(newest[0]) > 0)) {
                    newest[0] = changed;
                }
                try {
                    users.put(id, new Entry(normal(r.getNameInNamespace()), new DirectoryUser(id, email(first(a, s.emailAttribute())),
                            email(first(a, s.managedAppleIdAttribute())), first(a, s.displayNameAttribute()))));
                } catch (IllegalArgumentException e) {
                    // an entry Orchard cannot take (an id with characters Apple refuses): left out, the rest goes on
                }
            });
            Map<String, GroupEntry> groups = new LinkedHashMap<>();
            Map<String, LdapGroups.Ranged> unfinished = new LinkedHashMap<>();
            search(ctx, s, s.groupBaseDn(), s.groupFilter(), new String[] {s.groupIdAttribute(), s.groupNameAttribute(),
                    s.memberAttribute()}, r -> {
                Attributes a = r.getAttributes();
                String id = first(a, s.groupIdAttribute());
                if (id == null) {
                    return;
                }
                String name = first(a, s.groupNameAttribute());
                Set<String> members = new HashSet<>();
                LdapGroups.Ranged values = LdapGroups.ranged(a, s.memberAttribute());
                values.values().forEach(m -> members.add(m.contains("=") ? normal(m) : m));
                groups.put(id, new GroupEntry(normal(r.getNameInNamespace()), id, name == null ? id : name, members));
                if (values.next() != null) {
                    unfinished.put(id, new LdapGroups.Ranged(List.of(r.getNameInNamespace()), values.next()));
                }
            });
            unfinished.forEach((id, rest) -> LdapGroups.moreMembers(ctx, s, rest.values().get(0), rest.next())
                    .forEach(m -> groups.get(id).members().add(m.contains("=") ? normal(m) : m)));
            return new Snapshot(users, groups, newest[0], full);
        } finally {
            try {
                ctx.close();
            } catch (NamingException ignored) {
                // closing a connection that failed
            }
        }
    }

    private static LdapContext connect(DirectorySource s, String password) {
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, s.url());
        env.put(Context.REFERRAL, "ignore");
        env.put("com.sun.jndi.ldap.connect.timeout", Integer.toString(TIMEOUT_MS));
        env.put("com.sun.jndi.ldap.read.timeout", Integer.toString(TIMEOUT_MS));
        env.put("com.sun.jndi.ldap.connect.pool", "false");
        javax.net.ssl.SSLSocketFactory own = s.caCertificate() == null ? null : LdapTls.trusting(s.caCertificate());
        try {
            if (!s.startTls()) {
                bindEnv(env, s, password);
                if (own != null && s.url().startsWith("ldaps:")) {
                    env.put("java.naming.ldap.factory.socket", LdapTls.class.getName());
                    LdapTls.use(own);
                }
                return new InitialLdapContext(env, null);
            }
            env.put(Context.SECURITY_AUTHENTICATION, "none");
            LdapContext ctx = new InitialLdapContext(env, null);
            StartTlsResponse tls = (StartTlsResponse) ctx.extendedOperation(new StartTlsRequest());
            if (own == null) {
                tls.negotiate();
            } else {
                tls.negotiate(own);
            }
            if (s.bindDn() != null) {
                ctx.addToEnvironment(Context.SECURITY_AUTHENTICATION, "simple");
                ctx.addToEnvironment(Context.SECURITY_PRINCIPAL, s.bindDn());
                ctx.addToEnvironment(Context.SECURITY_CREDENTIALS, password == null ? "" : password);
                ctx.reconnect(null);
            }
            return ctx;
        } catch (javax.naming.AuthenticationException e) {
            throw new Unreadable("the directory refused the bind DN or its password");
        } catch (javax.net.ssl.SSLException e) {
            throw new Unreadable("TLS with " + s.url() + " failed (is its certificate signed by the CA given, and for this "
                    + "host name?): " + describe(e));
        } catch (NamingException | IOException e) {
            if (e.getCause() instanceof javax.net.ssl.SSLException tls) {
                throw new Unreadable("TLS with " + s.url() + " failed (is its certificate signed by the CA given, and for "
                        + "this host name?): " + describe(tls));
            }
            throw new Unreadable("cannot connect to " + s.url() + ": " + describe(e));
        } finally {
            LdapTls.done();
        }
    }

    private static void bindEnv(Hashtable<String, Object> env, DirectorySource s, String password) {
        if (s.bindDn() == null) {
            env.put(Context.SECURITY_AUTHENTICATION, "none");
        } else {
            env.put(Context.SECURITY_AUTHENTICATION, "simple");
            env.put(Context.SECURITY_PRINCIPAL, s.bindDn());
            env.put(Context.SECURITY_CREDENTIALS, password == null ? "" : password);
        }
    }

    private static void search(LdapContext ctx, DirectorySource s, String base, String filter, String[] attributes,
                               Consumer<SearchResult> each) {
        var controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        controls.setReturningAttributes(attributes);
        controls.setTimeLimit(TIMEOUT_MS);
        try {
            byte[] cookie = null;
            do {
                ctx.setRequestControls(new Control[] {new PagedResultsControl(s.pageSize(), cookie, Control.CRITICAL)});
                NamingEnumeration<SearchResult> results = ctx.search(base, filter, controls);
                while (results.hasMore()) {
                    each.accept(results.next());
                }
                cookie = null;
                Control[] response = ctx.getResponseControls();
                if (response != null) {
                    for (Control c : response) {
                        if (c instanceof PagedResultsResponseControl paged) {
                            cookie = paged.getCookie();
                        }
                    }
                }
            } while (cookie != null && cookie.length > 0);
        } catch (javax.naming.NameNotFoundException e) {
            throw new Unreadable("the base DN '" + base + "' does not exist in the directory");
        } catch (javax.naming.directory.InvalidSearchFilterException e) {
            throw new Unreadable("the filter " + filter + " is not a valid LDAP filter");
        } catch (NamingException | IOException e) {
            throw new Unreadable("searching " + base + " failed: " + describe(e));
        }
    }

    private static String first(Attributes attributes, String name) {
        if (name == null) {
            return null;
        }
        Attribute a = attributes.get(name);
        try {
            Object v = a == null ? null : a.get();
            return v == null ? null : v.toString().strip();
        } catch (NamingException e) {
            return null;
        }
    }

    /** A DN in one form (case and spacing as the LDAP rules ignore them), so members match entries. */
    static String normal(String dn) {
        try {
            var name = new LdapName(dn);
            var parts = new ArrayList<String>();
            for (int i = name.size() - 1; i >= 0; i--) {
                parts.add(name.getRdn(i).toString());
            }
            return String.join(",", parts).toLowerCase(Locale.ROOT);
        } catch (javax.naming.InvalidNameException e) {
            return dn.toLowerCase(Locale.ROOT);
        }
    }

    private static String email(String value) {
        return value == null || !value.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+") ? null : value;
    }

    static String describe(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 300 ? m.substring(0, 300) : m));
    }
}
