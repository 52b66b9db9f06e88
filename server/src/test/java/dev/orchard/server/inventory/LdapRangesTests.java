package dev.orchard.server.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import javax.naming.directory.BasicAttribute;
import javax.naming.directory.BasicAttributes;

import org.junit.jupiter.api.Test;

/**
 * Active Directory answers a large group's members in ranges ({@code member;range=0-1499}, the last one ending in
 * {@code *}); a group read as if its members were all there would look empty or short, and its members would lose
 * their licenses (R4a). The parts are read and the next range named; OpenLDAP's plain attribute has none.
 */
class LdapRangesTests {

    @Test
    void aRangedAttributeNamesTheNextRangeUntilItsLastPart() {
        var first = new BasicAttributes(true);
        var part = new BasicAttribute("member;range=0-1499");
        part.add("CN=A,OU=Staff,DC=example,DC=com");
        part.add("CN=B,OU=Staff,DC=example,DC=com");
        first.put(part);
        first.put("cn", "Big group");
        var read = LdapGroups.ranged(first, "member");
        assertThat(read.values()).containsExactly("CN=A,OU=Staff,DC=example,DC=com", "CN=B,OU=Staff,DC=example,DC=com");
        assertThat(read.next()).isEqualTo(1500);

        var last = new BasicAttributes(true);
        last.put(new BasicAttribute("member;range=1500-*", "CN=C,OU=Staff,DC=example,DC=com"));
        assertThat(LdapGroups.ranged(last, "member").next()).isNull();
        assertThat(LdapGroups.ranged(last, "member").values()).containsExactly("CN=C,OU=Staff,DC=example,DC=com");

        var plain = new BasicAttributes(true);
        plain.put(new BasicAttribute("member", "uid=a,ou=People,dc=example,dc=com"));
        assertThat(LdapGroups.ranged(plain, "member").next()).isNull();
        assertThat(LdapGroups.ranged(plain, "member").values()).hasSize(1);
        assertThat(LdapGroups.ranged(new BasicAttributes(true), "member").values()).isEmpty();
    }
}
