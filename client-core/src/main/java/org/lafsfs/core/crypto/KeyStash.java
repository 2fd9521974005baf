package org.lafsfs.core.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * RSA keys made while the client is idle and kept on disk for later bursts
 * (Tahoe once ran a key-generator service for the same reason): untarring a
 * tree of 800 directories needs 800 keys, about 80 s of CPU if made on the
 * spot. A long-running lafsfs keeps up to {@code target} keys here, made on
 * a thread at nice 19 ({@link IdlePriority}) only after a few seconds without
 * a key taken and while the rest of the process is idle, so it does not
 * compete with the work it is there to speed up: an untar of small files
 * takes no keys but keeps both cores busy.
 *
 * <p>Every key is handed out once, by any number of processes sharing the
 * directory: a taker first renames the key file to a name of its own
 * (atomic), reads it, and deletes it; a key that two takers race for goes to
 * one of them. The files are private keys of future mutable files: the
 * directory is its owner's only, like the rest of NODEDIR/private.
 */
public final class KeyStash implements AutoCloseable {
    private static final String SUFFIX = ".key";
    /** Filling waits while the rest of the process uses more than this share of one core. */
    private static final int BUSY_DIVISOR = 10;
    private static final long BUSY_RECHECK_MILLIS = 500;

    private final Path dir;
    private final int target;
    private final long quietMillis;
    private final AtomicLong lastTake = new AtomicLong(System.nanoTime());
    private final LongSupplier othersCpuNanos;
    private volatile Thread filler;
    private volatile String problem;
    private volatile boolean niceLowered;

    /**
     * @param target how many keys to keep ready (0: take only, never fill)
     * @param quietMillis how long no key must have been taken before filling resumes
     */
    public KeyStash(Path dir, int target, long quietMillis) throws IOException {
        this(dir, target, quietMillis, KeyStash::othersCpuNanos);
    }

    /** @param othersCpuNanos CPU time used so far by every thread of the process but the caller; -1 if unknown */
    KeyStash(Path dir, int target, long quietMillis, LongSupplier othersCpuNanos) throws IOException {
        this.othersCpuNanos = othersCpuNanos;
        this.dir = dir;
        this.target = target;
        this.quietMillis = quietMillis;
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            }
        }
        // A key taken by a process that died before deleting it may be in use: it must go, never come back.
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().contains(".taken-")).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** A key made earlier, never handed out before; empty when none is left. */
    public Optional<SigningKey> take() {
        lastTake.set(System.nanoTime());
        for (Path file : keys()) {
            Path mine = file.resolveSibling(file.getFileName() + ".taken-" + UUID.randomUUID());
            try {
                Files.move(file, mine, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException raced) {
                continue; // another taker has it
            } catch (IOException e) {
                problem = "cannot take a key: " + e;
                return Optional.empty(); // the caller makes one instead
            }
            SigningKey key;
            try {
                key = SigningKey.fromDer(Files.readAllBytes(mine));
            } catch (IOException | GeneralSecurityException e) {
                problem = "dropped an unreadable key " + file.getFileName() + ": " + e;
                deleteQuietly(mine);
                continue;
            }
            try {
                // Gone for good before it is used: after a crash, a key back under its old name would be handed
                // out again and sign a second mutable file with the same storage index.
                Files.delete(mine);
                forceDirectory();
            } catch (IOException e) {
                problem = "cannot take a key for good: " + e;
                deleteQuietly(mine);
                return Optional.empty(); // the caller makes one instead
            }
            return Optional.of(key);
        }
        return Optional.empty();
    }

    private void deleteQuietly(Path taken) {
        try {
            Files.deleteIfExists(taken);
        } catch (IOException e) {
            problem = "cannot remove a taken key " + taken + ": " + e;
        }
    }

    private void forceDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** The last thing that went wrong here (the stash then falls back on making keys on the spot), or null. */
    public String problem() {
        return problem;
    }

    /** Whether the filling thread runs at nice 19 (false before it started, or where the OS would not). */
    boolean fillsAtLowestPriority() {
        return niceLowered;
    }

    /** How many keys are ready. */
    public int size() {
        return keys().size();
    }

    private List<Path> keys() {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Makes one key and adds it (written whole, forced, then moved into place). */
    public void addOne() throws IOException {
        SigningKey key = SigningKey.generate();
        Path tmp = dir.resolve(UUID.randomUUID() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer der = ByteBuffer.wrap(key.der());
            while (der.hasRemaining()) {
                ch.write(der);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(tmp.getFileName().toString().replace(".tmp", SUFFIX)),
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** Starts keeping {@code target} keys ready, in quiet moments, until {@link #close}. */
    public synchronized void startFilling() {
        if (filler != null || target <= 0) {
            return;
        }
        filler = new Thread(this::fill, "lafsfs-key-stash");
        filler.setDaemon(true);
        filler.setPriority(Thread.MIN_PRIORITY);
        filler.start();
    }

    private void fill() {
        niceLowered = IdlePriority.lowerCurrentThread();
        try {
            long lastLook = System.nanoTime();
            long lastCpu = othersCpuNanos.getAsLong();
            while (!Thread.currentThread().isInterrupted()) {
                long quietFor = (System.nanoTime() - lastTake.get()) / 1_000_000;
                if (quietFor < quietMillis) {
                    Thread.sleep(quietMillis - quietFor);
                    continue;
                }
                if (size() >= target) {
                    Thread.sleep(1000);
                    continue;
                }
                long now = System.nanoTime();
                long cpu = othersCpuNanos.getAsLong();
                boolean busy = cpu >= 0 && lastCpu >= 0 && cpu - lastCpu > (now - lastLook) / BUSY_DIVISOR;
                lastLook = now;
                lastCpu = cpu;
                if (busy) {
                    Thread.sleep(BUSY_RECHECK_MILLIS);
                } else {
                    addOne();
                }
            }
        } catch (InterruptedException e) {
            // closing
        } catch (IOException e) {
            problem = "stopped filling: " + e;
        }
    }

    /** CPU time of the whole process less the calling thread's, in nanoseconds; -1 where the JVM cannot say. */
    private static long othersCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            long process = os.getProcessCpuTime();
            long self = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            return process < 0 || self < 0 ? -1 : process - self;
        }
        return -1;
    }

    @Override
    public synchronized void close() {
        if (filler != null) {
            filler.interrupt();
            filler = null;
        }
    }
}
