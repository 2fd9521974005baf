package org.lafsfs.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.check.CheckOptions;
import org.lafsfs.core.check.DeepCheck;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.ChkUploader;
import org.lafsfs.core.immutable.EncodingParameters;
import org.lafsfs.core.immutable.UploadSource;
import org.lafsfs.core.storage.ForwardingStorageServer;
import org.lafsfs.core.storage.StorageServer;

/**
 * Deep-check of a 10 000-object tree (100 directories of 99 small CHK files
 * under one root, ten in-process servers): its time and the share queries it
 * sends, beside the reference of asking every server for the shares of every
 * object once, directly, with nothing else (the least a check can do).
 *
 * <pre>benchmarks/run deep-check</pre>
 */
public final class DeepCheckBenchmark {
    private static final int DIRECTORIES = 100;
    private static final int FILES_PER_DIRECTORY = 99;

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("lafsfs-deepcheck-bench");
        ExecutorService executor = Executors.newFixedThreadPool(8);
        try {
            List<Counting> counters = new ArrayList<>();
            List<GridServer> servers = LocalGrid.servers(work, executor, s -> {
                Counting c = new Counting(s);
                counters.add(c);
                return c;
            });
            Grid grid = LocalGrid.grid(servers);

            long buildStart = System.nanoTime();
            List<StorageIndex> all = new ArrayList<>();
            SortedMap<String, DirectoryEntry> top = new TreeMap<>();
            ChkUploader uploader = new ChkUploader(servers, EncodingParameters.DEFAULT, new byte[32],
                    grid.secrets());
            for (int d = 0; d < DIRECTORIES; d++) {
                SortedMap<String, DirectoryEntry> children = new TreeMap<>();
                for (int f = 0; f < FILES_PER_DIRECTORY; f++) {
                    byte[] data = String.format(Locale.ROOT, "file %d of directory %d, long enough for CHK: %s",
                            f, d, "x".repeat(40)).getBytes(StandardCharsets.UTF_8);
                    Cap cap = uploader.upload(UploadSource.of(data)).cap();
                    all.add(cap.storageIndex().orElseThrow());
                    children.put("f" + f, DirectoryEntry.of("f" + f, cap, null));
                }
                DirectoryCap dir = Dirnode.create(grid, MutableFormat.SDMF, children).cap();
                all.add(dir.storageIndex().orElseThrow());
                top.put("d" + d, DirectoryEntry.of("d" + d, dir, null));
            }
            DirectoryCap root = Dirnode.create(grid, MutableFormat.SDMF, top).cap();
            all.add(root.storageIndex().orElseThrow());
            System.out.printf(Locale.ROOT, "tree: %d objects, made in %.1f s%n", all.size(),
                    (System.nanoTime() - buildStart) / 1e9);

            // The reference: every server asked once for every object's shares, nothing else.
            counters.forEach(Counting::reset);
            long refStart = System.nanoTime();
            List<CompletableFuture<?>> asked = new ArrayList<>();
            for (StorageIndex si : all) {
                for (GridServer s : servers) {
                    asked.add(s.storage().listImmutableShares(si));
                }
            }
            for (CompletableFuture<?> f : asked) {
                f.join();
            }
            double reference = (System.nanoTime() - refStart) / 1e9;
            long referenceQueries = counters.stream().mapToLong(c -> c.requests.get()).sum();

            counters.forEach(Counting::reset);
            long start = System.nanoTime();
            DeepCheck.Results results = new DeepCheck(grid).check(root, CheckOptions.CHECK);
            double seconds = (System.nanoTime() - start) / 1e9;
            long queries = counters.stream().mapToLong(c -> c.requests.get()).sum();
            if (results.objectsChecked() != all.size() || results.objectsHealthy() != all.size()) {
                throw new IllegalStateException("checked " + results.objectsChecked() + ", healthy "
                        + results.objectsHealthy() + " of " + all.size());
            }
            System.out.printf(Locale.ROOT, "%-50s %8s %10s %12s%n", "", "s", "objects/s", "requests");
            System.out.printf(Locale.ROOT, "%-50s %8.2f %10.0f %12d%n", "deep-check (all healthy)", seconds,
                    all.size() / seconds, queries);
            System.out.printf(Locale.ROOT, "%-50s %8.2f %10.0f %12d%n",
                    "reference: one share list per object per server", reference, all.size() / reference,
                    referenceQueries);
            System.out.printf(Locale.ROOT, "ratio (reference time / deep-check time): %.2f%n", reference / seconds);
        } finally {
            executor.shutdownNow();
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Counts every request a server is sent. */
    private static final class Counting extends ForwardingStorageServer {
        final AtomicLong requests = new AtomicLong();

        Counting(StorageServer delegate) {
            super(delegate);
        }

        void reset() {
            requests.set(0);
        }

        @Override
        protected <T> CompletableFuture<T> forward(java.util.function.Supplier<CompletableFuture<T>> call) {
            requests.incrementAndGet();
            return super.forward(call);
        }
    }
}
