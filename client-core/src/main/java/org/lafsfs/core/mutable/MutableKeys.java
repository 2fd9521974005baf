package org.lafsfs.core.mutable;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Optional;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.MutableReadCap;
import org.lafsfs.core.cap.MutableWriteCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.crypto.AesCtr;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.crypto.SigningKey;

/**
 * The secrets a cap grants over one mutable file: the readkey (decrypt), and
 * with a write cap the writekey (write enablers, the encrypted private key).
 * The signing key itself lives in the shares, encrypted with the writekey; a
 * writer recovers it from there before its first publish.
 */
public final class MutableKeys {
    private final MutableFormat format;
    private final byte[] writekey;
    private final byte[] readkey;
    private final byte[] fingerprint;
    private final StorageIndex storageIndex;
    private volatile SigningKey signingKey;

    private MutableKeys(MutableFormat format, byte[] writekey, byte[] readkey, byte[] fingerprint,
            SigningKey signingKey) {
        this.format = format;
        this.writekey = writekey;
        this.readkey = readkey;
        this.fingerprint = fingerprint;
        this.storageIndex = StorageIndex.of(Hashes.sskStorageIndex(readkey));
        this.signingKey = signingKey;
    }

    /** Keys for a brand-new mutable file signed by {@code key}. */
    public static MutableKeys create(MutableFormat format, SigningKey key) {
        byte[] writekey = Hashes.sskWritekey(key.der());
        return new MutableKeys(format, writekey, Hashes.sskReadkey(writekey),
                Hashes.sskPubkeyFingerprint(key.verifyingKey().der()), key);
    }

    /** The keys of a mutable file cap (or of the file under a mutable directory cap). */
    public static MutableKeys of(Cap cap) {
        Cap file = cap instanceof DirectoryCap dir ? dir.fileCap() : cap;
        if (file instanceof MutableWriteCap w) {
            return new MutableKeys(w.format(), w.writekey(), w.readkey(), w.fingerprint(), null);
        }
        if (file instanceof MutableReadCap r) {
            return new MutableKeys(r.format(), null, r.readkey(), r.fingerprint(), null);
        }
        throw new IllegalArgumentException(cap.kind() + " is not a mutable file's read or write cap");
    }

    public MutableFormat format() {
        return format;
    }

    public boolean writable() {
        return writekey != null;
    }

    public byte[] readkey() {
        return readkey.clone();
    }

    public byte[] fingerprint() {
        return fingerprint.clone();
    }

    public StorageIndex storageIndex() {
        return storageIndex;
    }

    public Cap writeCap() {
        return new MutableWriteCap(format, requireWritekey(), fingerprint);
    }

    public Cap readCap() {
        return new MutableReadCap(format, readkey, fingerprint);
    }

    public byte[] writeEnabler(byte[] nodeId) {
        return Hashes.writeEnabler(requireWritekey(), nodeId);
    }

    /** Whether a share's public key is this file's (its hash is the fingerprint in the cap). */
    public boolean isOurPublicKey(byte[] pubkeyDer) {
        return MessageDigest.isEqual(Hashes.sskPubkeyFingerprint(pubkeyDer), fingerprint);
    }

    public Optional<SigningKey> signingKey() {
        return Optional.ofNullable(signingKey);
    }

    /** The private key as shares store it: PKCS#8 DER encrypted (AES-CTR) with the writekey. */
    public byte[] encryptedPrivateKey() {
        SigningKey key = signingKey;
        if (key == null) {
            throw new IllegalStateException("the signing key has not been recovered from a share yet");
        }
        return AesCtr.crypt(requireWritekey(), key.der());
    }

    /**
     * Recovers the signing key from a share's encrypted private key. It is
     * accepted only if it hashes to our writekey, so a corrupt or forged share
     * cannot make us sign with a wrong key.
     */
    public SigningKey unlock(byte[] encryptedPrivateKey) throws GeneralSecurityException {
        byte[] der = AesCtr.crypt(requireWritekey(), encryptedPrivateKey);
        if (!MessageDigest.isEqual(Hashes.sskWritekey(der), writekey)) {
            throw new GeneralSecurityException("the share's encrypted private key does not match the write cap");
        }
        SigningKey key = SigningKey.fromDer(der);
        if (!isOurPublicKey(key.verifyingKey().der())) {
            throw new GeneralSecurityException("the share's private key does not match the cap's fingerprint");
        }
        signingKey = key;
        return key;
    }

    private byte[] requireWritekey() {
        if (writekey == null) {
            throw new IllegalStateException("a read cap cannot write");
        }
        return writekey.clone();
    }
}
