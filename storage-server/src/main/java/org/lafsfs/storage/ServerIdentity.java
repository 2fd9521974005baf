package org.lafsfs.storage;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.lafsfs.core.codec.Base32;

/**
 * Who a storage server is: its TLS key and self-signed certificate (the SPKI
 * hash of which is its identity in NURLs), the swissnum that clients must
 * present, and the 20-byte tub id that write enablers are derived from (the
 * SHA-1 of the certificate, as Foolscap derives tub ids). Created once, on
 * first start, in the server's directory; afterwards always loaded, never
 * silently replaced, because clients pin it.
 */
public final class ServerIdentity {
    static final String KEY_FILE = "tls.pem";
    static final String SWISSNUM_FILE = "swissnum";

    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final String swissnum;

    private ServerIdentity(PrivateKey privateKey, X509Certificate certificate, String swissnum) {
        this.privateKey = privateKey;
        this.certificate = certificate;
        this.swissnum = swissnum;
    }

    /** Loads the identity kept in {@code dir}, creating it there if the directory has none. */
    public static ServerIdentity loadOrCreate(Path dir) throws IOException {
        Path pem = dir.resolve(KEY_FILE);
        Path swiss = dir.resolve(SWISSNUM_FILE);
        if (Files.exists(pem) || Files.exists(swiss)) {
            return load(pem, swiss);
        }
        createPrivateDirectory(dir);
        ServerIdentity identity = generate();
        writePrivately(swiss, identity.swissnum + "\n");
        writePrivately(pem, identity.toPem());
        return identity;
    }

    static ServerIdentity generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair keys = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=lafsfs storage server");
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(365L * 100))), name,
                    SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()));
            X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withRSA")
                    .build(keys.getPrivate()));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
            byte[] swiss = new byte[20];
            new SecureRandom().nextBytes(swiss);
            return new ServerIdentity(keys.getPrivate(), certificate, Base32.encode(swiss));
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot generate a TLS identity", e);
        }
    }

    private static ServerIdentity load(Path pem, Path swiss) throws IOException {
        if (!Files.exists(pem) || !Files.exists(swiss)) {
            throw new IOException("the server identity in " + pem.getParent() + " is incomplete (" + KEY_FILE + " and "
                    + SWISSNUM_FILE + " belong together); restore the missing file rather than start a new identity");
        }
        String swissnum = Files.readString(swiss, StandardCharsets.US_ASCII).strip();
        if (!swissnum.matches("[a-z2-7]{16,}")) {
            throw new IOException(swiss + " does not hold a swissnum");
        }
        PrivateKey key = null;
        X509Certificate cert = null;
        try (Reader reader = Files.newBufferedReader(pem, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            for (Object o; (o = parser.readObject()) != null;) {
                if (o instanceof PrivateKeyInfo info) {
                    key = new JcaPEMKeyConverter().getPrivateKey(info);
                } else if (o instanceof PEMKeyPair pair) {
                    key = new JcaPEMKeyConverter().getKeyPair(pair).getPrivate();
                } else if (o instanceof X509CertificateHolder holder) {
                    cert = new JcaX509CertificateConverter().getCertificate(holder);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(pem + " holds an unreadable certificate: " + e.getMessage(), e);
        }
        if (key == null || cert == null) {
            throw new IOException(pem + " must hold a private key and a certificate");
        }
        return new ServerIdentity(key, cert, swissnum);
    }

    private String toPem() throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(privateKey, null));
            writer.writeObject(certificate);
        }
        return out.toString();
    }

    /** Writes a file only its owner can read, atomically: it is never visible with looser permissions. */
    public static void writePrivately(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp); // not a POSIX filesystem; nothing more to restrict
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Creates a directory only its owner can enter (where keys and swissnums live). */
    public static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public String swissnum() {
        return swissnum;
    }

    /** SHA-256 of the certificate's SubjectPublicKeyInfo: the server's identity in its NURL. */
    public byte[] spkiHash() {
        return sha("SHA-256", certificate.getPublicKey().getEncoded());
    }

    /** The Foolscap-style tub id: SHA-1 of the certificate, 20 bytes. */
    public byte[] tubId() {
        try {
            return sha("SHA-1", certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The TLS context that serves with this identity's key and certificate. */
    public SSLContext sslContext() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            store.setKeyEntry("server", privateKey, password, new X509Certificate[] {certificate});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the server's TLS context", e);
        }
    }

    private static byte[] sha(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ServerIdentity[tub " + Base32.encode(tubId()) + "]";
    }

    static boolean sameKey(ServerIdentity a, ServerIdentity b) {
        return Arrays.equals(a.spkiHash(), b.spkiHash());
    }
}
