package dev.orchard.server.inventory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.ldap.LdapContext;
import javax.naming.ldap.LdapName;

/**
 * A directory's groups as Orchard needs them: every member, however the server hands them out (Active Directory's
 * ranges of a large group's values), and nested groups expanded into the users they hold.
 */
final class LdapGroups {

    private LdapGroups() {
    }

    /**
     * An attribute's values as a server gave them, and where to go on: Active Directory returns at most 1,500 values of
     * a large group's {@code member} per answer, as {@code member;range=0-1499}; the last part ends in {@code *}.
     * {@code next}: the first value not given yet, or null when all were.
     */
    record Ranged(List<String> values, Integer next) {
    }

    static Ranged ranged(Attributes attributes, String attribute) {
        var values = new ArrayList<String>();
        Integer next = null;
        String prefix = attribute.toLowerCase(Locale.ROOT) + ";range=";
        try {
            NamingEnumeration<? extends Attribute> all = attributes.getAll();
            while (all.hasMore()) {
                Attribute a = all.next();
                String id = a.getID().toLowerCase(Locale.ROOT);
                if (id.equals(attribute.toLowerCase(Locale.ROOT)) || id.startsWith(prefix)) {
                    NamingEnumeration<?> v = a.getAll();
                    while (v.hasMore()) {
                        values.add(v.next().toString());
                    }
                    if (id.startsWith(prefix)) {
                        String end = id.substring(id.indexOf('-', prefix.length()) + 1);
                        next = end.equals("*") ? null : Integer.parseInt(end) + 1;
                    }
                }
            }
        } catch (NamingException | NumberFormatException e) {
            throw new LdapReader.Unreadable("the directory's " + attribute + " values could not be read: " + e.getMessage());
        }
        return new Ranged(values, next);
    }

    /** The rest of a group's members, range after range (after the paged search, with no paging control). */
    static List<String> moreMembers(LdapContext ctx, DirectorySource s, String dn, int from) {
        var out = new ArrayList<String>();
        Integer next = from;
        try {
            ctx.setRequestControls(null);
            while (next != null) {
                Ranged part = ranged(ctx.getAttributes(new LdapName(dn), new String[] {s.memberAttribute() + ";range=" + next + "-*"}),
                        s.memberAttribute());
                out.addAll(part.values());
                if (part.values().isEmpty() && part.next() != null) {
                    throw new LdapReader.Unreadable("the directory gave an empty range of " + dn + "'s members");
                }
                next = part.next();
            }
        } catch (NamingException e) {
            throw new LdapReader.Unreadable("reading the members of " + dn + " failed: " + LdapReader.describe(e));
        }
        return out;
    }

    /** Every user id a group holds, its nested groups' included: DNs mapped through {@code userIdByDn}. */
    static Set<String> members(LdapReader.GroupEntry group, Map<String, LdapReader.GroupEntry> groupsByDn, Map<String, String> userIdByDn,
                               Set<String> knownIds) {
        Set<String> out = new HashSet<>();
        expand(group, groupsByDn, userIdByDn, knownIds, out, new HashSet<>());
        return out;
    }

    private static void expand(LdapReader.GroupEntry g, Map<String, LdapReader.GroupEntry> groupsByDn, Map<String, String> userIdByDn,
                               Set<String> knownIds, Set<String> out, Set<String> seen) {
        if (!seen.add(g.dn())) {
            return;
        }
        for (String m : g.members()) {
            LdapReader.GroupEntry nested = groupsByDn.get(m);
            if (nested != null) {
                expand(nested, groupsByDn, userIdByDn, knownIds, out, seen);
            } else if (userIdByDn.containsKey(m)) {
                out.add(userIdByDn.get(m));
            } else if (!m.contains("=") && knownIds.contains(m)) {
                out.add(m);
            }
        }
    }

    /** The groups by their (normalised) DN, to find the groups nested in a group. */
    static Map<String, LdapReader.GroupEntry> byDn(Map<String, LdapReader.GroupEntry> groups) {
        Map<String, LdapReader.GroupEntry> out = new HashMap<>();
        groups.values().forEach(g -> out.put(g.dn(), g));
        return out;
    }
}
