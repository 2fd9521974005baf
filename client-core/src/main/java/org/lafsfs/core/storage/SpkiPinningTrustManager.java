package org.lafsfs.core.storage;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server key: the certificate must be well formed, currently
 * valid and correctly self-signed, and the SHA-256 of its SubjectPublicKeyInfo
 * must equal the hash in the server's NURL. No certificate authorities and no
 * host names are involved, as the storage protocol specifies.
 */
final class SpkiPinningTrustManager extends X509ExtendedTrustManager {
    private final byte[] expectedSpkiHash;

    SpkiPinningTrustManager(byte[] expectedSpkiHash) {
        this.expectedSpkiHash = expectedSpkiHash.clone();
    }

    /** The SPKI hash of a certificate, as NURLs carry it. */
    static byte[] spkiHash(X509Certificate certificate) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server presented no certificate");
        }
        X509Certificate leaf = chain[0];
        leaf.checkValidity();
        try {
            leaf.verify(chain.length > 1 ? chain[1].getPublicKey() : leaf.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new CertificateException("the server's certificate signature does not verify", e);
        }
        if (!MessageDigest.isEqual(spkiHash(leaf), expectedSpkiHash)) {
            throw new CertificateException("the server's TLS key has SPKI hash " + Nurl.encodeSpkiHash(spkiHash(leaf))
                    + ", not the " + Nurl.encodeSpkiHash(expectedSpkiHash) + " its NURL names");
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager only checks servers");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("this trust manager only checks servers");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("this trust manager only checks servers");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
