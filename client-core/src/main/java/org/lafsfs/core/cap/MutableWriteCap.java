package org.lafsfs.core.cap;

import java.util.Optional;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.crypto.Hashes;

/**
 * {@code URI:SSK:<writekey>:<fingerprint>} or {@code URI:MDMF:...}: the write
 * cap of a mutable file. The writekey decrypts the signing key stored in the
 * shares; the read key and storage index derive from it.
 */
public final class MutableWriteCap extends AbstractCap implements Cap {
    private final MutableFormat format;
    private final byte[] writekey;
    private final byte[] fingerprint;
    private final byte[] readkey;
    private final StorageIndex storageIndex;

    public MutableWriteCap(MutableFormat format, byte[] writekey, byte[] fingerprint) {
        CapFields.requireLength("writekey", writekey, Hashes.KEY_LENGTH);
        CapFields.requireLength("public key fingerprint", fingerprint, Hashes.HASH_LENGTH);
        this.format = format;
        this.writekey = writekey.clone();
        this.fingerprint = fingerprint.clone();
        this.readkey = Hashes.sskReadkey(writekey);
        this.storageIndex = StorageIndex.of(Hashes.sskStorageIndex(readkey));
    }

    public MutableFormat format() {
        return format;
    }

    public byte[] writekey() {
        return writekey.clone();
    }

    public byte[] readkey() {
        return readkey.clone();
    }

    public byte[] fingerprint() {
        return fingerprint.clone();
    }

    @Override
    public String kind() {
        return format.capKind();
    }

    @Override
    protected String canonical() {
        return "URI:" + kind() + ":" + Base32.encode(writekey) + ":" + Base32.encode(fingerprint);
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public boolean isMutable() {
        return true;
    }

    @Override
    public boolean isVerifier() {
        return false;
    }

    @Override
    public Optional<Cap> readOnly() {
        return Optional.of(new MutableReadCap(format, readkey, fingerprint));
    }

    @Override
    public Optional<Cap> verifyCap() {
        return Optional.of(new MutableVerifierCap(format, storageIndex, fingerprint));
    }

    @Override
    public Optional<StorageIndex> storageIndex() {
        return Optional.of(storageIndex);
    }
}
