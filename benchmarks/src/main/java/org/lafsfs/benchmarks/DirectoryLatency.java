package org.lafsfs.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.crypto.SigningKey;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.grid.ClientSecrets;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.EncodingParameters;
import org.lafsfs.core.mutable.Mode;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.core.mutable.Servermap;
import org.lafsfs.storage.LocalStorageServer;
import org.lafsfs.storage.StorageBackend;

/**
 * Directory edits and servermap updates on in-process storage servers (no
 * network, so what is measured is the client's work plus the servers' disk):
 * the latency of linking one entry into directories of 10, 1 000 and 10 000
 * entries, beside the floor every edit pays (one RSA-2048 signature, and a
 * whole read-modify-write of a 1-byte mutable file); and servermap updates on a grid of
 * 64 servers grown to 111, with the servers each mode asked.
 * Run with {@code benchmarks/run directory}.
 */
public final class DirectoryLatency {
    public static void main(String[] args) throws Exception {
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "lafsfs-dir")
                : Files.createTempDirectory("lafsfs-dir");
        ExecutorService executor = Executors.newFixedThreadPool(8);
        try {
            List<GridServer> servers = servers(dir, executor, 0, 10);
            Grid grid = new Grid(servers, new ClientSecrets(new byte[32]), EncodingParameters.DEFAULT);

            SigningKey key = SigningKey.generate();
            byte[] message = new byte[75];
            double sign = median(200, () -> key.sign(message));
            MutableFileNode tiny = MutableFileNode.create(grid, MutableFormat.SDMF, new byte[0]);
            byte[] counter = new byte[1];
            double emptyPublish = median(30, () -> { // a real change each time, or nothing is published
                counter[0]++;
                tiny.overwrite(counter.clone());
            });
            System.out.println("directory edit latency, 3-of-10 over 10 in-process servers (ms, median)");
            System.out.printf("%-46s %8.2f%n", "reference: one RSA-2048 signature", sign);
            System.out.printf("%-46s %8.2f%n", "reference: rewrite of a 1-byte mutable file", emptyPublish);
            for (MutableFormat format : MutableFormat.values()) {
                for (int size : new int[] {10, 1_000, 10_000}) {
                    Dirnode d = Dirnode.create(grid, format);
                    Map<String, Cap> initial = new LinkedHashMap<>();
                    for (int i = 0; i < size; i++) {
                        initial.put(String.format("file-%06d.txt", i), new LiteralCap(("entry " + i).getBytes()));
                    }
                    d.linkAll(initial, false);
                    int[] next = {0};
                    double link = median(size >= 10_000 ? 7 : 21, () -> d.link("added-" + next[0]++,
                            new LiteralCap("x".getBytes()), null, false));
                    System.out.printf("%-46s %8.2f  %5.1fx the 1-byte rewrite%n",
                            "link one entry, " + format + " dir of " + size, link, link / emptyPublish);
                }
            }

            System.out.println();
            System.out.println("servermap update, 64 servers grown to 111 (ms, median; servers asked)");
            List<GridServer> big = servers(dir, executor, 100, 64);
            Grid before = new Grid(big, new ClientSecrets(new byte[32]), EncodingParameters.DEFAULT);
            MutableFileNode file = MutableFileNode.create(before, MutableFormat.MDMF, new byte[100_000]);
            List<GridServer> grown = new ArrayList<>(big);
            grown.addAll(servers(dir, executor, 200, 47));
            Grid after = new Grid(grown, new ClientSecrets(new byte[32]), EncodingParameters.DEFAULT);
            for (Grid g : List.of(before, after)) {
                MutableFileNode node = new MutableFileNode(g, file.writeCap());
                for (Mode mode : Mode.values()) {
                    Servermap[] last = new Servermap[1];
                    double ms = median(15, () -> last[0] = node.servermap(mode));
                    System.out.printf("%-46s %8.2f  asked %3d of %d%n", mode + " on " + g.servers().size()
                            + " servers", ms, last[0].serversAsked(), g.servers().size());
                }
            }
        } finally {
            executor.shutdownNow();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    interface Step {
        void run() throws Exception;
    }

    private static double median(int runs, Step step) throws Exception {
        for (int i = 0; i < Math.max(3, runs / 3); i++) {
            step.run(); // warm-up
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms[runs / 2];
    }

    private static List<GridServer> servers(Path dir, ExecutorService executor, int first, int count)
            throws Exception {
        List<GridServer> servers = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            String name = "server" + i;
            byte[] nodeId = MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
            StorageBackend backend = new StorageBackend(dir.resolve(name), nodeId, 0, Clock.systemUTC());
            servers.add(new GridServer(new LocalStorageServer(backend, executor, name), nodeId, nodeId));
        }
        return servers;
    }
}
