package dev.orchard.server.mdm.nano;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * How a device proves its identity on NanoMDM's {@code /mdm}: the {@code Mdm-Signature} header, base64 of a DER CMS
 * SignedData, detached, over the exact body bytes, with the signer certificate included; or, behind a TLS proxy, the
 * certificate in a header as {@code :base64(DER):} (RFC 9440) or as query-escaped PEM. The certificate must chain to
 * the CA NanoMDM was given and, if it lists extended key usages, include clientAuth.
 */
final class MdmSignature {

    private MdmSignature() {
    }

    static String sign(TestCa.Identity identity, byte[] body) {
        try {
            var generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                    .build(TestCa.signer(identity.key()), identity.certificate()));
            generator.addCertificates(new JcaCertStore(List.of(identity.certificate())));
            CMSSignedData signed = generator.generate(new CMSProcessableByteArray(body), false);
            return Base64.getEncoder().encodeToString(signed.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 9440's form of a certificate in a header. */
    static String certHeader(X509Certificate certificate) {
        try {
            return ":" + Base64.getEncoder().encodeToString(certificate.getEncoded()) + ":";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The signer's certificate, verified over {@code body}; an {@link IllegalArgumentException} says why not. */
    static X509Certificate verifySignature(String header, byte[] body, X509Certificate ca) {
        if (header == null || header.isBlank()) {
            throw new IllegalArgumentException("missing Mdm-Signature header");
        }
        try {
            var signed = new CMSSignedData(new CMSProcessableByteArray(body), Base64.getDecoder().decode(header.strip()));
            Collection<SignerInformation> signers = signed.getSignerInfos().getSigners();
            if (signers.size() != 1) {
                throw new IllegalArgumentException("expected one signer");
            }
            SignerInformation signer = signers.iterator().next();
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> certs = signed.getCertificates().getMatches(signer.getSID());
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("no signer certificate in the signature");
            }
            X509CertificateHolder holder = certs.iterator().next();
            if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().build(holder))) {
                throw new IllegalArgumentException("signature does not verify");
            }
            return trusted(new JcaX509CertificateConverter().getCertificate(holder), ca);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("bad Mdm-Signature: " + e.getMessage(), e);
        }
    }

    /** The certificate a TLS proxy put in a header. */
    static X509Certificate verifyCertHeader(String header, X509Certificate ca) {
        if (header == null || header.isBlank()) {
            throw new IllegalArgumentException("missing certificate header");
        }
        try {
            String v = header.strip();
            byte[] der;
            if (v.startsWith(":") && v.endsWith(":") && v.length() > 2) {
                der = Base64.getDecoder().decode(v.substring(1, v.length() - 1));
            } else {
                String pem = URLDecoder.decode(v, StandardCharsets.UTF_8).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
                der = Base64.getDecoder().decode(pem);
            }
            var cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(der));
            return trusted(cert, ca);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("bad certificate header: " + e.getMessage(), e);
        }
    }

    /** Certificates whose issuer signature was checked against a CA: the check's answer never changes for a pair. */
    private record Issued(X509Certificate cert, X509Certificate ca) {
    }

    private static final java.util.Set<Issued> ISSUED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static X509Certificate trusted(X509Certificate cert, X509Certificate ca) {
        try {
            // a device presents the same certificate at every check-in: its issuer's signature is verified once (a
            // P-256 verification per message was a large part of a thousand-device test's time); validity and key
            // usage are looked at every time, as NanoMDM does
            if (!ISSUED.contains(new Issued(cert, ca))) {
                cert.verify(ca.getPublicKey());
                ISSUED.add(new Issued(cert, ca));
            }
            cert.checkValidity();
            List<String> eku = cert.getExtendedKeyUsage();
            if (eku != null && !eku.contains("1.3.6.1.5.5.7.3.2")) {
                throw new IllegalArgumentException("certificate lacks the clientAuth extended key usage");
            }
            return cert;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("certificate not issued by the configured CA: " + e.getMessage(), e);
        }
    }
}
