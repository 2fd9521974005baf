package org.lafsfs.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.crypto.SigningKey;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.grid.ClientSecrets;
import org.lafsfs.core.crypto.KeyPool;
import org.lafsfs.core.crypto.KeyStash;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.ChkReader;
import org.lafsfs.core.immutable.ChkUploader;
import org.lafsfs.core.immutable.EncodingParameters;
import org.lafsfs.core.immutable.UploadSource;
import org.lafsfs.core.storage.Allocation;
import org.lafsfs.core.storage.LeaseSecrets;
import org.lafsfs.core.storage.ReadTestWriteResult;
import org.lafsfs.core.storage.ReadVector;
import org.lafsfs.core.storage.ServerVersion;
import org.lafsfs.core.storage.ForwardingStorageServer;
import org.lafsfs.core.storage.StorageServer;
import org.lafsfs.core.storage.TestWriteVectors;
import org.lafsfs.core.storage.UploadProgress;
import org.lafsfs.storage.LocalStorageServer;
import org.lafsfs.storage.StorageBackend;
import org.lafsfs.vfs.DirectoryListing;
import org.lafsfs.vfs.Errno;
import org.lafsfs.vfs.FileAttributes;
import org.lafsfs.vfs.FileHandle;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.OpenOption;
import org.lafsfs.vfs.Vfs;
import org.lafsfs.vfs.VfsConfig;
import org.lafsfs.vfs.VfsException;
import org.lafsfs.vfs.VfsStatus;

/**
 * The VFS (what the FUSE mount and the SFTP server run on) against the references a user compares it with,
 * measured in the same run: an untar-like burst of small files (against java.nio on local disk, and the DESIGN's
 * sshfs figure), close latency and heap for one large file, stat and readdir cold and warm (against raw
 * client-core and local disk), and sequential throughput (against raw ChkUploader and ChkReader). Ten in-process
 * storage servers (3-of-10), their shares and the VFS spool on real disk under /tmp, everything in one JVM.
 * Run with {@code benchmarks/run vfs [all|untar|close [MiB]|metadata|throughput [MiB]]}.
 */
public final class VfsBenchmark {
    private static final Path DOC = Path.of("/usr/share/doc");
    /** DESIGN.md: sshfs over local OpenSSH, untar of 4 513 small files, on these machines. */
    private static final double SSHFS_UNTAR_SECONDS = 12.7;
    private static final int SSHFS_UNTAR_FILES = 4513;
    private static final Set<OpenOption> CREATE = EnumSet.of(OpenOption.CREATE, OpenOption.WRITE,
            OpenOption.TRUNCATE);
    private static final int MIB = 1 << 20;

    private final Path work;
    private final List<CountingServer> counters = new ArrayList<>();
    private final Grid grid;
    private int spools;
    /** sshfs's seconds per file in the untar (measured beside it when it can be). */
    private double sshfsPerFile = SSHFS_UNTAR_SECONDS / SSHFS_UNTAR_FILES;

    private VfsBenchmark(Path work, ExecutorService executor) throws Exception {
        this.work = work;
        List<GridServer> servers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String name = "server" + i;
            byte[] nodeId = MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
            StorageBackend backend = new StorageBackend(work.resolve(name), nodeId, 0, Clock.systemUTC());
            CountingServer counting = new CountingServer(new LocalStorageServer(backend, executor, name));
            counters.add(counting);
            servers.add(new GridServer(counting, nodeId, nodeId));
        }
        grid = new Grid(servers, new ClientSecrets(new byte[32]), EncodingParameters.DEFAULT);
    }

    public static void main(String[] args) throws Exception {
        String part = args.length > 0 ? args[0] : "all";
        Path work = Files.createTempDirectory(Path.of("/tmp"), "lafsfs-vfsbench");
        ExecutorService executor = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        try {
            VfsBenchmark b = new VfsBenchmark(work, executor);
            System.out.printf("VFS over 10 in-process storage servers, 3-of-10; shares and spool in %s (%s, %s)%n",
                    work, Files.getFileStore(work).type(), Files.getFileStore(work).name());
            System.out.printf("%d cores, JDK %s, max heap %d MiB%n%n", Runtime.getRuntime().availableProcessors(),
                    Runtime.version(), Runtime.getRuntime().maxMemory() >> 20);
            int size = args.length > 1 ? Integer.parseInt(args[1]) : -1;
            switch (part) {
                case "all" -> {
                    b.untar();
                    b.closeLatency(1024);
                    b.metadata();
                    b.throughput(256);
                }
                case "untar", "1" -> b.untar();
                case "close", "2" -> b.closeLatency(size > 0 ? size : 1024);
                case "metadata", "3" -> b.metadata();
                case "throughput", "4" -> b.throughput(size > 0 ? size : 256);
                default -> throw new IllegalArgumentException(
                        "usage: VfsBenchmark [all|untar|close [MiB]|metadata|throughput [MiB]]");
            }
            System.out.printf("%ntotal %.0f s%n", (System.nanoTime() - start) / 1e9);
        } finally {
            executor.shutdownNow();
            delete(work);
        }
        System.exit(0);
    }

    // ---- 1. untar-like burst of small files ----

    private record Source(Path path, String relative, long size, Instant modified) {
    }

    private void untar() throws Exception {
        List<Source> files = new ArrayList<>();
        Set<String> dirs = new HashSet<>();
        long bytes = 0;
        try (var walk = Files.walk(DOC)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    String rel = DOC.relativize(p).toString();
                    files.add(new Source(p, rel, Files.size(p), Files.getLastModifiedTime(p).toInstant()));
                    for (String parent = parent(rel); !parent.isEmpty(); parent = parent(parent)) {
                        dirs.add(parent);
                    }
                    bytes += Files.readAllBytes(p).length; // and into the page cache, for every run alike
                }
            }
        }
        long literal = files.stream().filter(f -> f.size() <= ChkUploader.LITERAL_THRESHOLD).count();
        System.out.printf("1. untar-like burst: every regular file under %s: %d files (%d of them LIT-sized), "
                + "%.1f MB, %d directories%n", DOC, files.size(), literal, bytes / 1e6, dirs.size());
        System.out.println("   mkdir -p, open CREATE|WRITE|TRUNCATE, 64 KiB writes, close, setModified; then sync()");

        SigningKey.generate();
        long k0 = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            SigningKey.generate();
        }
        double keygen = (System.nanoTime() - k0) / 30 / 1e6;

        double nioSeconds = copyTree(files, Files.createDirectories(work.resolve("nio-copy")));
        double sshfsSeconds = sshfsUntar(files);
        boolean sshfsMeasured = !Double.isNaN(sshfsSeconds);
        sshfsPerFile = sshfsMeasured ? sshfsSeconds / files.size() : SSHFS_UNTAR_SECONDS / SSHFS_UNTAR_FILES;

        Counts before = counts();
        DirectoryCap safeRoot = Dirnode.create(grid, MutableFormat.SDMF).cap();
        Counts rootCreate = counts().minus(before);
        double[] safe;
        Counts safeCounts;
        // Each mode its own convergence secret: the same secret would find every share already on the grid.
        try (Vfs vfs = vfs(safeRoot, null, secret("untar-safe"))) {
            before = counts();
            safe = untarInto(vfs, files);
            safeCounts = counts().minus(before);
        }
        String safeCheck = verify(safeRoot, files);

        DirectoryCap backRoot = Dirnode.create(grid, MutableFormat.SDMF).cap();
        double[] back;
        Counts backCounts;
        try (Vfs vfs = vfs(backRoot, Duration.ZERO, secret("untar-write-back"))) {
            before = counts();
            back = untarInto(vfs, files);
            backCounts = counts().minus(before);
        }
        String backCheck = verify(backRoot, files);

        // What a long-running lafsfs does in idle time: keys made ahead, on disk (KeyStash). Made here on
        // both cores before the runs, not timed; then the same two modes again, drawing on them.
        KeyStash stash = new KeyStash(work.resolve("keys"), 0, 0);
        long stashStart = System.nanoTime();
        ExecutorService makers = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<java.util.concurrent.Future<?>> made = new ArrayList<>();
        for (int i = 0; i < 2 * (dirs.size() + 2); i++) {
            made.add(makers.submit(() -> {
                stash.addOne();
                return null;
            }));
        }
        for (var f : made) {
            f.get();
        }
        makers.shutdown();
        double stashSeconds = (System.nanoTime() - stashStart) / 1e9;
        KeyPool.use(stash);
        double[] warmSafe;
        double[] warmBack;
        DirectoryCap warmSafeRoot = Dirnode.create(grid, MutableFormat.SDMF).cap();
        try (Vfs vfs = vfs(warmSafeRoot, null, secret("untar-safe-warm"))) {
            warmSafe = untarInto(vfs, files);
        }
        String warmSafeCheck = verify(warmSafeRoot, files);
        DirectoryCap warmBackRoot = Dirnode.create(grid, MutableFormat.SDMF).cap();
        try (Vfs vfs = vfs(warmBackRoot, Duration.ZERO, secret("untar-write-back-warm"))) {
            warmBack = untarInto(vfs, files);
        }
        String warmBackCheck = verify(warmBackRoot, files);
        KeyPool.use(null);

        int n = files.size();
        System.out.printf("   %-70s %8s %8s %8s %8s%n", "", "s", "ms/file", "vs nio", "vs sshfs");
        row("reference: java.nio copy to local disk (same filesystem)", nioSeconds, n, nioSeconds);
        if (sshfsMeasured) {
            row("reference: the same through sshfs to this machine's sshd", sshfsSeconds, n, nioSeconds);
        } else {
            System.out.printf("   %-70s %8.1f %8.2f%n", "reference: sshfs untar of " + SSHFS_UNTAR_FILES
                    + " files (from DESIGN.md; no sshfs or sshd here)", SSHFS_UNTAR_SECONDS,
                    SSHFS_UNTAR_SECONDS * 1000 / SSHFS_UNTAR_FILES);
        }
        row("VFS safe (closeWait 10 s): last close returned", safe[0], n, nioSeconds);
        row("VFS safe: sync() returned (all on the grid)", safe[1], n, nioSeconds);
        row("VFS write-back (closeWait 0): last close returned", back[0], n, nioSeconds);
        row("VFS write-back: sync() returned (all on the grid)", back[1], n, nioSeconds);
        row("VFS safe, key stash warm: last close returned", warmSafe[0], n, nioSeconds);
        row("VFS safe, key stash warm: sync() returned", warmSafe[1], n, nioSeconds);
        row("VFS write-back, key stash warm: last close returned", warmBack[0], n, nioSeconds);
        row("VFS write-back, key stash warm: sync() returned", warmBack[1], n, nioSeconds);
        System.out.printf("   (the warm stash: %d keys made ahead on both cores in %.1f s, as an idle lafsfs would)%n",
                2 * (dirs.size() + 2), stashSeconds);
        System.out.println(sshfsMeasured ? "   (vs sshfs: against the same files through sshfs, in this run)"
                : "   (vs sshfs: per file, as the file counts differ)");
        System.out.printf("   reference: RSA-2048 key generation, mean of 30: %.0f ms "
                + "(every mkdir makes one; x %d = %.1f s)%n", keygen, dirs.size(), keygen * dirs.size() / 1000);
        System.out.printf("   mkdir as measured in the runs: %.0f ms (safe), %.0f ms (write-back)%n",
                safe[2] * 1000 / dirs.size(), back[2] * 1000 / dirs.size());
        System.out.printf("   grid writes: creating a directory is %d mutable publish; the floor for edits is one "
                + "publish%n   per directory given new entries (%d here)%n", rootCreate.creates(), dirs.size() + 1);
        System.out.printf("   %-30s %10s %14s %12s %10s%n", "", "dirs made", "dir publishes", "files/publ.",
                "CHK puts");
        Map<String, Counts> modes = new LinkedHashMap<>();
        modes.put("safe", safeCounts);
        modes.put("write-back", backCounts);
        for (var e : modes.entrySet()) {
            Counts c = e.getValue();
            System.out.printf("   %-30s %10d %14d %12.1f %10d%n", e.getKey(), c.creates(), c.edits(),
                    (double) n / Math.max(1, c.edits()), c.chkUploads());
        }
        System.out.printf("   %-30s %10s %10s %10s %10s %14s%n", "seconds spent in", "mkdir -p", "open",
                "write", "close", "setModified");
        System.out.printf("   %-30s %10.1f %10.1f %10.1f %10.1f %14.1f%n", "safe", safe[2], safe[3], safe[4],
                safe[5], safe[6]);
        System.out.printf("   %-30s %10.1f %10.1f %10.1f %10.1f %14.1f%n", "write-back", back[2], back[3],
                back[4], back[5], back[6]);
        System.out.printf("   %-30s %10.1f %10.1f %10.1f %10.1f %14.1f%n", "safe, stash warm", warmSafe[2],
                warmSafe[3], warmSafe[4], warmSafe[5], warmSafe[6]);
        System.out.printf("   %-30s %10.1f %10.1f %10.1f %10.1f %14.1f%n", "write-back, stash warm", warmBack[2],
                warmBack[3], warmBack[4], warmBack[5], warmBack[6]);
        System.out.println("   check through a fresh VFS (every file stat'ed, every 10th read):");
        System.out.println("     safe: " + safeCheck);
        System.out.println("     write-back: " + backCheck);
        System.out.println("     safe, warm stash: " + warmSafeCheck);
        System.out.println("     write-back, warm stash: " + warmBackCheck);
        System.out.println();
    }

    private void row(String what, double seconds, int files, double nioSeconds) {
        System.out.printf("   %-70s %8.1f %8.2f %8.1f %8.2f%n", what, seconds, seconds * 1000 / files,
                seconds / nioSeconds, seconds / (sshfsPerFile * files));
    }

    /** The untar as plain file operations (mkdir -p, create and write, set the time) into {@code to}: seconds. */
    private static double copyTree(List<Source> files, Path to) throws IOException {
        long t = System.nanoTime();
        for (Source f : files) {
            Path target = to.resolve(f.relative());
            Files.createDirectories(target.getParent());
            Files.copy(f.path(), target, StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(target, FileTime.from(f.modified()));
        }
        return (System.nanoTime() - t) / 1e9;
    }

    /**
     * The same untar through sshfs over this machine's own OpenSSH (sshd in inetd mode, writing this disk), in
     * this run: the reference the goal names. NaN where sshfs or sshd is missing.
     */
    private double sshfsUntar(List<Source> files) throws Exception {
        if (!LocalSshd.available() || !Files.isExecutable(Path.of("/usr/bin/sshfs"))) {
            return Double.NaN;
        }
        Path dir = work.resolve("sshfs");
        LocalSshd sshd = LocalSshd.in(dir.resolve("sshd"), LocalSshd.newClientKey(
                Files.createDirectories(dir).resolve("id_ed25519")));
        Path data = Files.createDirectories(dir.resolve("data"));
        Path mount = Files.createDirectories(dir.resolve("mount"));
        List<String> command = new ArrayList<>(List.of("sshfs"));
        command.addAll(sshd.options());
        command.add(LocalSshd.login() + ":" + data);
        command.add(mount.toString());
        LocalGrid.run(command, java.util.Map.of());
        try {
            return copyTree(files, mount);
        } finally {
            LocalGrid.run(List.of("fusermount", "-u", mount.toString()), java.util.Map.of());
        }
    }

    /**
     * Returns seconds until the last close (and setModified) returned, until sync() returned, and the seconds
     * spent in mkdir, open, write, close and setModified.
     */
    private static double[] untarInto(Vfs vfs, List<Source> files) throws Exception {
        Set<String> made = new HashSet<>();
        long[] in = new long[5];
        long t = System.nanoTime();
        for (Source f : files) {
            long t0 = System.nanoTime();
            mkdirs(vfs, parent(f.relative()), made);
            String path = "/" + f.relative();
            byte[] data = Files.readAllBytes(f.path());
            long t1 = System.nanoTime();
            FileHandle h = vfs.open(path, CREATE);
            long t2 = System.nanoTime();
            for (int at = 0; at < data.length; at += 65536) {
                h.write(at, data, at, Math.min(65536, data.length - at));
            }
            long t3 = System.nanoTime();
            h.close();
            long t4 = System.nanoTime();
            vfs.setModified(path, f.modified());
            long t5 = System.nanoTime();
            in[0] += t1 - t0;
            in[1] += t2 - t1;
            in[2] += t3 - t2;
            in[3] += t4 - t3;
            in[4] += t5 - t4;
        }
        long closed = System.nanoTime();
        vfs.sync();
        long synced = System.nanoTime();
        return new double[] {(closed - t) / 1e9, (synced - t) / 1e9, in[0] / 1e9, in[1] / 1e9, in[2] / 1e9,
            in[3] / 1e9, in[4] / 1e9};
    }

    private static void mkdirs(Vfs vfs, String dir, Set<String> made) throws VfsException {
        if (dir.isEmpty() || made.contains(dir)) {
            return;
        }
        mkdirs(vfs, parent(dir), made);
        try {
            vfs.mkdir("/" + dir);
        } catch (VfsException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
        made.add(dir);
    }

    private static String parent(String relative) {
        int slash = relative.lastIndexOf('/');
        return slash < 0 ? "" : relative.substring(0, slash);
    }

    /** Reads the tree back through a fresh VFS: sizes and times of every file, contents of every tenth. */
    private String verify(DirectoryCap root, List<Source> files) throws Exception {
        List<String> problems = new ArrayList<>();
        int read = 0;
        try (Vfs vfs = vfs(root, null)) {
            for (int i = 0; i < files.size(); i++) {
                Source f = files.get(i);
                String path = "/" + f.relative();
                List<String> wrong = new ArrayList<>();
                try {
                    FileAttributes a = vfs.stat(path);
                    if (a.size() != f.size()) {
                        wrong.add("size " + a.size() + " instead of " + f.size());
                    }
                    boolean mtime = Math.abs(Duration.between(a.modified(), f.modified()).toMillis()) <= 1;
                    if (!mtime) {
                        wrong.add("mtime " + a.modified() + " instead of " + f.modified());
                    }
                    if (!wrong.isEmpty()) {
                        wrong.add(mtime ? "mtime right" : "");
                    } else if (i % 10 == 0) {
                        read++;
                        if (!Arrays.equals(readAll(vfs, path, f.size()), Files.readAllBytes(f.path()))) {
                            wrong.add("different contents");
                        }
                    }
                } catch (VfsException e) {
                    wrong.add(e.errno() + " " + e.getMessage());
                }
                if (!wrong.isEmpty()) {
                    problems.add(path + ": " + String.join(", ", wrong.stream().filter(w -> !w.isEmpty()).toList()));
                }
            }
        }
        if (problems.isEmpty()) {
            return "ok (" + files.size() + " stat, " + read + " read)";
        }
        return problems.size() + " of " + files.size() + " WRONG:\n       "
                + String.join("\n       ", problems.subList(0, Math.min(8, problems.size())));
    }

    private static byte[] readAll(Vfs vfs, String path, long size) throws VfsException {
        byte[] out = new byte[(int) size];
        try (FileHandle h = vfs.open(path, EnumSet.of(OpenOption.READ))) {
            int at = 0;
            for (int r; at < out.length && (r = h.read(at, out, at, Math.min(MIB, out.length - at))) > 0; ) {
                at += r;
            }
            if (at != out.length || h.read(at, new byte[1], 0, 1) != 0) {
                return Arrays.copyOf(out, at); // short or long: reported as different contents
            }
        }
        return out;
    }

    // ---- 2. close latency of one large file ----

    private void closeLatency(int mib) throws Exception {
        System.out.printf("2. close of a new %d MiB file written in 1 MiB chunks, default config (closeWait 10 s)%n",
                mib);
        byte[] block = new byte[MIB];
        new Random(2).nextBytes(block);
        Path local = work.resolve("local-large.bin");
        long t = System.nanoTime();
        try (FileChannel ch = FileChannel.open(local, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < mib; i++) {
                stamp(block, i);
                ch.write(ByteBuffer.wrap(block), (long) i * MIB);
            }
            long written = System.nanoTime();
            ch.force(true);
            double force = (System.nanoTime() - written) / 1e9;
            System.out.printf("   reference: java.nio write to local disk %.1f s (%.0f MB/s), then fsync %.1f s%n",
                    (written - t) / 1e9, mib * 1.048576 / ((written - t) / 1e9), force);
        }
        Files.delete(local);

        DirectoryCap root = Dirnode.create(grid, MutableFormat.SDMF).cap();
        try (Vfs vfs = vfs(root, null, "close-test".getBytes(StandardCharsets.UTF_8))) {
            long heapBefore = heapAfterGc();
            FileHandle h = vfs.open("/large.bin", CREATE);
            t = System.nanoTime();
            for (int i = 0; i < mib; i++) {
                stamp(block, i);
                h.write((long) i * MIB, block, 0, MIB);
            }
            long written = System.nanoTime();
            long heapWritten = heapAfterGc();
            // From the close on, the heap is sampled (after a GC) every second until the upload is done.
            AtomicLong heapMax = new AtomicLong(heapWritten);
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    heapMax.accumulateAndGet(heapAfterGc(), Math::max);
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long closing = System.nanoTime();
            sampler.start();
            h.close();
            long closed = System.nanoTime();
            VfsStatus status = vfs.status();
            while (!status.pendingUploads().isEmpty() && status.failedUploads().isEmpty()
                    && System.nanoTime() - closed < 600e9) {
                Thread.sleep(20);
                status = vfs.status();
            }
            long uploaded = System.nanoTime();
            sampler.interrupt();
            sampler.join();
            if (!status.failedUploads().isEmpty()) {
                System.out.println("   UPLOAD FAILED: " + status.failedUploads());
            }
            vfs.sync();
            long synced = System.nanoTime();
            double up = (uploaded - closing) / 1e9;
            System.out.printf("   %-52s %8s %8s%n", "", "s", "MB/s");
            System.out.printf("   %-52s %8.1f %8.0f%n", "writes into the VFS (spool on disk)", (written - t) / 1e9,
                    mib * 1.048576 / ((written - t) / 1e9));
            System.out.printf("   %-52s %8.2f%n", "close() returned after", (closed - closing) / 1e9);
            System.out.printf("   %-52s %8.1f %8.0f%n", "upload finished (pendingUploads empty), from close",
                    up, mib * 1.048576 / up);
            System.out.printf("   %-52s %8.1f%n", "sync() returned, from close", (synced - closing) / 1e9);
            System.out.printf("   heap used after GC: %d MiB before, %d MiB after writing, at most %d MiB from "
                    + "close until uploaded (sampled every second)%n", heapBefore >> 20, heapWritten >> 20,
                    heapMax.get() >> 20);
            FileAttributes a = vfs.stat("/large.bin");
            System.out.printf("   stat after sync: %d bytes%s%n", a.size(),
                    a.size() == (long) mib * MIB ? "" : " (WRONG: expected " + (long) mib * MIB + ")");
        }
        System.out.println();
    }

    private static void stamp(byte[] block, int i) {
        block[0] = (byte) i;
        block[1] = (byte) (i >> 8);
    }

    private static long heapAfterGc() {
        System.gc();
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    // ---- 3. stat and readdir ----

    private void metadata() throws Exception {
        System.out.println("3. stat and readdir: a directory of 10 000 LIT files; an ls -lR walk of 5 000 files"
                + " in 50 directories");
        Dirnode top = Dirnode.create(grid, MutableFormat.SDMF);
        DirectoryCap root = top.cap();
        Dirnode big = Dirnode.create(grid, MutableFormat.SDMF);
        Map<String, Cap> children = new LinkedHashMap<>();
        for (int i = 0; i < 10_000; i++) {
            children.put(name(i), new LiteralCap(("entry " + i).getBytes(StandardCharsets.UTF_8)));
        }
        big.linkAll(children, false);
        top.link("big", big.cap(), null, false);
        Dirnode tree = Dirnode.create(grid, MutableFormat.SDMF);
        Map<String, Cap> subdirs = new LinkedHashMap<>();
        for (int d = 0; d < 50; d++) {
            Dirnode sub = Dirnode.create(grid, MutableFormat.SDMF);
            Map<String, Cap> files = new LinkedHashMap<>();
            for (int i = 0; i < 100; i++) {
                files.put(name(i), new LiteralCap(("file " + d + "/" + i).getBytes(StandardCharsets.UTF_8)));
            }
            sub.linkAll(files, false);
            subdirs.put(String.format("dir-%02d", d), sub.cap());
        }
        tree.linkAll(subdirs, false);
        top.link("tree", tree.cap(), null, false);

        // The same shapes on local disk, for java.nio.
        Path localBig = Files.createDirectories(work.resolve("local-big"));
        for (int i = 0; i < 10_000; i++) {
            Files.writeString(localBig.resolve(name(i)), "entry " + i);
        }
        Path localTree = Files.createDirectories(work.resolve("local-tree"));
        for (int d = 0; d < 50; d++) {
            Path sub = Files.createDirectories(localTree.resolve(String.format("dir-%02d", d)));
            for (int i = 0; i < 100; i++) {
                Files.writeString(sub.resolve(name(i)), "file " + d + "/" + i);
            }
        }

        String oneName = "/big/" + name(5_000);
        // Cold: a fresh VFS each time (empty cache); medians of 9, after one run to let the JIT compile.
        double rawList = median(6, () -> Dirnode.open(grid, big.cap()).list());
        Measure coldStatRun = () -> {
            try (Vfs vfs = vfs(root, null)) {
                return time(() -> vfs.stat(oneName));
            }
        };
        Measure coldReaddirRun = () -> {
            try (Vfs vfs = vfs(root, null)) {
                return time(() -> vfs.readdir("/big"));
            }
        };
        coldStatRun.ms();
        coldReaddirRun.ms();
        double coldStat = medianOf(9, coldStatRun);
        double coldReaddir = medianOf(9, coldReaddirRun);
        double warmReaddir;
        double warmStat;
        int listed;
        // Warm stats of random names, the paths made beforehand so that only the stat is timed.
        Random r = new Random(3);
        int[] picks = r.ints(2001, 0, 10_000).toArray();
        String[] vfsPaths = Arrays.stream(picks).mapToObj(i -> "/big/" + name(i)).toArray(String[]::new);
        Path[] localPaths = Arrays.stream(picks).mapToObj(i -> localBig.resolve(name(i))).toArray(Path[]::new);
        int[] next = {0};
        try (Vfs vfs = vfs(root, null)) {
            listed = vfs.readdir("/big").size();
            warmReaddir = median(15, () -> vfs.readdir("/big"));
            warmStat = median(2001, () -> vfs.stat(vfsPaths[next[0]++]));
        }
        double localReaddir = median(15, () -> localReaddir(localBig));
        next[0] = 0;
        double localStat = median(2001, () -> Files.readAttributes(localPaths[next[0]++], BasicFileAttributes.class));
        System.out.printf("   %-58s %10s %12s%n", "directory of " + listed + " entries", "ms", "ratio");
        System.out.printf("   %-58s %10.2f%n", "reference: Dirnode.list() (client-core: retrieve, unpack)", rawList);
        System.out.printf("   %-58s %10.2f %12s%n", "readdir, cold (fresh VFS: root and directory fetched)",
                coldReaddir, String.format("%.2f of raw", coldReaddir / rawList));
        System.out.printf("   %-58s %10.2f %12s%n", "stat of one entry, cold", coldStat,
                String.format("%.2f of raw", coldStat / rawList));
        System.out.printf("   %-58s %10.2f%n", "reference: java.nio readdir + attributes, local disk", localReaddir);
        System.out.printf("   %-58s %10.2f %12s%n", "readdir, warm", warmReaddir,
                String.format("%.1fx nio", warmReaddir / localReaddir));
        System.out.printf("   %-58s %10.4f%n", "reference: java.nio stat, local disk", localStat);
        System.out.printf("   %-58s %10.4f %12s%n", "stat, warm (random entries)", warmStat,
                String.format("%.1fx nio", warmStat / localStat));

        double localWalk = median(5, () -> time(() -> localWalk(localTree)));
        System.out.printf("   %-58s %10s %12s %22s%n", "ls -lR walk of /tree (readdir + stat of every entry)", "ms",
                "vs nio", "directory cache");
        System.out.printf("   %-58s %10.1f%n", "reference: java.nio walk, local disk", localWalk);
        try (Vfs vfs = vfs(root, null)) {
            for (String what : List.of("cold (fresh VFS)", "again at once (warm)")) {
                Map<String, String> s0 = vfs.status().cacheStats();
                int[] entries = {0};
                double ms = time(() -> entries[0] = walk(vfs, "/tree"));
                Map<String, String> s1 = vfs.status().cacheStats();
                long hits = stat(s1, "directories", "hits") - stat(s0, "directories", "hits");
                long misses = stat(s1, "directories", "misses") - stat(s0, "directories", "misses");
                System.out.printf("   %-58s %10.1f %12.1f %22s%n", "VFS, " + what + ", " + entries[0] + " entries", ms,
                        ms / localWalk, String.format("%d hits %d misses %.3f", hits, misses,
                                hits / (double) Math.max(1, hits + misses)));
            }
            System.out.println("   cache after the walks: " + vfs.status().cacheStats());
        }
        System.out.println();
    }

    private static String name(int i) {
        return String.format("file-%06d.txt", i);
    }

    private static int localReaddir(Path dir) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                n++;
            }
        }
        return n;
    }

    private static int localWalk(Path dir) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                n++;
                if (a.isDirectory()) {
                    n += localWalk(p);
                }
            }
        }
        return n;
    }

    /** ls -lR: readdir, then stat of each entry by its path (as ls does lstat), recursing into directories. */
    private static int walk(Vfs vfs, String dir) throws VfsException {
        int n = 0;
        for (DirectoryListing e : vfs.readdir(dir)) {
            String path = dir + "/" + e.name();
            FileAttributes a = vfs.stat(path);
            n++;
            if (a.isDirectory()) {
                n += walk(vfs, path);
            }
        }
        return n;
    }

    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\d+)");

    private static long stat(Map<String, String> stats, String cache, String field) {
        Matcher m = FIELD.matcher(stats.getOrDefault(cache, ""));
        while (m.find()) {
            if (m.group(1).equals(field)) {
                return Long.parseLong(m.group(2));
            }
        }
        return 0;
    }

    // ---- 4. sequential throughput ----

    private void throughput(int mib) throws Exception {
        System.out.printf("4. sequential write and read of a %d MiB file in 1 MiB calls (MB/s)%n", mib);
        Path file = work.resolve("throughput.bin");
        byte[] block = new byte[MIB];
        new Random(1).nextBytes(block);
        try (var out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                stamp(block, i);
                out.write(block);
            }
        }
        Path warm = work.resolve("warm-up.bin");
        try (var out = Files.newOutputStream(warm)) {
            for (int i = 0; i < 48; i++) {
                out.write(block);
            }
        }
        // Warm-up: let the JIT compile the upload and download loops (AES-CTR with 1 MiB calls starts slow).
        ChkCap warmCap = (ChkCap) new ChkUploader(grid.servers(), grid.params(), secret("warm"), grid.secrets())
                .upload(UploadSource.of(warm)).cap();
        ChkReader warmReader = ChkReader.on(grid, warmCap);
        for (long at = 0; at < warmCap.size(); at += MIB) {
            warmReader.read(at, MIB);
        }

        // The machine is shared and two cores are few: raw and VFS alternate, uploads twice, reads three times,
        // each with its own convergence secret (so nothing is already on the grid) and each VFS fresh (so
        // nothing is cached); the best of each is compared.
        double[][] up = new double[4][2]; // raw put; VFS writes into the spool; until close; until sync
        ChkCap cap = null;
        DirectoryCap root = null;
        for (int round = 0; round < 2; round++) {
            long t = System.nanoTime();
            cap = (ChkCap) new ChkUploader(grid.servers(), grid.params(), secret("raw" + round), grid.secrets())
                    .upload(UploadSource.of(file)).cap();
            up[0][round] = rate(mib, t);
            root = Dirnode.create(grid, MutableFormat.SDMF).cap();
            try (Vfs vfs = vfs(root, null, secret("vfs" + round)); FileChannel in = FileChannel.open(file)) {
                byte[] buffer = new byte[MIB];
                t = System.nanoTime();
                FileHandle h = vfs.open("/throughput.bin", CREATE);
                for (int i = 0; i < mib; i++) {
                    ByteBuffer b = ByteBuffer.wrap(buffer);
                    while (b.hasRemaining() && in.read(b, (long) i * MIB + b.position()) > 0) {
                        // read fully
                    }
                    h.write((long) i * MIB, buffer, 0, MIB);
                }
                up[1][round] = rate(mib, t);
                h.close();
                up[2][round] = rate(mib, t);
                vfs.sync();
                up[3][round] = rate(mib, t);
            }
        }

        double[][] down = new double[2][3]; // raw ChkReader; VFS
        int bad = 0;
        for (int round = 0; round < 3; round++) {
            long t = System.nanoTime();
            ChkReader reader = ChkReader.on(grid, cap);
            for (int i = 0; i < mib; i++) {
                stamp(block, i);
                if (!Arrays.equals(reader.read((long) i * MIB, MIB), block)) {
                    bad++;
                }
            }
            down[0][round] = rate(mib, t);
            try (Vfs vfs = vfs(root, null)) {
                byte[] buffer = new byte[MIB];
                t = System.nanoTime();
                try (FileHandle h = vfs.open("/throughput.bin", EnumSet.of(OpenOption.READ))) {
                    for (int i = 0; i < mib; i++) {
                        int n = h.read((long) i * MIB, buffer, 0, MIB);
                        stamp(block, i);
                        if (n != MIB || !Arrays.equals(buffer, block)) {
                            bad++;
                        }
                    }
                }
                down[1][round] = rate(mib, t);
            }
        }
        System.out.printf("   %-52s %7s %7s %7s %7s %8s%n", "", "run 1", "run 2", "run 3", "best", "of raw");
        double rawUp = best(up[0]);
        runs("reference: ChkUploader.upload (client-core put)", up[0], rawUp, false);
        runs("VFS: writes into the spool (open + 1 MiB writes)", up[1], rawUp, true);
        runs("VFS: until close() returned", up[2], rawUp, true);
        runs("VFS: until sync() returned (on the grid, linked)", up[3], rawUp, true);
        double rawDown = best(down[0]);
        runs("reference: ChkReader, sequential 1 MiB reads", down[0], rawDown, false);
        runs("VFS: 1 MiB reads through a fresh VFS", down[1], rawDown, true);
        if (bad > 0) {
            System.out.println("   WRONG: " + bad + " chunks read back differ from what was written");
        }
        System.out.println();
    }

    private static double best(double[] runs) {
        return Arrays.stream(runs).max().orElse(0);
    }

    private static void runs(String what, double[] runs, double reference, boolean ratio) {
        StringBuilder line = new StringBuilder(String.format("   %-52s", what));
        for (int i = 0; i < 3; i++) {
            line.append(i < runs.length ? String.format(" %7.1f", runs[i]) : "        ");
        }
        line.append(String.format(" %7.1f", best(runs)));
        if (ratio) {
            line.append(String.format(" %8.2f", best(runs) / reference));
        }
        System.out.println(line);
    }

    private static double rate(int mib, long since) {
        return mib * 1.048576 / ((System.nanoTime() - since) / 1e9);
    }

    // ---- helpers ----

    private static byte[] secret(String name) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
    }

    private Vfs vfs(DirectoryCap root, Duration closeWait) throws Exception {
        return vfs(root, closeWait, secret("untar"));
    }

    private Vfs vfs(DirectoryCap root, Duration closeWait, byte[] convergence) throws VfsException {
        VfsConfig config = VfsConfig.defaults(work.resolve("spool-" + spools++), convergence);
        return LafsVfs.open(grid, root, closeWait == null ? config : config.withCloseWait(closeWait));
    }

    interface Timed {
        Object run() throws Exception;
    }

    interface Measure {
        double ms() throws Exception;
    }

    private static double time(Timed step) throws Exception {
        long t = System.nanoTime();
        step.run();
        return (System.nanoTime() - t) / 1e6;
    }

    private static double medianOf(int runs, Measure measure) throws Exception {
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            ms[i] = measure.ms();
        }
        Arrays.sort(ms);
        return ms[runs / 2];
    }

    private static double median(int runs, Timed step) throws Exception {
        return medianOf(runs, () -> time(step));
    }

    private static void delete(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ---- counting what reaches the servers ----

    private record Counts(long creates, long edits, long chkUploads) {
        Counts minus(Counts o) {
            return new Counts(creates - o.creates, edits - o.edits, chkUploads - o.chkUploads);
        }
    }

    private Counts counts() {
        long creates = 0;
        long edits = 0;
        long chk = 0;
        for (CountingServer c : counters) {
            creates += c.creates.get();
            edits += c.edits.get();
            chk += c.chkUploads.get();
        }
        return new Counts(creates, edits, chk);
    }

    /**
     * Counts publishes: a mutable publish writes share 0 exactly once (3-of-10 on ten servers), expecting no share
     * when it creates the file and the old checkstring when it replaces a version. CHK uploads are counted by
     * their allocation of share 0.
     */
    private static final class CountingServer extends ForwardingStorageServer {
        final AtomicLong creates = new AtomicLong();
        final AtomicLong edits = new AtomicLong();
        final AtomicLong chkUploads = new AtomicLong();

        CountingServer(StorageServer delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<ReadTestWriteResult> readTestWrite(StorageIndex si, byte[] writeEnabler,
                LeaseSecrets lease, Map<Integer, TestWriteVectors> vectors, List<ReadVector> readVector) {
            TestWriteVectors zero = vectors.get(0);
            if (zero != null && !zero.writes().isEmpty()) {
                boolean fresh = zero.tests().stream().allMatch(test -> test.specimen().length == 0);
                (fresh ? creates : edits).incrementAndGet();
            }
            return super.readTestWrite(si, writeEnabler, lease, vectors, readVector);
        }

        @Override
        public CompletableFuture<Allocation> allocateBuckets(StorageIndex si, LeaseSecrets lease,
                byte[] uploadSecret, Set<Integer> shareNumbers, long allocatedSize) {
            if (shareNumbers.contains(0)) {
                chkUploads.incrementAndGet();
            }
            return super.allocateBuckets(si, lease, uploadSecret, shareNumbers, allocatedSize);
        }
    }
}
