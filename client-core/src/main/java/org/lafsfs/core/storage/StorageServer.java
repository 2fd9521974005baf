package org.lafsfs.core.storage;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.lafsfs.core.cap.StorageIndex;

/**
 * One storage server, as the client sees it: the operations of Tahoe's
 * storage protocol (IStorageServer), whether the server is remote (HTTPS) or
 * in this process (direct calls). Every operation is asynchronous so that a
 * client can talk to many servers at once; failures complete the future with
 * a {@link StorageException} subclass that says what went wrong.
 */
public interface StorageServer {

    /** What the server reports about itself, chiefly its free space. */
    CompletableFuture<ServerVersion> version();

    /**
     * Asks the server to hold shares of an immutable file. Shares it already
     * holds are reported, not reallocated; shares it has no room for are simply
     * left out of {@code allocated}, and the uploader places them elsewhere.
     */
    CompletableFuture<Allocation> allocateBuckets(StorageIndex storageIndex, LeaseSecrets lease, byte[] uploadSecret,
            Set<Integer> shareNumbers, long allocatedSize);

    /**
     * Writes part of an allocated share. The share becomes readable once every
     * byte of its allocated size is written.
     */
    CompletableFuture<UploadProgress> writeImmutable(StorageIndex storageIndex, int shareNumber, byte[] uploadSecret,
            long offset, byte[] data);

    /**
     * Writes consecutive pieces as one write, without first joining them (a transport that can send them
     * as they are overrides this).
     */
    default CompletableFuture<UploadProgress> writeImmutable(StorageIndex storageIndex, int shareNumber,
            byte[] uploadSecret, long offset, List<byte[]> pieces) {
        return writeImmutable(storageIndex, shareNumber, uploadSecret, offset, joined(pieces));
    }

    /** The pieces of a write as one array (the piece itself if there is only one). */
    static byte[] joined(List<byte[]> pieces) {
        if (pieces.size() == 1) {
            return pieces.get(0);
        }
        int length = 0;
        for (byte[] p : pieces) {
            length += p.length;
        }
        byte[] joined = new byte[length];
        int at = 0;
        for (byte[] p : pieces) {
            System.arraycopy(p, 0, joined, at, p.length);
            at += p.length;
        }
        return joined;
    }

    /** Abandons an unfinished share upload; nothing of it remains. */
    CompletableFuture<Void> abortImmutable(StorageIndex storageIndex, int shareNumber, byte[] uploadSecret);

    CompletableFuture<Set<Integer>> listImmutableShares(StorageIndex storageIndex);

    /** Reads up to {@code length} bytes; fewer at the end of the share. */
    CompletableFuture<byte[]> readImmutable(StorageIndex storageIndex, int shareNumber, long offset, int length);

    CompletableFuture<Void> adviseCorruptImmutable(StorageIndex storageIndex, int shareNumber, String reason);

    /** Adds a lease to every share of a storage index, or renews the one with the same renew secret. */
    CompletableFuture<Void> addOrRenewLease(StorageIndex storageIndex, LeaseSecrets lease);

    /**
     * The one write operation on mutable shares: if every test vector matches,
     * apply every write vector; either way, return what the read vector read
     * (before writing) from every share of the slot.
     */
    CompletableFuture<ReadTestWriteResult> readTestWrite(StorageIndex storageIndex, byte[] writeEnabler,
            LeaseSecrets lease, Map<Integer, TestWriteVectors> testWriteVectors, List<ReadVector> readVector);

    CompletableFuture<Set<Integer>> listMutableShares(StorageIndex storageIndex);

    CompletableFuture<byte[]> readMutable(StorageIndex storageIndex, int shareNumber, long offset, int length);

    CompletableFuture<Void> adviseCorruptMutable(StorageIndex storageIndex, int shareNumber, String reason);

    /** A short name for logs and error messages. */
    String name();
}
