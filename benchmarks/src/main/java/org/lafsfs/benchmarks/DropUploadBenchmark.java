package org.lafsfs.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.dropupload.DropUploadConfig;
import org.lafsfs.dropupload.DropUploader;
import org.lafsfs.sftp.Accounts;
import org.lafsfs.sftp.HostKeys;
import org.lafsfs.sftp.SftpServer;
import org.lafsfs.vfs.DirectoryListing;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.Vfs;
import org.lafsfs.vfs.VfsConfig;

/**
 * The initial sync of a real tree (a copy of /usr/share/doc): drop-upload
 * beside {@code rclone copy} of the same tree through lafsfs's SFTP server,
 * in the same run, on the same in-process grid of ten servers. Both end when
 * every file is on the grid and every directory published.
 *
 * <pre>benchmarks/run drop-upload</pre>
 */
public final class DropUploadBenchmark {
    private static final Path DOC = Path.of("/usr/share/doc");

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("lafsfs-drop-bench");
        ExecutorService executor = Executors.newFixedThreadPool(8);
        try {
            Path source = work.resolve("doc");
            long[] tree = copyTree(DOC, source);
            System.out.printf(Locale.ROOT, "tree: %d files, %d directories, %.1f MB (a copy of %s)%n", tree[0],
                    tree[1], tree[2] / 1e6, DOC);
            Grid grid = LocalGrid.grid(LocalGrid.servers(work.resolve("grid"), executor, s -> s));
            byte[] convergence = new byte[32];
            new SecureRandom().nextBytes(convergence);

            double dropSeconds = dropUpload(grid, convergence, source, work);
            double rcloneSeconds = rcloneCopy(grid, convergence, source, work);
            System.out.printf(Locale.ROOT, "%-44s %8s %10s%n", "initial sync until on the grid", "s", "files/s");
            System.out.printf(Locale.ROOT, "%-44s %8.1f %10.1f%n", "drop-upload (4 parallel)", dropSeconds,
                    tree[0] / dropSeconds);
            System.out.printf(Locale.ROOT, "%-44s %8.1f %10.1f%n", "reference: rclone copy over lafsfs SFTP",
                    rcloneSeconds, tree[0] / rcloneSeconds);
            System.out.printf(Locale.ROOT, "ratio (rclone time / drop-upload time): %.2f%n",
                    rcloneSeconds / dropSeconds);
        } finally {
            executor.shutdownNow();
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double dropUpload(Grid grid, byte[] convergence, Path source, Path work) throws Exception {
        DirectoryCap root = Dirnode.create(grid, MutableFormat.SDMF).cap();
        try (LafsVfs vfs = LafsVfs.open(grid, root, VfsConfig.defaults(
                Files.createDirectories(work.resolve("spool-drop")), convergence))) {
            long start = System.nanoTime();
            try (DropUploader uploader = DropUploader.start(vfs, DropUploadConfig.defaults(source,
                    work.resolve("drop-state.json")).withSettle(Duration.ofMillis(100), Duration.ofSeconds(30)))) {
                Thread.sleep(300); // the first scan starts
                if (!uploader.awaitIdle(Duration.ofHours(1))) {
                    throw new IllegalStateException("drop-upload did not finish: " + uploader.status());
                }
                vfs.sync();
                double seconds = (System.nanoTime() - start) / 1e9;
                if (!uploader.status().failed().isEmpty()) {
                    throw new IllegalStateException("drop-upload failures: " + uploader.status().failed());
                }
                System.out.println("drop-upload: " + uploader.status().uploaded() + " files uploaded, "
                        + count(vfs, "/") + " files on the grid");
                return seconds;
            }
        }
    }

    private static double rcloneCopy(Grid grid, byte[] convergence, Path source, Path work) throws Exception {
        DirectoryCap root = Dirnode.create(grid, MutableFormat.SDMF).cap();
        Path key = work.resolve("id_ed25519");
        LocalGrid.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()), Map.of());
        Accounts accounts = Accounts.parse(List.of("bench " + Files.readString(work.resolve("id_ed25519.pub"),
                StandardCharsets.UTF_8).strip() + " " + root.uri()), "benchmark accounts");
        try (LafsVfs vfs = LafsVfs.open(grid, root, VfsConfig.defaults(
                Files.createDirectories(work.resolve("spool-rclone")), convergence));
             SftpServer server = SftpServer.start("127.0.0.1", 0,
                     HostKeys.readOrGenerateDefaults(Files.createDirectories(work.resolve("host"))), accounts,
                     r -> vfs)) {
            Files.writeString(work.resolve("rclone.conf"), "");
            long start = System.nanoTime();
            LocalGrid.run(List.of("rclone", "copy", source.toString(), "lafs:doc"), Map.of(
                    "RCLONE_CONFIG", work.resolve("rclone.conf").toString(),
                    "RCLONE_CONFIG_LAFS_TYPE", "sftp",
                    "RCLONE_CONFIG_LAFS_HOST", "127.0.0.1",
                    "RCLONE_CONFIG_LAFS_PORT", Integer.toString(server.port()),
                    "RCLONE_CONFIG_LAFS_USER", "bench",
                    "RCLONE_CONFIG_LAFS_KEY_FILE", key.toString(),
                    "RCLONE_CONFIG_LAFS_DISABLE_HASHCHECK", "true"));
            vfs.sync();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.println("rclone: " + count(vfs, "/doc") + " files on the grid");
            return seconds;
        }
    }

    /** Regular files and directories of {@code from}, copied (symlinks and unreadable files left out). */
    private static long[] copyTree(Path from, Path to) throws IOException {
        long[] counts = new long[3];
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                    counts[1]++;
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.isReadable(p)) {
                    Files.copy(p, target);
                    counts[0]++;
                    counts[2] += Files.size(p);
                }
            }
        }
        return counts;
    }

    private static long count(Vfs vfs, String dir) throws Exception {
        long files = 0;
        for (DirectoryListing entry : vfs.readdir(dir)) {
            String path = (dir.equals("/") ? "" : dir) + "/" + entry.name();
            files += entry.attributes().isDirectory() ? count(vfs, path) : 1;
        }
        return files;
    }
}
