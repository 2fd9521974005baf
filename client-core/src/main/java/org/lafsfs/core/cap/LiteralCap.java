package org.lafsfs.core.cap;

import java.util.Optional;
import org.lafsfs.core.codec.Base32;

/** {@code URI:LIT:<base32 data>}: a small immutable file whose contents are the cap itself. */
public final class LiteralCap extends AbstractCap implements Cap {
    private final byte[] data;

    public LiteralCap(byte[] data) {
        this.data = data.clone();
    }

    public byte[] data() {
        return data.clone();
    }

    public long size() {
        return data.length;
    }

    @Override
    public String kind() {
        return "LIT";
    }

    @Override
    protected String canonical() {
        return "URI:LIT:" + Base32.encode(data);
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
        return Optional.empty();
    }

    @Override
    public Optional<StorageIndex> storageIndex() {
        return Optional.empty();
    }
}
