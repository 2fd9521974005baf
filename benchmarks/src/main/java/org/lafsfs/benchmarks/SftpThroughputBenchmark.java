package org.lafsfs.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.sftp.Accounts;
import org.lafsfs.sftp.HostKeys;
import org.lafsfs.sftp.SftpServer;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.VfsConfig;

/**
 * One large file put and got with OpenSSH's own {@code sftp} client: through
 * lafsfs's SFTP server onto a grid of ten in-process storage servers, and,
 * as the reference in the same run, through OpenSSH's sshd and sftp-server
 * onto the same local disk (sshd started per connection by the client, in
 * inetd mode, so no port is involved). Same client, same cipher.
 *
 * <pre>benchmarks/run sftp [MiB]   # default 1024; needs openssh-server (sshd)</pre>
 */
public final class SftpThroughputBenchmark {
    private static final String CIPHER = "aes128-gcm@openssh.com";

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        if (!LocalSshd.available()) {
            throw new IllegalStateException("the reference needs OpenSSH's sshd: apt-get install openssh-server");
        }
        Path work = Files.createTempDirectory("lafsfs-sftp-bench");
        ExecutorService executor = Executors.newFixedThreadPool(8);
        try {
            Path source = work.resolve("source.bin");
            writeRandom(source, (long) mib << 20, 1);
            // Both servers first move another file up and back, unmeasured: lafsfs runs for days, and a
            // cold JVM spends a quarter of a first get compiling its read path (OpenSSH has nothing to warm
            // but the page cache, which it gets as well).
            Path warmUp = work.resolve("warm-up.bin");
            writeRandom(warmUp, (long) Math.min(mib, 256) << 20, 2);
            Path key = LocalSshd.newClientKey(work.resolve("id_ed25519"));
            String publicKey = Files.readString(work.resolve("id_ed25519.pub"), StandardCharsets.UTF_8).strip();
            System.out.printf(Locale.ROOT, "%d MiB, OpenSSH sftp client, cipher %s, 2 cores%n", mib, CIPHER);

            double[] reference = reference(work, key, source, warmUp);
            double[] lafsfs = lafsfs(work, key, publicKey, source, warmUp, executor);

            double mb = ((long) mib << 20) / 1e6;
            System.out.printf(Locale.ROOT, "%-58s %8s %8s %8s%n", "", "s", "MB/s", "ratio");
            System.out.printf(Locale.ROOT, "%-58s %8.1f %8.1f%n", "reference put: OpenSSH sshd + sftp-server to disk",
                    reference[0], mb / reference[0]);
            System.out.printf(Locale.ROOT, "%-58s %8.1f %8.1f %8.2f%n", "lafsfs put: sftp's put returned (close)",
                    lafsfs[0], mb / lafsfs[0], reference[0] / lafsfs[0]);
            System.out.printf(Locale.ROOT, "%-58s %8.1f %8.1f %8.2f%n", "lafsfs put: on the grid (sync)",
                    lafsfs[1], mb / lafsfs[1], reference[0] / lafsfs[1]);
            System.out.printf(Locale.ROOT, "%-58s %8.1f %8.1f%n", "reference get: OpenSSH sshd + sftp-server",
                    reference[1], mb / reference[1]);
            System.out.printf(Locale.ROOT, "%-58s %8.1f %8.1f %8.2f%n", "lafsfs get (every block verified)",
                    lafsfs[2], mb / lafsfs[2], reference[1] / lafsfs[2]);
        } finally {
            executor.shutdownNow();
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** put then get through sshd in inetd mode (started by the client's ProxyCommand): seconds of each. */
    private static double[] reference(Path work, Path key, Path source, Path warmUp) throws Exception {
        Path dir = work.resolve("openssh");
        List<String> ssh = new ArrayList<>(LocalSshd.in(dir, key).options());
        ssh.addAll(List.of("-c", CIPHER));
        String login = LocalSshd.login();
        Path target = dir.resolve("stored.bin");
        sftp(work, ssh, login, "put " + warmUp + " " + dir.resolve("warm-up.bin"));
        sftp(work, ssh, login, "get " + dir.resolve("warm-up.bin") + " " + work.resolve("warm-back.bin"));
        double put = sftp(work, ssh, login, "put " + source + " " + target);
        double get = sftp(work, ssh, login, "get " + target + " " + work.resolve("back-openssh.bin"));
        requireSame(source, work.resolve("back-openssh.bin"));
        return new double[] {put, get};
    }

    /** put (until its close is acknowledged, then until everything is on the grid) and get, in seconds. */
    private static double[] lafsfs(Path work, Path key, String publicKey, Path source, Path warmUp,
            ExecutorService executor) throws Exception {
        Grid grid = LocalGrid.grid(LocalGrid.servers(work, executor, s -> s));
        DirectoryCap root = Dirnode.create(grid, MutableFormat.SDMF).cap();
        byte[] convergence = new byte[32];
        new SecureRandom().nextBytes(convergence);
        Accounts accounts = Accounts.parse(List.of("bench " + publicKey + " " + root.uri()), "accounts");
        try (LafsVfs vfs = LafsVfs.open(grid, root, VfsConfig.defaults(
                Files.createDirectories(work.resolve("spool")), convergence));
             SftpServer server = SftpServer.start("127.0.0.1", 0,
                     HostKeys.readOrGenerateDefaults(Files.createDirectories(work.resolve("host"))), accounts,
                     r -> vfs)) {
            List<String> ssh = List.of("-P", Integer.toString(server.port()), "-o", "StrictHostKeyChecking=no",
                    "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-c", CIPHER, "-i", key.toString());
            sftp(work, ssh, "bench@127.0.0.1", "put " + warmUp + " /warm-up.bin");
            vfs.sync();
            for (int i = 0; i < 8; i++) { // a get is one read per 32 KiB: 32 000 reads, as many as the measured get
                sftp(work, ssh, "bench@127.0.0.1", "get /warm-up.bin " + work.resolve("warm-back.bin"));
            }
            requireSame(warmUp, work.resolve("warm-back.bin"));
            long start = System.nanoTime();
            double put = sftp(work, ssh, "bench@127.0.0.1", "put " + source + " /stored.bin");
            vfs.sync();
            double onGrid = (System.nanoTime() - start) / 1e9;
            double get = sftp(work, ssh, "bench@127.0.0.1", "get /stored.bin " + work.resolve("back-lafsfs.bin"));
            requireSame(source, work.resolve("back-lafsfs.bin"));
            return new double[] {put, onGrid, get};
        }
    }

    private static double sftp(Path work, List<String> options, String login, String command) throws Exception {
        Path batch = work.resolve("batch");
        Files.writeString(batch, command + "\n");
        List<String> cmd = new ArrayList<>(List.of("sftp", "-b", batch.toString()));
        cmd.addAll(options);
        cmd.add(login);
        long start = System.nanoTime();
        LocalGrid.run(cmd, Map.of());
        return (System.nanoTime() - start) / 1e9;
    }

    private static void writeRandom(Path file, long bytes, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long at = 0; at < bytes; at += block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, bytes - at));
            }
        }
    }

    private static void requireSame(Path a, Path b) throws Exception {
        if (Files.mismatch(a, b) != -1) {
            throw new IllegalStateException(b + " differs from " + a);
        }
    }
}
