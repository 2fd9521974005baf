package org.lafsfs.storage;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.lafsfs.core.storage.StorageServer;

/** The storage contract over direct calls (the embedded grid's path). */
class LocalStorageServerTest extends StorageServerContract {
    @Override
    StorageServer connect(StorageBackend backend) {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        closeLater(executor::shutdownNow);
        return new LocalStorageServer(backend, executor, "local");
    }
}
