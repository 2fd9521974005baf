package org.lafsfs.core.mutable;

import java.util.Optional;
import org.lafsfs.core.cap.StorageIndex;

/**
 * Where a client keeps servermaps between operations on one mutable file.
 * A remembered map saves the next edit its servermap update; it can never
 * cause a lost write, because every write is test-and-set against what the
 * map says: if another writer has been there, the write fails, the map is
 * forgotten and the edit retried with a fresh one.
 */
public interface ServermapStore {
    Optional<Servermap> get(StorageIndex si);

    void put(Servermap map);

    void forget(StorageIndex si);

    /** Remembers nothing. */
    ServermapStore NONE = new ServermapStore() {
        @Override
        public Optional<Servermap> get(StorageIndex si) {
            return Optional.empty();
        }

        @Override
        public void put(Servermap map) {
        }

        @Override
        public void forget(StorageIndex si) {
        }
    };
}
