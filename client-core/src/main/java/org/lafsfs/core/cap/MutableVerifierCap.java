package org.lafsfs.core.cap;

import java.util.Optional;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.crypto.Hashes;

/** {@code URI:SSK-Verifier:<storage index>:<fingerprint>} or {@code URI:MDMF-Verifier:...}. */
public final class MutableVerifierCap extends AbstractCap implements Cap {
    private final MutableFormat format;
    private final StorageIndex storageIndex;
    private final byte[] fingerprint;

    public MutableVerifierCap(MutableFormat format, StorageIndex storageIndex, byte[] fingerprint) {
        CapFields.requireLength("public key fingerprint", fingerprint, Hashes.HASH_LENGTH);
        this.format = format;
        this.storageIndex = storageIndex;
        this.fingerprint = fingerprint.clone();
    }

    public MutableFormat format() {
        return format;
    }

    public byte[] fingerprint() {
        return fingerprint.clone();
    }

    @Override
    public String kind() {
        return format.capKind() + "-Verifier";
    }

    @Override
    protected String canonical() {
        return "URI:" + kind() + ":" + storageIndex + ":" + Base32.encode(fingerprint);
    }

    @Override
    public boolean isReadOnly() {
        return true;
    }

    @Override
    public boolean isMutable() {
        return false;
    }

    @Override
    public boolean isVerifier() {
        return true;
    }

    @Override
    public Optional<Cap> readOnly() {
        return Optional.of(this);
    }

    @Override
    public Optional<Cap> verifyCap() {
        return Optional.of(this);
    }

    @Override
    public Optional<StorageIndex> storageIndex() {
        return Optional.of(storageIndex);
    }
}
