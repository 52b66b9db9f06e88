package dev.orchard.server.mdm.nano;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority for tests: issues device identity certificates (RSA 2048, clientAuth) the way an MDM's SCEP
 * service would, so emulated devices can prove who they are to the NanoMDM double as real devices do. The CA's own key
 * is EC P-256.
 * <p>
 * The devices of one CA share one RSA key pair (each gets its own certificate): an RSA key takes about 150 ms to make,
 * and an RSA signature is checked about 30 times faster than a P-256 one, which a thousand-device test, whose every
 * message NanoMDM verifies, was spending a fifth of its time on.
 */
public final class TestCa {

    /** A device identity: its key and the certificate the CA issued for it. */
    public record Identity(PrivateKey key, X509Certificate certificate) {
    }

    private final KeyPair keys;
    private final X509Certificate certificate;
    private volatile KeyPair deviceKeys;
    private final AtomicLong serials = new AtomicLong(System.nanoTime());

    public TestCa(String name) {
        try {
            keys = ecKeys();
            X500Name subject = new X500Name("CN=" + name);
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, BigInteger.ONE, Date.from(now.minus(1, ChronoUnit.DAYS)),
                    Date.from(now.plus(3650, ChronoUnit.DAYS)), subject, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            certificate = new JcaX509CertificateConverter().getCertificate(b.build(signer(keys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A device identity for {@code commonName}; {@code clientAuth} false gives one NanoMDM must refuse. */
    public Identity issue(String commonName, boolean clientAuth) {
        try {
            KeyPair device = deviceKeys();
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=Orchard Test CA"),
                    BigInteger.valueOf(serials.incrementAndGet()), Date.from(now.minus(1, ChronoUnit.DAYS)),
                    Date.from(now.plus(365, ChronoUnit.DAYS)), new X500Name("CN=" + commonName), device.getPublic());
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(clientAuth ? KeyPurposeId.id_kp_clientAuth
                    : KeyPurposeId.id_kp_emailProtection));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(keys.getPrivate())));
            return new Identity(device.getPrivate(), cert);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A TLS server identity for {@code localhost} and {@code 127.0.0.1} (serverAuth), as PEM texts a server such as
     * slapd reads: the certificate and its PKCS#8 key.
     */
    public record ServerPem(String certificate, String key) {
    }

    public ServerPem issueServer() {
        try {
            KeyPair server = deviceKeys();
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate.getSubjectX500Principal(),
                    BigInteger.valueOf(serials.incrementAndGet()), Date.from(now.minus(1, ChronoUnit.DAYS)),
                    Date.from(now.plus(365, ChronoUnit.DAYS)), new javax.security.auth.x500.X500Principal("CN=localhost"),
                    server.getPublic());
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.subjectAlternativeName, false, new org.bouncycastle.asn1.x509.GeneralNames(
                    new org.bouncycastle.asn1.x509.GeneralName[] {
                            new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.dNSName, "localhost"),
                            new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.iPAddress, "127.0.0.1")}));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(keys.getPrivate())));
            return new ServerPem(pem(cert), pem(server.getPrivate()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An object (certificate, key) in PEM. */
    public static String pem(Object o) {
        var out = new java.io.StringWriter();
        try (var w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
            w.writeObject(o instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : o);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString();
    }

    static ContentSigner signer(PrivateKey key) throws org.bouncycastle.operator.OperatorCreationException {
        return new JcaContentSignerBuilder("RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA").build(key);
    }

    private KeyPair deviceKeys() throws GeneralSecurityException {
        KeyPair k = deviceKeys;
        if (k == null) {
            synchronized (this) {
                if (deviceKeys == null) {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(2048);
                    deviceKeys = g.generateKeyPair();
                }
                k = deviceKeys;
            }
        }
        return k;
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }
}
