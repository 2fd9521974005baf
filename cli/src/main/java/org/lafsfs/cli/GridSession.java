package org.lafsfs.cli;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.crypto.KeyPool;
import org.lafsfs.core.crypto.KeyStash;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.ChkUploader;
import org.lafsfs.core.immutable.UploadSource;
import org.lafsfs.core.storage.StorageServer;

/**
 * The grid as a node directory describes it: its storage servers, lease secret
 * and encoding parameters, connected for the length of one command. The one
 * place that turns a {@link NodeDirectory} into a {@link Grid}; closing it
 * releases the servers' connections.
 */
final class GridSession implements AutoCloseable {
    /** Keys kept ready in NODEDIR/private/keys by default: enough for a burst of about a thousand mkdirs. */
    static final int DEFAULT_KEY_STASH = 1000;

    private final NodeDirectory node;
    private final List<GridServer> servers;
    private final Grid grid;
    private final KeyStash keys;

    private GridSession(NodeDirectory node, List<GridServer> servers, Grid grid, KeyStash keys) {
        this.node = node;
        this.servers = servers;
        this.grid = grid;
        this.keys = keys;
    }

    static GridSession open(NodeDirectory node) throws IOException {
        return open(node, Map.of());
    }

    /** With the servers of this process's embedded grid called directly (see {@link NodeDirectory#servers(Map)}). */
    static GridSession open(NodeDirectory node, Map<String, StorageServer> inProcess) throws IOException {
        List<GridServer> servers = node.servers(inProcess);
        try {
            KeyStash keys = new KeyStash(node.path().resolve("private").resolve("keys"), keyStashSize(node), 5000);
            KeyPool.use(keys); // every command takes keys made earlier; long-running ones also make them
            return new GridSession(node, servers, new Grid(servers, node.clientSecrets(), node.encoding()), keys);
        } catch (IOException | RuntimeException e) {
            NodeDirectory.close(servers);
            throw e;
        }
    }

    private static int keyStashSize(NodeDirectory node) {
        String value = node.get("lafsfs", "key-stash", Integer.toString(DEFAULT_KEY_STASH));
        try {
            int n = Integer.parseInt(value.strip());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tahoe.cfg [lafsfs] key-stash must be a count of keys (0 for none),"
                    + " not '" + value + "'");
        }
    }

    /**
     * For a long-running command: keep the key stash full, making keys only after a few quiet seconds, so
     * that a later burst of new directories does not wait for key generation (about 0.1 s of CPU each).
     */
    void keepKeysReady() {
        keys.startFilling();
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
        keys.close();
        NodeDirectory.close(servers);
    }
}
