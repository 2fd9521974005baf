package org.lafsfs.core.grid;

import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.storage.LeaseSecrets;

/**
 * The node's lease secret (Tahoe's private/secret) and the per-file,
 * per-server lease secrets derived from it exactly as Tahoe derives them, so
 * that a Tahoe client with the same node directory renews the same leases.
 */
public final class ClientSecrets {
    private final byte[] renewal;
    private final byte[] cancel;

    public ClientSecrets(byte[] leaseSecret) {
        this.renewal = Hashes.clientRenewalSecret(leaseSecret);
        this.cancel = Hashes.clientCancelSecret(leaseSecret);
    }

    /** The lease secrets for one file's shares on one server. */
    public LeaseSecrets leaseFor(StorageIndex si, GridServer server) {
        byte[] si16 = si.bytes();
        return new LeaseSecrets(
                Hashes.bucketRenewalSecret(Hashes.fileRenewalSecret(renewal, si16), server.nodeId()),
                Hashes.bucketCancelSecret(Hashes.fileCancelSecret(cancel, si16), server.nodeId()));
    }
}
