package dev.orchard.server.inventory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS to a directory whose certificate a CA of the source's own signed (the usual internal CA): an SSL socket factory
 * trusting that CA alone. StartTLS takes the factory directly; an {@code ldaps://} connection is opened by the JDK's
 * LDAP client through a factory class name, so this class is that factory and hands out, on the connecting thread,
 * the one the reader installed for the connection ({@link #use}); without one it is the JVM's default.
 */
public final class LdapTls extends SocketFactory {

    private static final ThreadLocal<SSLSocketFactory> CURRENT = new ThreadLocal<>();

    /** The PEM certificate parsed; an IllegalArgumentException when it is not one. */
    static X509Certificate certificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.strip().getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("not a PEM certificate", e);
        }
    }

    /** A factory whose sockets trust only the CA. */
    static SSLSocketFactory trusting(String pem) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("directory-ca", certificate(pem));
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the directory's CA certificate cannot be used: " + e.getMessage(), e);
        }
    }

    /** Makes {@link #getDefault} hand out {@code factory} on this thread until {@link #done}. */
    static void use(SSLSocketFactory factory) {
        CURRENT.set(factory);
    }

    static void done() {
        CURRENT.remove();
    }

    /** Called by the JDK's LDAP client (by name) for each {@code ldaps://} connection. */
    public static SocketFactory getDefault() {
        SSLSocketFactory f = CURRENT.get();
        return new LdapTls(f == null ? (SSLSocketFactory) SSLSocketFactory.getDefault() : f);
    }

    private final SSLSocketFactory delegate;

    private LdapTls(SSLSocketFactory delegate) {
        this.delegate = delegate;
    }

    @Override
    public Socket createSocket() throws IOException {
        return delegate.createSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return delegate.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return delegate.createSocket(address, port, localAddress, localPort);
    }
}
