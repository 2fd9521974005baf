package org.lafsfs.core.cap;

import java.util.Optional;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.crypto.Hashes;

/** {@code URI:SSK-RO:<readkey>:<fingerprint>} or {@code URI:MDMF-RO:...}: reads a mutable file. */
public final class MutableReadCap extends AbstractCap implements Cap {
    private final MutableFormat format;
    private final byte[] readkey;
    private final byte[] fingerprint;
    private final StorageIndex storageIndex;

    public MutableReadCap(MutableFormat format, byte[] readkey, byte[] fingerprint) {
        CapFields.requireLength("readkey", readkey, Hashes.KEY_LENGTH);
        CapFields.requireLength("public key fingerprint", fingerprint, Hashes.HASH_LENGTH);
        this.format = format;
        this.readkey = readkey.clone();
        this.fingerprint = fingerprint.clone();
        this.storageIndex = StorageIndex.of(Hashes.sskStorageIndex(readkey));
    }

    public MutableFormat format() {
        return format;
    }

    public byte[] readkey() {
        return readkey.clone();
    }

    public byte[] fingerprint() {
        return fingerprint.clone();
    }

    @Override
    public String kind() {
        return format.capKind() + "-RO";
    }

    @Override
    protected String canonical() {
        return "URI:" + kind() + ":" + Base32.encode(readkey) + ":" + Base32.encode(fingerprint);
    }

    @Override
    public boolean isReadOnly() {
        return true;
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
        return Optional.of(this);
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
