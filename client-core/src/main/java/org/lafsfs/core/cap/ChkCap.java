package org.lafsfs.core.cap;

import java.util.Optional;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.crypto.Hashes;

/**
 * {@code URI:CHK:<key>:<UEB hash>:<k>:<N>:<size>}: the read cap of an immutable
 * file. The AES key decrypts it; the URI extension block hash anchors every
 * hash that verifies it; the storage index is derived from the key.
 */
public final class ChkCap extends AbstractCap implements Cap {
    private final byte[] key;
    private final byte[] uriExtensionHash;
    private final int neededShares;
    private final int totalShares;
    private final long size;
    private final StorageIndex storageIndex;

    public ChkCap(byte[] key, byte[] uriExtensionHash, int neededShares, int totalShares, long size) {
        CapFields.requireLength("key", key, Hashes.KEY_LENGTH);
        CapFields.requireLength("URI extension hash", uriExtensionHash, Hashes.HASH_LENGTH);
        CapFields.requireEncoding(neededShares, totalShares, size);
        this.key = key.clone();
        this.uriExtensionHash = uriExtensionHash.clone();
        this.neededShares = neededShares;
        this.totalShares = totalShares;
        this.size = size;
        this.storageIndex = StorageIndex.of(Hashes.storageIndex(key));
    }

    public byte[] key() {
        return key.clone();
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
        return "CHK";
    }

    @Override
    protected String canonical() {
        return "URI:CHK:" + Base32.encode(key) + ":" + Base32.encode(uriExtensionHash) + ":" + neededShares + ":"
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
        return false;
    }

    @Override
    public Optional<Cap> readOnly() {
        return Optional.of(this);
    }

    @Override
    public Optional<Cap> verifyCap() {
        return Optional.of(new ChkVerifierCap(storageIndex, uriExtensionHash, neededShares, totalShares, size));
    }

    @Override
    public Optional<StorageIndex> storageIndex() {
        return Optional.of(storageIndex);
    }
}
