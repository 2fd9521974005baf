package org.lafsfs.core.check;

import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.grid.GridServer;

/** One share on one server (Tahoe's share locator), and why it was found wanting. */
public record ShareLocator(GridServer server, StorageIndex storageIndex, int shnum, String problem) {
    @Override
    public String toString() {
        return server.name() + " sh" + shnum + ": " + problem;
    }
}
