package org.lafsfs.core.storage;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.lafsfs.core.cap.StorageIndex;

/**
 * A storage server that passes every call to another one, through one
 * overridable {@link #forward} step: the base for decorators that count,
 * delay or fail calls (fault injection, benchmarks) without restating the
 * whole interface.
 */
public abstract class ForwardingStorageServer implements StorageServer {
    private final StorageServer delegate;

    protected ForwardingStorageServer(StorageServer delegate) {
        this.delegate = delegate;
    }

    protected StorageServer delegate() {
        return delegate;
    }

    /** Every call goes through here; override to act before or after it (or instead of it). */
    protected <T> CompletableFuture<T> forward(Supplier<CompletableFuture<T>> call) {
        return call.get();
    }

    @Override
    public CompletableFuture<ServerVersion> version() {
        return forward(delegate::version);
    }

    @Override
    public CompletableFuture<Allocation> allocateBuckets(StorageIndex si, LeaseSecrets lease, byte[] uploadSecret,
            Set<Integer> shareNumbers, long allocatedSize) {
        return forward(() -> delegate.allocateBuckets(si, lease, uploadSecret, shareNumbers, allocatedSize));
    }

    @Override
    public CompletableFuture<UploadProgress> writeImmutable(StorageIndex si, int shnum, byte[] uploadSecret,
            long offset, byte[] data) {
        return forward(() -> delegate.writeImmutable(si, shnum, uploadSecret, offset, data));
    }

    @Override
    public CompletableFuture<UploadProgress> writeImmutable(StorageIndex si, int shnum, byte[] uploadSecret,
            long offset, List<byte[]> pieces) {
        return forward(() -> delegate.writeImmutable(si, shnum, uploadSecret, offset, pieces));
    }

    @Override
    public CompletableFuture<Void> abortImmutable(StorageIndex si, int shnum, byte[] uploadSecret) {
        return forward(() -> delegate.abortImmutable(si, shnum, uploadSecret));
    }

    @Override
    public CompletableFuture<Set<Integer>> listImmutableShares(StorageIndex si) {
        return forward(() -> delegate.listImmutableShares(si));
    }

    @Override
    public CompletableFuture<byte[]> readImmutable(StorageIndex si, int shnum, long offset, int length) {
        return forward(() -> delegate.readImmutable(si, shnum, offset, length));
    }

    @Override
    public CompletableFuture<Void> adviseCorruptImmutable(StorageIndex si, int shnum, String reason) {
        return forward(() -> delegate.adviseCorruptImmutable(si, shnum, reason));
    }

    @Override
    public CompletableFuture<Void> addOrRenewLease(StorageIndex si, LeaseSecrets lease) {
        return forward(() -> delegate.addOrRenewLease(si, lease));
    }

    @Override
    public CompletableFuture<ReadTestWriteResult> readTestWrite(StorageIndex si, byte[] writeEnabler,
            LeaseSecrets lease, Map<Integer, TestWriteVectors> vectors, List<ReadVector> readVector) {
        return forward(() -> delegate.readTestWrite(si, writeEnabler, lease, vectors, readVector));
    }

    @Override
    public CompletableFuture<Set<Integer>> listMutableShares(StorageIndex si) {
        return forward(() -> delegate.listMutableShares(si));
    }

    @Override
    public CompletableFuture<byte[]> readMutable(StorageIndex si, int shnum, long offset, int length) {
        return forward(() -> delegate.readMutable(si, shnum, offset, length));
    }

    @Override
    public CompletableFuture<Void> adviseCorruptMutable(StorageIndex si, int shnum, String reason) {
        return forward(() -> delegate.adviseCorruptMutable(si, shnum, reason));
    }

    @Override
    public String name() {
        return delegate.name();
    }
}
