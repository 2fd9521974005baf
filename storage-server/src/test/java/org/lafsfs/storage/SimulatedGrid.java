package org.lafsfs.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.grid.ClientSecrets;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.EncodingParameters;
import org.lafsfs.core.storage.Allocation;
import org.lafsfs.core.storage.LeaseSecrets;
import org.lafsfs.core.storage.ReadTestWriteResult;
import org.lafsfs.core.storage.ReadVector;
import org.lafsfs.core.storage.ServerVersion;
import org.lafsfs.core.storage.StorageException;
import org.lafsfs.core.storage.ForwardingStorageServer;
import org.lafsfs.core.storage.TestWriteVectors;
import org.lafsfs.core.storage.UploadProgress;

/**
 * A grid of many real storage servers in this process (each a
 * {@link StorageBackend} in its own directory), with the faults a real grid
 * has: servers that are down, slow, full, hold corrupt shares, or join in the
 * middle of a run. Tests that need a grid ask this one for clients.
 */
public final class SimulatedGrid implements AutoCloseable {
    private final Path dir;
    private final ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "simulated-storage");
        t.setDaemon(true);
        return t;
    });
    private final List<Server> servers = new ArrayList<>();
    private int created;

    public SimulatedGrid(Path dir, int count) {
        this.dir = dir;
        addServers(count);
    }

    /** Starts {@code count} more servers; they take their places in every file's permuted order. */
    public synchronized List<Server> addServers(int count) {
        List<Server> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = String.format("server%03d", created++);
            byte[] nodeId = sha1(name);
            try {
                StorageBackend backend = new StorageBackend(dir.resolve(name), nodeId, 0, Clock.systemUTC());
                Server server = new Server(name, backend);
                servers.add(server);
                added.add(server);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return added;
    }

    public synchronized List<Server> servers() {
        return List.copyOf(servers);
    }

    public synchronized List<GridServer> gridServers() {
        return servers.stream().map(Server::gridServer).toList();
    }

    /** A client of the grid as it is now, with its own lease secret and the default 3-of-10 encoding. */
    public Grid client() {
        return client(EncodingParameters.DEFAULT);
    }

    public Grid client(EncodingParameters params) {
        byte[] leaseSecret = new byte[32];
        new SecureRandom().nextBytes(leaseSecret);
        return new Grid(gridServers(), new ClientSecrets(leaseSecret), params);
    }

    public long mutableBytesWritten() {
        return servers().stream().mapToLong(Server::mutableBytesWritten).sum();
    }

    /** How many mutable-share list requests all servers have answered (servers asked by servermap updates). */
    public int mutableQueries() {
        return servers().stream().mapToInt(s -> s.listings.get()).sum();
    }

    @Override
    public void close() {
        // Let in-flight work (advise-corrupt notes, say) finish before the test deletes the directories.
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] sha1(String name) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One simulated server: a real storage backend behind a switch that injects faults. */
    public final class Server extends ForwardingStorageServer {
        private final String name;
        private final StorageBackend backend;
        private final GridServer gridServer;
        private final AtomicInteger listings = new AtomicInteger();
        private final java.util.concurrent.atomic.AtomicLong mutableBytesWritten = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean down;
        private volatile Runnable beforeNextMutableWrite;
        private volatile long delayMillis;

        Server(String name, StorageBackend backend) {
            super(new LocalStorageServer(backend, SimulatedGrid.this.executor, name));
            this.name = name;
            this.backend = backend;
            byte[] nodeId = sha1(name);
            this.gridServer = new GridServer(this, nodeId, nodeId);
        }

        public GridServer gridServer() {
            return gridServer;
        }

        public StorageBackend backend() {
            return backend;
        }

        /** Every request fails as if the connection were refused, until {@link #comeBack()}. */
        public void goDown() {
            down = true;
        }

        public void comeBack() {
            down = false;
        }

        /** Runs {@code action} just before the next mutable write reaches this server (another writer, say). */
        public void beforeNextMutableWrite(Runnable action) {
            beforeNextMutableWrite = action;
        }

        /** Every answer arrives {@code millis} later. */
        public void slow(long millis) {
            delayMillis = millis;
        }

        /** The disk fills up: writes that need room are refused (the real backend's reserved-space check). */
        public void fill() {
            backend.setReservedSpace(Long.MAX_VALUE / 2);
        }

        /** Flips a byte of a share's data as it lies on disk. */
        public void corrupt(StorageIndex si, int shnum, long dataOffset) {
            Path file = backend.storageDir().resolve("shares").resolve(si.prefix()).resolve(si.toString())
                    .resolve(Integer.toString(shnum));
            try {
                byte[] bytes = Files.readAllBytes(file);
                int at = (int) (MUTABLE_DATA_START + dataOffset);
                bytes[at] ^= 0x55;
                Files.write(file, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Bytes of mutable share data this server has been sent in write vectors. */
        public long mutableBytesWritten() {
            return mutableBytesWritten.get();
        }

        /** Share numbers of a mutable file this server holds. */
        public Set<Integer> mutableShares(StorageIndex si) {
            return backend.listMutableShares(si);
        }

        @Override
        protected <T> CompletableFuture<T> forward(Supplier<CompletableFuture<T>> operation) {
            if (down) {
                return CompletableFuture.failedFuture(
                        new StorageException.ServerUnreachable("storage server " + name + " is down", null));
            }
            CompletableFuture<T> result = operation.get();
            long delay = delayMillis;
            if (delay > 0) {
                return result.thenApplyAsync(r -> r, CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
            }
            return result;
        }

        @Override
        public CompletableFuture<ReadTestWriteResult> readTestWrite(StorageIndex si, byte[] writeEnabler,
                LeaseSecrets lease, Map<Integer, TestWriteVectors> vectors, List<ReadVector> readVector) {
            Runnable hook = beforeNextMutableWrite;
            if (hook != null) {
                beforeNextMutableWrite = null;
                hook.run();
            }
            vectors.values().forEach(v -> v.writes().forEach(w -> mutableBytesWritten.addAndGet(w.data().length)));
            return super.readTestWrite(si, writeEnabler, lease, vectors, readVector);
        }

        @Override
        public CompletableFuture<Set<Integer>> listMutableShares(StorageIndex si) {
            listings.incrementAndGet();
            return super.listMutableShares(si);
        }

        @Override
        public String name() {
            return name;
        }
    }

    /** Where a mutable share's data starts in its container file (header and four lease slots). */
    static final int MUTABLE_DATA_START = 468;
}
