package org.lafsfs.storage;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.storage.ForwardingStorageServer;
import org.lafsfs.core.storage.StorageException;
import org.lafsfs.core.storage.StorageServer;
import org.lafsfs.core.storage.UploadProgress;

/**
 * Fault injection: a real storage server that goes away after a number of
 * share writes, as a server that crashes mid-upload does (every call fails
 * from then on, as if the connection were refused).
 */
final class FailingStorageServer extends ForwardingStorageServer {
    private final AtomicInteger writesLeft;

    FailingStorageServer(StorageServer inner, int writesBeforeFailing) {
        super(inner);
        this.writesLeft = new AtomicInteger(writesBeforeFailing);
    }

    @Override
    protected <T> CompletableFuture<T> forward(Supplier<CompletableFuture<T>> call) {
        if (writesLeft.get() < 0) {
            return CompletableFuture.failedFuture(
                    new StorageException.ServerUnreachable("storage server " + name() + " went away", null));
        }
        return call.get();
    }

    @Override
    public CompletableFuture<UploadProgress> writeImmutable(StorageIndex si, int shnum, byte[] secret, long offset,
            byte[] data) {
        writesLeft.decrementAndGet();
        return super.writeImmutable(si, shnum, secret, offset, data);
    }

    @Override
    public CompletableFuture<UploadProgress> writeImmutable(StorageIndex si, int shnum, byte[] secret, long offset,
            List<byte[]> pieces) {
        writesLeft.decrementAndGet();
        return super.writeImmutable(si, shnum, secret, offset, pieces);
    }
}
