package org.lafsfs.storage;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.storage.Allocation;
import org.lafsfs.core.storage.LeaseSecrets;
import org.lafsfs.core.storage.ReadTestWriteResult;
import org.lafsfs.core.storage.ReadVector;
import org.lafsfs.core.storage.ServerVersion;
import org.lafsfs.core.storage.StorageException;
import org.lafsfs.core.storage.StorageServer;
import org.lafsfs.core.storage.TestWriteVectors;
import org.lafsfs.core.storage.UploadProgress;

/**
 * Fault injection: a real storage server that goes away after a number of
 * share writes, as a server that crashes mid-upload does (every call fails
 * from then on, as if the connection were refused).
 */
final class FailingStorageServer implements StorageServer {
    private final StorageServer inner;
    private final AtomicInteger writesLeft;

    FailingStorageServer(StorageServer inner, int writesBeforeFailing) {
        this.inner = inner;
        this.writesLeft = new AtomicInteger(writesBeforeFailing);
    }

    private boolean gone() {
        return writesLeft.get() < 0;
    }

    private <T> CompletableFuture<T> unlessGone(java.util.function.Supplier<CompletableFuture<T>> call) {
        if (gone()) {
            return CompletableFuture.failedFuture(
                    new StorageException.ServerUnreachable("storage server " + name() + " went away", null));
        }
        return call.get();
    }

    @Override
    public CompletableFuture<UploadProgress> writeImmutable(StorageIndex si, int shnum, byte[] secret, long offset,
            byte[] data) {
        writesLeft.decrementAndGet();
        return unlessGone(() -> inner.writeImmutable(si, shnum, secret, offset, data));
    }

    @Override
    public CompletableFuture<ServerVersion> version() {
        return unlessGone(inner::version);
    }

    @Override
    public CompletableFuture<Allocation> allocateBuckets(StorageIndex si, LeaseSecrets lease, byte[] secret,
            Set<Integer> shares, long size) {
        return unlessGone(() -> inner.allocateBuckets(si, lease, secret, shares, size));
    }

    @Override
    public CompletableFuture<Void> abortImmutable(StorageIndex si, int shnum, byte[] secret) {
        return unlessGone(() -> inner.abortImmutable(si, shnum, secret));
    }

    @Override
    public CompletableFuture<Set<Integer>> listImmutableShares(StorageIndex si) {
        return unlessGone(() -> inner.listImmutableShares(si));
    }

    @Override
    public CompletableFuture<byte[]> readImmutable(StorageIndex si, int shnum, long offset, int length) {
        return unlessGone(() -> inner.readImmutable(si, shnum, offset, length));
    }

    @Override
    public CompletableFuture<Void> adviseCorruptImmutable(StorageIndex si, int shnum, String reason) {
        return unlessGone(() -> inner.adviseCorruptImmutable(si, shnum, reason));
    }

    @Override
    public CompletableFuture<Void> addOrRenewLease(StorageIndex si, LeaseSecrets lease) {
        return unlessGone(() -> inner.addOrRenewLease(si, lease));
    }

    @Override
    public CompletableFuture<ReadTestWriteResult> readTestWrite(StorageIndex si, byte[] we, LeaseSecrets lease,
            Map<Integer, TestWriteVectors> vectors, List<ReadVector> reads) {
        return unlessGone(() -> inner.readTestWrite(si, we, lease, vectors, reads));
    }

    @Override
    public CompletableFuture<Set<Integer>> listMutableShares(StorageIndex si) {
        return unlessGone(() -> inner.listMutableShares(si));
    }

    @Override
    public CompletableFuture<byte[]> readMutable(StorageIndex si, int shnum, long offset, int length) {
        return unlessGone(() -> inner.readMutable(si, shnum, offset, length));
    }

    @Override
    public CompletableFuture<Void> adviseCorruptMutable(StorageIndex si, int shnum, String reason) {
        return unlessGone(() -> inner.adviseCorruptMutable(si, shnum, reason));
    }

    @Override
    public String name() {
        return inner.name();
    }
}
