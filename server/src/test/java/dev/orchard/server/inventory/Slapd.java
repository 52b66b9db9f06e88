package dev.orchard.server.inventory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;

import javax.naming.Context;
import javax.naming.NamingException;
import javax.naming.directory.BasicAttribute;
import javax.naming.directory.BasicAttributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.ModificationItem;

import dev.orchard.server.Await;
import dev.orchard.server.OrchardInstance;

/**
 * A real OpenLDAP server (Debian's {@code slapd}, installed by {@code .ci/run}) for a test: its own configuration and
 * database under the test's directory, on a free loopback port, with the size limit of a stock server (500 entries
 * per search unless the client pages). Entries are written with the JDK's LDAP client as the root DN.
 */
final class Slapd implements AutoCloseable {

    static final String SUFFIX = "dc=example,dc=com";
    static final String ROOT_DN = "cn=admin," + SUFFIX;
    static final String ROOT_PASSWORD = "slapd-root-password";
    private static final Path BINARY = Path.of("/usr/sbin/slapd");

    private final Process process;
    private final int port;
    private final int tlsPort;

    Slapd(Path dir) {
        this(dir, null);
    }

    /** With {@code tls} (certificate and key PEM signed by a test CA), also ldaps:// on {@link #ldapsUrl} and StartTLS. */
    Slapd(Path dir, dev.orchard.server.mdm.nano.TestCa.ServerPem tls) {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("OpenLDAP's slapd is missing: install it (apt-get install slapd), as .ci/run does");
        }
        port = OrchardInstance.freePort();
        tlsPort = tls == null ? 0 : OrchardInstance.freePort();
        try {
            Path db = Files.createDirectories(dir.resolve("db"));
            String tlsConf = "";
            if (tls != null) {
                Files.writeString(dir.resolve("server.crt"), tls.certificate());
                Files.writeString(dir.resolve("server.key"), tls.key());
                tlsConf = "TLSCertificateFile " + dir.resolve("server.crt") + "\nTLSCertificateKeyFile " + dir.resolve("server.key");
            }
            Path conf = dir.resolve("slapd.conf");
            Files.writeString(conf, String.join("\n",
                    "include /etc/ldap/schema/core.schema",
                    "include /etc/ldap/schema/cosine.schema",
                    "include /etc/ldap/schema/inetorgperson.schema",
                    "modulepath /usr/lib/ldap",
                    "moduleload back_mdb",
                    "pidfile " + dir.resolve("slapd.pid"),
                    "sizelimit size.soft=500 size.hard=500 size.prtotal=unlimited",
                    tlsConf,
                    "database mdb",
                    "maxsize 268435456",
                    "suffix \"" + SUFFIX + "\"",
                    "rootdn \"" + ROOT_DN + "\"",
                    "rootpw " + ROOT_PASSWORD,
                    "directory " + db,
                    "index objectClass eq",
                    "index uid,cn eq",
                    ""));
            String listen = "ldap://127.0.0.1:" + port + "/" + (tls == null ? "" : " ldaps://127.0.0.1:" + tlsPort + "/");
            process = new ProcessBuilder(BINARY.toString(), "-f", conf.toString(), "-h", listen, "-d", "0")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("slapd.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Await.until("slapd listening on " + port, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("slapd ended: " + read(dir.resolve("slapd.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        add(SUFFIX, attrs("objectClass", "top", "objectClass", "dcObject", "objectClass", "organization", "dc", "example", "o", "Example"));
        add("ou=People," + SUFFIX, attrs("objectClass", "organizationalUnit", "ou", "People"));
        add("ou=Groups," + SUFFIX, attrs("objectClass", "organizationalUnit", "ou", "Groups"));
    }

    String url() {
        return "ldap://127.0.0.1:" + port;
    }

    /** The same server by name (the certificate's name), in clear (for StartTLS) or over TLS. */
    String localUrl() {
        return "ldap://localhost:" + port;
    }

    String ldapsUrl() {
        return "ldaps://localhost:" + tlsPort;
    }

    static String userDn(String uid) {
        return "uid=" + uid + ",ou=People," + SUFFIX;
    }

    static String groupDn(String cn) {
        return "cn=" + cn + ",ou=Groups," + SUFFIX;
    }

    void addUser(String uid, String mail) {
        add(userDn(uid), attrs("objectClass", "inetOrgPerson", "uid", uid, "cn", "User " + uid, "sn", uid, "mail", mail));
    }

    /** Many users over one connection (a directory of thousands is loaded in a few seconds). */
    void addUsers(List<String> uids) {
        withRoot(ctx -> {
            for (String uid : uids) {
                ctx.createSubcontext(userDn(uid), attrs("objectClass", "inetOrgPerson", "uid", uid, "cn", "User " + uid, "sn", uid,
                        "mail", uid + "@example.com")).close();
            }
            return null;
        });
    }

    /** A groupOfNames with these member DNs (it needs at least one). */
    void addGroup(String cn, List<String> memberDns) {
        var a = attrs("objectClass", "groupOfNames", "cn", cn);
        var member = new BasicAttribute("member");
        memberDns.forEach(member::add);
        a.put(member);
        add(groupDn(cn), a);
    }

    void addMember(String group, String memberDn) {
        modify(groupDn(group), DirContext.ADD_ATTRIBUTE, "member", memberDn);
    }

    void removeMember(String group, String memberDn) {
        modify(groupDn(group), DirContext.REMOVE_ATTRIBUTE, "member", memberDn);
    }

    void replace(String dn, String attribute, String value) {
        modify(dn, DirContext.REPLACE_ATTRIBUTE, attribute, value);
    }

    void delete(String dn) {
        withRoot(ctx -> {
            ctx.destroySubcontext(dn);
            return null;
        });
    }

    private void modify(String dn, int op, String attribute, String value) {
        withRoot(ctx -> {
            ctx.modifyAttributes(dn, new ModificationItem[] {new ModificationItem(op, new BasicAttribute(attribute, value))});
            return null;
        });
    }

    private void add(String dn, BasicAttributes attributes) {
        withRoot(ctx -> {
            ctx.createSubcontext(dn, attributes).close();
            return null;
        });
    }

    private interface Work {
        Object run(DirContext ctx) throws NamingException;
    }

    private void withRoot(Work work) {
        Hashtable<String, Object> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, url());
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, ROOT_DN);
        env.put(Context.SECURITY_CREDENTIALS, ROOT_PASSWORD);
        try {
            DirContext ctx = new InitialDirContext(env);
            try {
                work.run(ctx);
            } finally {
                ctx.close();
            }
        } catch (NamingException e) {
            throw new IllegalStateException("slapd refused a change: " + e, e);
        }
    }

    private static BasicAttributes attrs(String... pairs) {
        var a = new BasicAttributes(true);
        for (int i = 0; i < pairs.length; i += 2) {
            var existing = a.get(pairs[i]);
            if (existing == null) {
                a.put(pairs[i], pairs[i + 1]);
            } else {
                existing.add(pairs[i + 1]);
            }
        }
        return a;
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }
}
