package org.lafsfs.core.cap;

import java.util.Optional;

/**
 * A cap of a kind this version does not know, kept byte for byte. Tahoe's
 * forward-compatibility rule: a directory holding a future kind of cap must
 * keep it when the directory is rewritten, even if nothing here can use it.
 */
public final class UnknownCap extends AbstractCap implements Cap {
    private final String text;

    public UnknownCap(String text) {
        this.text = text;
    }

    @Override
    public String kind() {
        int colon = text.indexOf(':', 4);
        return text.startsWith("URI:") && colon > 0 ? text.substring(4, colon) : "unknown";
    }

    @Override
    protected String canonical() {
        return text;
    }

    /** Unknown caps may grant anything; treat them as writable so nothing assumes they are safe to share. */
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
        return Optional.empty();
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
