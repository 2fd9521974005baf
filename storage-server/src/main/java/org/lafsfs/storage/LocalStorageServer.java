package org.lafsfs.storage;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.storage.Allocation;
import org.lafsfs.core.storage.LeaseSecrets;
import org.lafsfs.core.storage.ReadTestWriteResult;
import org.lafsfs.core.storage.ReadVector;
import org.lafsfs.core.storage.StorageException;
import org.lafsfs.core.storage.ServerVersion;
import org.lafsfs.core.storage.StorageServer;
import org.lafsfs.core.storage.TestWriteVectors;
import org.lafsfs.core.storage.UploadProgress;

/** A storage server in this process: the client's storage interface as direct calls on a backend. */
public final class LocalStorageServer implements StorageServer {
    private final StorageBackend backend;
    private final Executor executor;
    private final String name;

    public LocalStorageServer(StorageBackend backend, Executor executor, String name) {
        this.backend = backend;
        this.executor = executor;
        this.name = name;
    }

    public StorageBackend backend() {
        return backend;
    }

    private <T> CompletableFuture<T> call(Supplier<T> operation) {
        try {
            return CompletableFuture.supplyAsync(operation, executor);
        } catch (RejectedExecutionException stopped) {
            // The server's process is shutting down: to a client, as a server that went away.
            return CompletableFuture.failedFuture(new StorageException.ServerUnreachable(
                    "storage server " + name + " has stopped", stopped));
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<ServerVersion> version() {
        return call(backend::version);
    }

    @Override
    public CompletableFuture<Allocation> allocateBuckets(StorageIndex si, LeaseSecrets lease, byte[] uploadSecret,
            Set<Integer> shareNumbers, long allocatedSize) {
        return call(() -> backend.allocateBuckets(si, lease, uploadSecret, shareNumbers, allocatedSize));
    }

    @Override
    public CompletableFuture<UploadProgress> writeImmutable(StorageIndex si, int shnum, byte[] uploadSecret,
            long offset, byte[] data) {
        return call(() -> backend.writeImmutable(si, shnum, uploadSecret, offset, data));
    }

    @Override
    public CompletableFuture<UploadProgress> writeImmutable(StorageIndex si, int shnum, byte[] uploadSecret,
            long offset, List<byte[]> pieces) {
        return call(() -> backend.writeImmutable(si, shnum, uploadSecret, offset, pieces));
    }

    @Override
    public CompletableFuture<Void> abortImmutable(StorageIndex si, int shnum, byte[] uploadSecret) {
        return call(() -> {
            backend.abortImmutable(si, shnum, uploadSecret);
            return null;
        });
    }

    @Override
    public CompletableFuture<Set<Integer>> listImmutableShares(StorageIndex si) {
        return call(() -> backend.listImmutableShares(si));
    }

    @Override
    public CompletableFuture<byte[]> readImmutable(StorageIndex si, int shnum, long offset, int length) {
        return call(() -> backend.readImmutable(si, shnum, offset, length));
    }

    @Override
    public CompletableFuture<Void> adviseCorruptImmutable(StorageIndex si, int shnum, String reason) {
        return call(() -> {
            backend.adviseCorrupt(si, shnum, false, reason);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> addOrRenewLease(StorageIndex si, LeaseSecrets lease) {
        return call(() -> {
            backend.addOrRenewLease(si, lease);
            return null;
        });
    }

    @Override
    public CompletableFuture<ReadTestWriteResult> readTestWrite(StorageIndex si, byte[] writeEnabler,
            LeaseSecrets lease, Map<Integer, TestWriteVectors> vectors, List<ReadVector> readVector) {
        return call(() -> backend.readTestWrite(si, writeEnabler, lease, vectors, readVector));
    }

    @Override
    public CompletableFuture<Set<Integer>> listMutableShares(StorageIndex si) {
        return call(() -> backend.listMutableShares(si));
    }

    @Override
    public CompletableFuture<byte[]> readMutable(StorageIndex si, int shnum, long offset, int length) {
        return call(() -> backend.readMutable(si, shnum, offset, length));
    }

    @Override
    public CompletableFuture<Void> adviseCorruptMutable(StorageIndex si, int shnum, String reason) {
        return call(() -> {
            backend.adviseCorrupt(si, shnum, true, reason);
            return null;
        });
    }
}
