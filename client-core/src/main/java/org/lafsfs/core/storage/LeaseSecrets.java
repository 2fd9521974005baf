package org.lafsfs.core.storage;

/** The two 32-byte secrets that identify a client's lease on a share: one renews it, one would cancel it. */
public record LeaseSecrets(byte[] renew, byte[] cancel) {
    public LeaseSecrets {
        if (renew.length != 32 || cancel.length != 32) {
            throw new IllegalArgumentException("lease secrets are 32 bytes");
        }
        renew = renew.clone();
        cancel = cancel.clone();
    }

    @Override
    public byte[] renew() {
        return renew.clone();
    }

    @Override
    public byte[] cancel() {
        return cancel.clone();
    }
}
