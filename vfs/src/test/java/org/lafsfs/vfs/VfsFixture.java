package org.lafsfs.vfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.lafsfs.cache.CacheConfig;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.mutable.Mode;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.core.mutable.SignedPrefix;
import org.lafsfs.storage.SimulatedGrid;

/**
 * What the VFS conformance suite runs on: an in-process grid of
 * {@value #SERVERS} storage servers (with fault injection), one root
 * directory (SDMF) on it, and clients of that grid, each with its own spool
 * directory and a short dir-cache-time so that cross-client visibility is
 * quick to observe.
 */
public final class VfsFixture implements AutoCloseable {
    public static final int SERVERS = 10;

    /** dir-cache-time of every client: how long another client's edits may stay unseen. */
    public static final Duration DIR_CACHE_TIME = Duration.ofMillis(300);

    /**
     * Everything a frontend needs to mount the root: a grid client (with its own
     * lease secret), the root cap, and a configuration with its own spool directory.
     */
    public record Client(Grid grid, DirectoryCap root, VfsConfig config) {
        /** The same client (same spool) with a changed configuration. */
        public Client with(UnaryOperator<VfsConfig> change) {
            return new Client(grid, root, change.apply(config));
        }

        /** Write-back: close hands the upload to the spool and returns at once. */
        public Client writeBack() {
            return with(c -> c.withCloseWait(Duration.ZERO));
        }

        /** Directory edits wait for sync or fsync: an edit window of an hour. */
        public Client holdingEdits() {
            return with(c -> c.withEditWindow(Duration.ofHours(1)));
        }

        /** Makes directory {@code path} in a VFS that then stops as a crash would: the mkdir stays journaled. */
        public void mkdirThenCrash(String path) throws IOException {
            LafsVfs vfs = LafsVfs.open(grid, root, config);
            try {
                vfs.mkdir(path);
            } finally {
                vfs.abandon();
            }
        }

        /** This client mounting the root's read cap instead (same spool: do not mount both at once). */
        public Client readOnly() {
            return new Client(grid, (DirectoryCap) root.readOnly().orElseThrow(), config);
        }
    }

    private final Path dir;
    private final SimulatedGrid grid;
    private final DirectoryCap root;
    private final byte[] convergenceSecret = new byte[32];
    private final AtomicInteger spools = new AtomicInteger();

    public VfsFixture(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("grid"));
        this.grid = new SimulatedGrid(dir.resolve("grid"), SERVERS);
        new SecureRandom().nextBytes(convergenceSecret);
        this.root = Dirnode.create(grid.client(), MutableFormat.SDMF).cap();
    }

    /**
     * The cache configuration every client uses: the default sizes, with {@link #DIR_CACHE_TIME} for directory
     * listings and servermaps alike, so that nothing a client caches hides another client's write for longer.
     */
    public static CacheConfig cacheConfig() {
        CacheConfig d = CacheConfig.DEFAULT;
        return new CacheConfig(DIR_CACHE_TIME, d.maxDirectories(), d.maxImmutableEntries(), d.segmentCacheBytes(),
                DIR_CACHE_TIME, d.maxServermaps());
    }

    /** How long a test waits for something another client did to become visible: several TTLs and edit windows. */
    public static Duration visibilityDeadline() {
        return DIR_CACHE_TIME.multipliedBy(10).plusSeconds(5);
    }

    public SimulatedGrid grid() {
        return grid;
    }

    public DirectoryCap root() {
        return root;
    }

    /** A new client of the grid with a spool directory of its own and the default (safe) configuration. */
    public Client client() {
        Path spool = dir.resolve("spool-" + spools.incrementAndGet());
        try {
            Files.createDirectories(spool);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Client(grid.client(),
                root,
                VfsConfig.defaults(spool, convergenceSecret.clone()).withCache(cacheConfig()));
    }

    /** The root directory as the grid holds it, read through a fresh grid client (no VFS, no cache). */
    public Dirnode rootDirnode() {
        return Dirnode.open(grid.client(), root);
    }

    /** The sequence number of the newest version of a mutable directory: one more per publish. */
    public long seqnum(DirectoryCap directory) {
        MutableFileNode node = new MutableFileNode(grid.client(), directory.fileCap());
        SignedPrefix newest = node.servermap(Mode.READ).newestRecoverable()
                .orElseThrow(() -> new AssertionError("no recoverable version of " + directory.uri()));
        return newest.seqnum();
    }

    /** Every server refuses every request, as if unreachable. */
    public void serversDown() {
        grid.servers().forEach(SimulatedGrid.Server::goDown);
    }

    /** Every answer from every server arrives {@code millis} later (uploads stay in flight for a while). */
    public void slowServers(long millis) {
        grid.servers().forEach(s -> s.slow(millis));
    }

    /** Every server answers again, at full speed. */
    public void serversUp() {
        grid.servers().forEach(s -> {
            s.comeBack();
            s.slow(0);
        });
    }

    @Override
    public void close() {
        serversUp();
        grid.close();
    }
}
