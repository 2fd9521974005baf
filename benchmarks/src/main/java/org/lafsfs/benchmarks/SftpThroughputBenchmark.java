package org.lafsfs.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
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
 * inetd mode, so no port is involved). Same client, same cipher. After a
 * warm-up, five rounds each measure both back to back (new bytes each
 * round); the ratios are per round, and their median is printed last. The
 * put is measured twice: in safe mode (the default: close waits up to 10 s
 * for the upload, so a 1 GiB put that the grid takes in under 10 s returns
 * when it is on the grid) and in write-back mode (close returns once the
 * file is staged in the crash-safe spool).
 *
 * <pre>benchmarks/run sftp [MiB]   # default 1024; needs openssh-server (sshd)</pre>
 */
public final class SftpThroughputBenchmark {
    private static final String CIPHER = "aes128-gcm@openssh.com";
    private static final int ROUNDS = 5;

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

            Path openssh = work.resolve("openssh");
            List<String> referenceSsh = new ArrayList<>(LocalSshd.in(openssh, key).options());
            referenceSsh.addAll(List.of("-c", CIPHER));
            String referenceLogin = LocalSshd.login();
            sftp(work, referenceSsh, referenceLogin, "put " + warmUp + " " + openssh.resolve("warm-up.bin"));
            sftp(work, referenceSsh, referenceLogin, "get " + openssh.resolve("warm-up.bin") + " "
                    + work.resolve("warm-back.bin"));

            Grid grid = LocalGrid.grid(LocalGrid.servers(work, executor, s -> s));
            try (Served safe = Served.start(grid, work.resolve("safe"), key, publicKey, Duration.ofSeconds(10));
                 Served writeBack = Served.start(grid, work.resolve("write-back"), key, publicKey, Duration.ZERO)) {
                warmUp(work, safe.ssh(), warmUp, safe.vfs());
                // This machine's speed moves by tens of per cent from minute to minute (other guests on the
                // host), so each round measures OpenSSH and lafsfs back to back and the ratios are per round.
                double mb = ((long) mib << 20) / 1e6;
                System.out.printf(Locale.ROOT, "%-8s %-50s %8s %8s %8s%n", "", "", "s", "MB/s", "ratio");
                List<Double> putRatios = new ArrayList<>();
                List<Double> writeBackRatios = new ArrayList<>();
                List<Double> getRatios = new ArrayList<>();
                for (int round = 1; round <= ROUNDS; round++) {
                    try (RandomAccessFile f = new RandomAccessFile(source.toFile(), "rw")) {
                        f.writeInt(-round); // new bytes each round, as for the warm-up
                    }
                    double refPut = sftp(work, referenceSsh, referenceLogin, "put " + source + " "
                            + openssh.resolve("stored.bin"));
                    double[] put = safe.put(work, source);
                    double[] putWriteBack = writeBack.put(work, source); // its own convergence secret: no dedup
                    double refGet = sftp(work, referenceSsh, referenceLogin, "get " + openssh.resolve("stored.bin")
                            + " " + work.resolve("back-openssh.bin"));
                    double get = sftp(work, safe.ssh(), "bench@127.0.0.1", "get /stored.bin "
                            + work.resolve("back-lafsfs.bin"));
                    requireSame(source, work.resolve("back-openssh.bin"));
                    requireSame(source, work.resolve("back-lafsfs.bin"));
                    String r = "round " + round;
                    row(r, "reference put: OpenSSH sshd + sftp-server to disk", refPut, mb, 0);
                    row(r, "lafsfs put: sftp's put returned (close)", put[0], mb, refPut / put[0]);
                    row(r, "lafsfs put: on the grid (sync)", put[1], mb, refPut / put[1]);
                    row(r, "lafsfs put, write-back: put returned", putWriteBack[0], mb, refPut / putWriteBack[0]);
                    row(r, "lafsfs put, write-back: on the grid", putWriteBack[1], mb, refPut / putWriteBack[1]);
                    row(r, "reference get: OpenSSH sshd + sftp-server", refGet, mb, 0);
                    row(r, "lafsfs get (every block verified)", get, mb, refGet / get);
                    putRatios.add(refPut / put[0]);
                    writeBackRatios.add(refPut / putWriteBack[0]);
                    getRatios.add(refGet / get);
                }
                System.out.printf(Locale.ROOT, "median of %d rounds: put %.2f (write-back %.2f), get %.2f of OpenSSH's"
                        + " speed%n", ROUNDS, median(putRatios), median(writeBackRatios), median(getRatios));
            }
        } finally {
            executor.shutdownNow();
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A VFS on the grid with its own root and convergence secret, served over SFTP. */
    private record Served(LafsVfs vfs, SftpServer server, List<String> ssh) implements AutoCloseable {
        static Served start(Grid grid, Path dir, Path key, String publicKey, Duration closeWait) throws Exception {
            DirectoryCap root = Dirnode.create(grid, MutableFormat.SDMF).cap();
            byte[] convergence = new byte[32];
            new SecureRandom().nextBytes(convergence);
            Accounts accounts = Accounts.parse(List.of("bench " + publicKey + " " + root.uri()), "accounts");
            LafsVfs vfs = LafsVfs.open(grid, root, VfsConfig.defaults(Files.createDirectories(dir.resolve("spool")),
                    convergence).withCloseWait(closeWait));
            SftpServer server = SftpServer.start("127.0.0.1", 0,
                    HostKeys.readOrGenerateDefaults(Files.createDirectories(dir.resolve("host"))), accounts, r -> vfs);
            return new Served(vfs, server, List.of("-P", Integer.toString(server.port()), "-o",
                    "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                    "-c", CIPHER, "-i", key.toString()));
        }

        /** Seconds until sftp's put returned, and until the file was on the grid. */
        double[] put(Path work, Path source) throws Exception {
            long start = System.nanoTime();
            double put = sftp(work, ssh, "bench@127.0.0.1", "put " + source + " /stored.bin");
            vfs.sync();
            return new double[] {put, (System.nanoTime() - start) / 1e9};
        }

        @Override
        public void close() throws Exception {
            try (vfs) {
                server.close();
            }
        }
    }

    private static void row(String round, String what, double seconds, double mb, double ratio) {
        System.out.printf(Locale.ROOT, "%-8s %-50s %8.1f %8.1f %8s%n", round, what, seconds, mb / seconds,
                ratio == 0 ? "" : String.format(Locale.ROOT, "%.2f", ratio));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * Moves fresh warm-up files up and back until the JIT has settled: a round in which compiling took
     * under 5 % of the round's time, or at most eight rounds. A lafsfs server runs for days; a cold JVM
     * spends a quarter of a first get compiling, and a 1 GiB put just before the get left the get's own
     * path still in C1's profiling code with C2 compiling at an eighth of both cores through the measured
     * get (-XX:+PrintCompilation). Each round's compile share is printed.
     */
    private static void warmUp(Path work, List<String> ssh, Path warmUp, LafsVfs vfs) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        for (int round = 1; round <= 8; round++) {
            long compiled = jit.getTotalCompilationTime();
            long start = System.nanoTime();
            try (RandomAccessFile f = new RandomAccessFile(warmUp.toFile(), "rw")) {
                f.writeInt(round); // new bytes each round: convergent encryption would find the last round's
            }
            sftp(work, ssh, "bench@127.0.0.1", "put " + warmUp + " /warm-up.bin");
            vfs.sync();
            for (int i = 0; i < 4; i++) { // a get is one read per 32 KiB: 8 192 reads each
                sftp(work, ssh, "bench@127.0.0.1", "get /warm-up.bin " + work.resolve("warm-back.bin"));
            }
            requireSame(warmUp, work.resolve("warm-back.bin"));
            double millis = (System.nanoTime() - start) / 1e6;
            double share = (jit.getTotalCompilationTime() - compiled) / millis;
            System.out.printf(Locale.ROOT, "warm-up round %d: %.1f s, compiling %.0f %% of it%n", round,
                    millis / 1e3, share * 100);
            if (share < 0.05) {
                return;
            }
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
