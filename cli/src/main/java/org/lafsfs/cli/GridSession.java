package org.lafsfs.cli;

import java.io.IOException;
import java.util.List;
import java.util.function.LongConsumer;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.ChkUploader;
import org.lafsfs.core.immutable.UploadSource;

/**
 * The grid as a node directory describes it: its storage servers, lease secret
 * and encoding parameters, connected for the length of one command. The one
 * place that turns a {@link NodeDirectory} into a {@link Grid}; closing it
 * releases the servers' connections.
 */
final class GridSession implements AutoCloseable {
    private final NodeDirectory node;
    private final List<GridServer> servers;
    private final Grid grid;

    private GridSession(NodeDirectory node, List<GridServer> servers, Grid grid) {
        this.node = node;
        this.servers = servers;
        this.grid = grid;
    }

    static GridSession open(NodeDirectory node) throws IOException {
        List<GridServer> servers = node.servers();
        try {
            return new GridSession(node, servers, new Grid(servers, node.clientSecrets(), node.encoding()));
        } catch (IOException | RuntimeException e) {
            NodeDirectory.close(servers);
            throw e;
        }
    }

    NodeDirectory node() {
        return node;
    }

    Grid grid() {
        return grid;
    }

    /** Uploads an immutable file with the node's encoding and convergence secret; returns its cap. */
    Cap uploadImmutable(UploadSource source, LongConsumer progress) throws IOException {
        return new ChkUploader(servers, node.encoding(), node.convergenceSecret(), node.clientSecrets())
                .upload(source, progress).cap();
    }

    @Override
    public void close() {
        NodeDirectory.close(servers);
    }
}
