package org.lafsfs.core.grid;

import org.lafsfs.core.storage.StorageServer;

/**
 * A storage server as the grid client knows it: how to reach it, the node id
 * its lease secrets and write enablers are derived from (its Foolscap tub id),
 * and the seed that places it in each storage index's permuted order.
 */
public record GridServer(StorageServer storage, byte[] nodeId, byte[] permutationSeed) {
    public GridServer {
        nodeId = nodeId.clone();
        permutationSeed = permutationSeed.clone();
    }

    @Override
    public byte[] nodeId() {
        return nodeId.clone();
    }

    @Override
    public byte[] permutationSeed() {
        return permutationSeed.clone();
    }

    public String name() {
        return storage.name();
    }
}
