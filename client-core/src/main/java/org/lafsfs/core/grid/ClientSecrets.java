package org.lafsfs.core.grid;

import org.lafsfs.core.cap.StorageIndex;
import java.nio.charset.StandardCharsets;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.crypto.Sha256d;
import org.lafsfs.core.storage.LeaseSecrets;

/**
 * The node's lease secret (Tahoe's private/secret) and the per-file,
 * per-server lease secrets derived from it exactly as Tahoe derives them, so
 * that a Tahoe client with the same node directory renews the same leases.
 */
public final class ClientSecrets {
    private static final byte[] UPLOAD_TAG = "lafsfs_immutable_upload_secret_v1".getBytes(StandardCharsets.US_ASCII);
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

    /**
     * The upload secret for a file's shares. Tahoe draws one at random per upload; lafsfs derives it from the
     * node's secret and the storage index, so that a client restarted after a crash takes up its own
     * half-written shares: a server refuses to allocate a share that another upload is still writing (for up
     * to 30 minutes), and with a random secret the retry would be that other upload. Servers only compare it.
     */
    public byte[] uploadSecretFor(StorageIndex si) {
        return Sha256d.tagged(UPLOAD_TAG, 32).update(renewal).update(si.bytes()).digest();
    }
}
