package org.lafsfs.core.cap;

import java.util.Optional;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.crypto.Hashes;

/** {@code URI:CHK-Verifier:<storage index>:<UEB hash>:<k>:<N>:<size>}: checks an immutable file's shares. */
public final class ChkVerifierCap extends AbstractCap implements Cap {
    private final StorageIndex storageIndex;
    private final byte[] uriExtensionHash;
    private final int neededShares;
    private final int totalShares;
    private final long size;

    public ChkVerifierCap(StorageIndex storageIndex, byte[] uriExtensionHash, int neededShares, int totalShares,
            long size) {
        CapFields.requireLength("URI extension hash", uriExtensionHash, Hashes.HASH_LENGTH);
        CapFields.requireEncoding(neededShares, totalShares, size);
        this.storageIndex = storageIndex;
        this.uriExtensionHash = uriExtensionHash.clone();
        this.neededShares = neededShares;
        this.totalShares = totalShares;
        this.size = size;
    }

    public byte[] uriExtensionHash() {
        return uriExtensionHash.clone();
    }

    public int neededShares() {
        return neededShares;
    }

    public int totalShares() {
        return totalShares;
    }

    public long size() {
        return size;
    }

    @Override
    public String kind() {
        return "CHK-Verifier";
    }

    @Override
    protected String canonical() {
        return "URI:CHK-Verifier:" + storageIndex + ":" + Base32.encode(uriExtensionHash) + ":" + neededShares + ":"
                + totalShares + ":" + size;
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
