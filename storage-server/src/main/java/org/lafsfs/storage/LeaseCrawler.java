package org.lafsfs.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tahoe's lease-checking share crawler: walks {@code shares/<prefix>/} in
 * order, bucket by bucket, handing each to a {@link LeaseExpirer}. Its
 * position and counts are saved after every slice of work (see
 * {@link CrawlerPacing}), so a restarted server resumes the cycle where it
 * stood. {@link #start()} runs it on its own thread; {@link #close()} stops it.
 * {@link #status()} says what the current and last cycles examined and reclaimed.
 */
public final class LeaseCrawler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseCrawler.class);

    /** The 1024 two-character prefix directories a storage index can fall in, in the order they are crawled. */
    static final List<String> PREFIXES = prefixes();

    private final Path shares;
    private final Path stateFile;
    private final LeaseExpirer expirer;
    private final Clock clock;
    private final CrawlerPacing pacing;
    private final ExpirationPolicy policy;
    private volatile LeaseCrawlerState state;
    private int cachedPrefixIndex = -1;
    private List<String> cachedBuckets = List.of();
    private final Object lifecycle = new Object(); // not the slice's monitor: close() must not wait a slice for it
    private ScheduledThreadPoolExecutor thread;
    private volatile boolean closed;

    /**
     * @param backend the storage server whose shares are crawled; removals go through it, under its locks
     * @param clock the time leases are judged by (the backend's clock)
     */
    public LeaseCrawler(StorageBackend backend, ExpirationPolicy policy, CrawlerPacing pacing, Clock clock) {
        this.shares = backend.storageDir().resolve("shares");
        this.stateFile = backend.storageDir().resolve(LeaseCrawlerState.FILE_NAME);
        this.expirer = new LeaseExpirer(backend, policy, clock);
        this.clock = clock;
        this.pacing = pacing;
        this.policy = policy;
        this.state = load(stateFile);
    }

    private static LeaseCrawlerState load(Path file) {
        if (!Files.exists(file)) {
            return LeaseCrawlerState.INITIAL;
        }
        try {
            return LeaseCrawlerState.read(file);
        } catch (IOException | RuntimeException e) {
            // Losing the position costs one repeated crawl at worst; refusing to start would cost GC altogether.
            LOG.warn("lease crawler state {} is unreadable ({}); starting a fresh cycle", file, e.getMessage());
            return LeaseCrawlerState.INITIAL;
        }
    }

    /** Where the crawl stands and what it has reclaimed; safe to call from any thread. */
    public LeaseCrawlerState status() {
        return state;
    }

    public ExpirationPolicy policy() {
        return policy;
    }

    /**
     * Does one slice of work: buckets until the slice's time is used (at least one bucket) or the cycle ends,
     * then saves the state.
     *
     * @return true if this slice finished a cycle
     */
    synchronized boolean runSlice() throws IOException {
        long deadline = System.nanoTime() + pacing.slice().toNanos();
        LeaseCrawlerState s = state;
        if (!s.inCycle()) {
            s = s.startCycle(clock.instant());
            LOG.info("lease crawler cycle {} starting ({})", s.cycle(), policy.describe());
        }
        boolean worked = false;
        try {
            while (s.prefixIndex() < PREFIXES.size()) {
                for (String bucket : buckets(s.prefixIndex())) {
                    if (s.lastCompleteBucket() != null && bucket.compareTo(s.lastCompleteBucket()) <= 0) {
                        continue; // done before the last save
                    }
                    // Every slice examines at least one bucket, so even a tiny slice makes progress.
                    if (worked && (System.nanoTime() - deadline >= 0 || closed)) {
                        return false;
                    }
                    Path prefixDir = shares.resolve(PREFIXES.get(s.prefixIndex()));
                    s = s.afterBucket(bucket, expirer.examineBucket(prefixDir.resolve(bucket)));
                    state = s;
                    worked = true;
                }
                s = s.afterPrefix();
                state = s;
            }
            s = s.finishCycle(clock.instant());
            state = s;
            LOG.info("lease crawler cycle {} finished: {}", s.lastCycle().cycle(), s.lastCycle().counts().describe());
            return true;
        } finally {
            state = s;
            s.write(stateFile);
        }
    }

    /** The sorted bucket names of a prefix directory, listed once per prefix as Tahoe does. */
    private List<String> buckets(int prefixIndex) {
        if (prefixIndex != cachedPrefixIndex) {
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> dir = Files.newDirectoryStream(shares.resolve(PREFIXES.get(prefixIndex)))) {
                for (Path p : dir) {
                    names.add(p.getFileName().toString());
                }
            } catch (NoSuchFileException e) {
                // no storage index has fallen in this prefix yet
            } catch (IOException e) {
                // Skipped for this cycle rather than retried forever: the other prefixes still get collected.
                LOG.warn("lease crawler cannot list {}, skipping it this cycle: {}", PREFIXES.get(prefixIndex),
                        e.toString());
            }
            Collections.sort(names);
            cachedBuckets = names;
            cachedPrefixIndex = prefixIndex;
        }
        return cachedBuckets;
    }

    /** Starts crawling on a thread of its own, {@link CrawlerPacing#slowStart()} from now. */
    public void start() {
        synchronized (lifecycle) {
            if (thread != null || closed) {
                throw new IllegalStateException("the lease crawler was started already");
            }
            thread = newThread();
            LOG.info("lease crawler starting in {} ({}); cycle {} at prefix {}", pacing.slowStart(),
                    policy.describe(), state.cycle(), state.nextPrefix());
            thread.schedule(this::tick, pacing.slowStart().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private static ScheduledThreadPoolExecutor newThread() {
        ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "lease-crawler");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return thread;
    }

    private void tick() {
        long began = System.nanoTime();
        boolean finished = false;
        try {
            finished = runSlice();
        } catch (IOException | RuntimeException e) {
            // A failing disk must not kill the crawler for good; the next slice tries again after a pause.
            LOG.warn("lease crawler slice failed: {}", e.toString());
        }
        Duration pause = pacing.pauseAfter(Duration.ofNanos(System.nanoTime() - began), finished);
        synchronized (lifecycle) {
            if (!closed) {
                thread.schedule(this::tick, pause.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Stops crawling: the slice in progress ends after its current bucket, and the position is saved. */
    @Override
    public void close() {
        ScheduledThreadPoolExecutor t;
        synchronized (lifecycle) {
            closed = true;
            t = thread;
        }
        if (t == null) {
            return;
        }
        t.shutdown(); // not shutdownNow: interrupting file IO would close the channels under the slice
        try {
            if (!t.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("lease crawler did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<String> prefixes() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        List<String> all = new ArrayList<>();
        for (char a : alphabet.toCharArray()) {
            for (char b : alphabet.toCharArray()) {
                all.add("" + a + b);
            }
        }
        Collections.sort(all);
        return List.copyOf(all);
    }
}
