package org.lafsfs.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.mutable.Servermap;

/**
 * What lafsfs remembers of the grid between operations, and when it forgets
 * it (the rules are in {@code package-info.java}). Thread-safe.
 *
 * <ul>
 * <li>Mutable directory listings, by storage index, so a directory's write cap and read cap share one entry;
 * for {@link CacheConfig#dirCacheTime()}. A listing stored through a write cap holds the children's write caps;
 * one asked for through a read cap gets them removed, as Tahoe shows a directory to a read cap holder, and one
 * stored through a read cap is not given to a write cap holder (it lacks the write caps an edit must keep).
 * <li>Immutable directory listings (DIR2-CHK, DIR2-LIT), by cap, without expiry, bounded by
 * {@link CacheConfig#maxImmutableEntries()} children in all.
 * <li>Mutable file sizes, by storage index, for {@link CacheConfig#dirCacheTime()}.
 * <li>Servermaps, by storage index, for {@link CacheConfig#servermapTime()}. A servermap is kept as given, not
 * copied: Publish notes its own writes in it.
 * <li>Plaintext segments by (storage index, version, segment number), weighed by their length, at most
 * {@link CacheConfig#segmentCacheBytes()} bytes. A version tag names exactly one content (e.g. {@code chk},
 * {@code seq7-<root hash>}), so a segment never goes stale; it is only evicted or invalidated with its file.
 * </ul>
 *
 * Directory maps handed out are unmodifiable copies; the {@link DirectoryEntry} metadata in them is shared and,
 * as that record says, read-only. Segment arrays are copied both in and out.
 */
public final class GridCache implements org.lafsfs.core.mutable.ServermapStore {
    private final CacheConfig config;
    private final Cache<StorageIndex, Listing> mutableDirectories;
    /** Hits and misses of {@link #mutableDirectories}, counted by hand: a write cap finding a read cap's listing is a miss. */
    private final StatsCounter mutableDirectoryStats = new ConcurrentStatsCounter();
    private final Cache<String, SortedMap<String, DirectoryEntry>> immutableDirectories;
    private final Cache<StorageIndex, Long> mutableSizes;
    private final Cache<StorageIndex, Servermap> servermaps;
    private final AsyncCache<SegmentKey, byte[]> segments;

    /** A cache on the system clock; housekeeping runs in the background. */
    public GridCache(CacheConfig config) {
        this(config, Ticker.systemTicker(), null);
    }

    /** A cache on {@code ticker}'s clock whose housekeeping (expiry, eviction) runs at once on the calling thread. */
    GridCache(CacheConfig config, Ticker ticker) {
        this(config, ticker, Runnable::run);
    }

    private GridCache(CacheConfig config, Ticker ticker, Executor executor) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(ticker, "ticker");
        mutableDirectories = builder(ticker, executor, config.dirCacheTime())
                .maximumSize(config.maxDirectories())
                .recordStats(() -> mutableDirectoryStats)
                .build();
        immutableDirectories = builder(ticker, executor, null)
                .maximumWeight(config.maxImmutableEntries())
                .weigher((String uri, SortedMap<String, DirectoryEntry> children) -> Math.max(1, children.size()))
                .recordStats()
                .build();
        mutableSizes = builder(ticker, executor, config.dirCacheTime())
                .maximumSize(config.maxServermaps())
                .recordStats()
                .build();
        servermaps = builder(ticker, executor, config.servermapTime())
                .maximumSize(config.maxServermaps())
                .recordStats()
                .build();
        segments = builder(ticker, executor, null)
                .maximumWeight(config.segmentCacheBytes())
                .weigher((SegmentKey key, byte[] data) -> data.length)
                .recordStats()
                .buildAsync();
    }

    private static Caffeine<Object, Object> builder(Ticker ticker, Executor executor, Duration expiry) {
        Caffeine<Object, Object> builder = Caffeine.newBuilder().ticker(ticker);
        if (executor != null) {
            builder.executor(executor);
        }
        if (expiry != null) {
            builder.expireAfterWrite(expiry);
        }
        return builder;
    }

    public CacheConfig config() {
        return config;
    }

    // ---- directories ----

    /**
     * The cached listing of {@code dir}, if one is fresh: unmodifiable, sorted as it was stored. Through a read cap
     * the children carry no write caps.
     *
     * @throws IllegalArgumentException for a verify cap, which cannot read a directory
     */
    public Optional<SortedMap<String, DirectoryEntry>> directory(DirectoryCap dir) {
        requireReadable(dir);
        if (!dir.isMutable()) {
            return Optional.ofNullable(immutableDirectories.getIfPresent(dir.uri()));
        }
        // Map.get counts nothing; the hit or miss is counted by what this method answers.
        Listing listing = mutableDirectories.asMap().get(storageIndex(dir));
        SortedMap<String, DirectoryEntry> children = listing == null ? null : listing.forCap(dir);
        if (children == null) {
            mutableDirectoryStats.recordMisses(1);
            return Optional.empty();
        }
        mutableDirectoryStats.recordHits(1);
        return Optional.of(children);
    }

    /**
     * Stores what {@code dir} holds, as just read from the grid or just published by us (which replaces the old
     * listing precisely, so our own edits show at once). The map is copied.
     *
     * @throws IllegalArgumentException for a verify cap
     */
    public void putDirectory(DirectoryCap dir, SortedMap<String, DirectoryEntry> children) {
        requireReadable(dir);
        Objects.requireNonNull(children, "children");
        if (!dir.isMutable()) {
            immutableDirectories.put(dir.uri(), copy(children, false));
        } else if (!config.dirCacheTime().isZero()) {
            boolean writable = !dir.isReadOnly();
            mutableDirectories.put(storageIndex(dir), new Listing(copy(children, !writable), writable));
        }
    }

    /**
     * Forgets {@code dir}'s listing: after a failed or uncoordinated publish, or whenever its contents are in doubt.
     * A mutable directory is a mutable file, so everything else under its storage index goes too, as
     * {@link #invalidateMutable} does.
     *
     * @throws IllegalArgumentException for a verify cap
     */
    public void invalidateDirectory(DirectoryCap dir) {
        requireReadable(dir);
        if (dir.isMutable()) {
            invalidateMutable(storageIndex(dir));
        } else {
            immutableDirectories.invalidate(dir.uri());
        }
    }

    private static void requireReadable(DirectoryCap dir) {
        Objects.requireNonNull(dir, "dir");
        if (dir.isVerifier()) {
            throw new IllegalArgumentException("a verify cap cannot read a directory: " + dir.kind());
        }
    }

    private static StorageIndex storageIndex(DirectoryCap dir) {
        return dir.storageIndex().orElseThrow(
                () -> new IllegalArgumentException("a mutable directory cap without a storage index: " + dir.kind()));
    }

    /** Unmodifiable copy with the same order; entries copied (so their metadata is), write caps dropped if asked. */
    private static SortedMap<String, DirectoryEntry> copy(SortedMap<String, DirectoryEntry> children,
            boolean dropWriteCaps) {
        TreeMap<String, DirectoryEntry> copy = new TreeMap<>(children.comparator());
        children.forEach((name, entry) -> {
            Objects.requireNonNull(name, "a child name");
            Objects.requireNonNull(entry, () -> "the entry of child " + name);
            copy.put(name, new DirectoryEntry(entry.name(), dropWriteCaps ? null : entry.writeCap(), entry.readCap(),
                    entry.metadata()));
        });
        return Collections.unmodifiableSortedMap(copy);
    }

    /** One mutable directory's listing, and whether it was read through a write cap (so holds the write caps). */
    private static final class Listing {
        private final SortedMap<String, DirectoryEntry> children;
        private final boolean withWriteCaps;
        private volatile SortedMap<String, DirectoryEntry> readOnlyView;

        Listing(SortedMap<String, DirectoryEntry> children, boolean withWriteCaps) {
            this.children = children;
            this.withWriteCaps = withWriteCaps;
        }

        /** The listing as {@code dir} sees it, or null if this listing cannot serve it. */
        SortedMap<String, DirectoryEntry> forCap(DirectoryCap dir) {
            if (!dir.isReadOnly()) {
                return withWriteCaps ? children : null;
            }
            if (!withWriteCaps) {
                return children;
            }
            SortedMap<String, DirectoryEntry> view = readOnlyView;
            if (view == null) {
                view = copy(children, true);
                readOnlyView = view;
            }
            return view;
        }
    }

    // ---- mutable files ----

    /** The size last seen of the mutable file stored under {@code si}, if still fresh. */
    public OptionalLong mutableSize(StorageIndex si) {
        Long size = mutableSizes.getIfPresent(Objects.requireNonNull(si, "si"));
        return size == null ? OptionalLong.empty() : OptionalLong.of(size);
    }

    public void putMutableSize(StorageIndex si, long size) {
        Objects.requireNonNull(si, "si");
        if (size < 0) {
            throw new IllegalArgumentException("a file size cannot be negative: " + size);
        }
        if (!config.dirCacheTime().isZero()) {
            mutableSizes.put(si, size);
        }
    }

    /**
     * Forgets everything about the mutable file (or directory) stored under {@code si}: its size, its servermap,
     * its segments of every version, and its directory listing if it is a directory.
     */
    public void invalidateMutable(StorageIndex si) {
        Objects.requireNonNull(si, "si");
        mutableDirectories.invalidate(si);
        mutableSizes.invalidate(si);
        servermaps.invalidate(si);
        segments.asMap().keySet().removeIf(key -> key.storageIndex().equals(si));
    }

    // ---- servermaps ----

    /** The servermap last made for {@code si}, if still fresh. */
    public Optional<Servermap> servermap(StorageIndex si) {
        return Optional.ofNullable(servermaps.getIfPresent(Objects.requireNonNull(si, "si")));
    }

    public void putServermap(StorageIndex si, Servermap map) {
        Objects.requireNonNull(si, "si");
        Objects.requireNonNull(map, "map");
        if (!map.storageIndex().equals(si)) {
            throw new IllegalArgumentException("the servermap of " + map.storageIndex() + " filed under " + si);
        }
        if (!config.servermapTime().isZero()) {
            servermaps.put(si, map);
        }
    }

    /** As a servermap store for client-core (MutableFileNode remembers its maps here). */
    @Override
    public Optional<Servermap> get(StorageIndex si) {
        return servermap(si);
    }

    @Override
    public void put(Servermap map) {
        putServermap(map.storageIndex(), map);
    }

    @Override
    public void forget(StorageIndex si) {
        servermaps.invalidate(Objects.requireNonNull(si, "si"));
    }

    // ---- segments ----

    /**
     * Segment {@code segment} of version {@code version} of the file stored under {@code si}: from the cache, or
     * from {@code loader} (called with the segment number), whose answer is then kept. Callers asking for a segment
     * while another caller loads it wait for that load instead of loading it again. A loader's exception (e.g. an
     * {@link java.io.UncheckedIOException}) reaches every caller waiting for that load and is not remembered: the
     * next call loads again. The loader must not ask this cache for the same segment, and its answer becomes
     * the cache's: a fresh array that the loader keeps no reference to.
     *
     * @return a copy of the segment, the caller's to change
     */
    public byte[] segment(StorageIndex si, String version, long segment, Function<Long, byte[]> loader) {
        return shared(si, version, segment, loader).clone();
    }

    /**
     * Copies up to {@code length} bytes of a segment, from {@code from} within it, into {@code out} at {@code at};
     * the segment comes from the cache or {@code loader} as with {@link #segment}. A reader taking a few KiB at a
     * time from a cached segment pays for those bytes only, not for a copy of the whole segment.
     *
     * @return the bytes copied: fewer than {@code length} where the segment ends, 0 past its end
     */
    public int readSegment(StorageIndex si, String version, long segment, Function<Long, byte[]> loader, int from,
            byte[] out, int at, int length) {
        if (from < 0 || length < 0) {
            throw new IllegalArgumentException("negative offset or length: " + from + ", " + length);
        }
        return copyOut(shared(si, version, segment, loader), from, out, at, length);
    }

    private static int copyOut(byte[] data, int from, byte[] out, int at, int length) {
        int n = Math.max(0, Math.min(length, data.length - from));
        System.arraycopy(data, Math.min(from, data.length), out, at, n);
        return n;
    }

    /**
     * As {@link #readSegment}, but only from a segment already cached (or being loaded by another caller):
     * nothing is loaded or kept. For a reader streaming through a file, whose reader reads ahead by itself and
     * whose segments would only push everything else out of the cache.
     *
     * @return the bytes copied, or -1 if the segment is not in the cache
     */
    public int readCachedSegment(StorageIndex si, String version, long segment, int from, byte[] out, int at,
            int length) {
        if (from < 0 || length < 0) {
            throw new IllegalArgumentException("negative offset or length: " + from + ", " + length);
        }
        // Through the map view, which counts no miss: a stream asks for every block, and is served elsewhere.
        CompletableFuture<byte[]> cached = segments.asMap().get(new SegmentKey(si, version, segment));
        if (cached == null) {
            return -1;
        }
        try {
            return copyOut(cached.join(), from, out, at, length);
        } catch (CancellationException | CompletionException e) {
            return -1; // its load failed: the caller reads it its own way
        }
    }

    /** The cached array itself: callers copy out of it and never hand it on. */
    private byte[] shared(StorageIndex si, String version, long segment, Function<Long, byte[]> loader) {
        Objects.requireNonNull(loader, "loader");
        SegmentKey key = new SegmentKey(si, version, segment);
        CompletableFuture<byte[]> ours = new CompletableFuture<>();
        // Only a placeholder is made while Caffeine holds the key's lock; the load itself runs outside it,
        // so a slow server does not hold up other keys.
        CompletableFuture<byte[]> future = segments.get(key, (k, executor) -> ours);
        if (future == ours) {
            try {
                byte[] data = loader.apply(segment);
                ours.complete(Objects.requireNonNull(data, "the segment loader returned null"));
            } catch (RuntimeException | Error e) {
                ours.completeExceptionally(new FailedLoad(e)); // Caffeine drops a failed future: nothing is cached
                throw e;
            }
        }
        try {
            return future.join();
        } catch (FailedLoad e) {
            throw e.rethrowable();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * Hands a loader's exception to the callers waiting on its load. It is a cancellation only so that Caffeine
     * does not log every failed load with its stack trace; the VFS reports the original exception.
     */
    private static final class FailedLoad extends CancellationException {
        FailedLoad(Throwable cause) {
            super("the segment load failed: " + cause);
            initCause(cause);
        }

        RuntimeException rethrowable() {
            if (getCause() instanceof Error error) {
                throw error;
            }
            return (RuntimeException) getCause();
        }
    }

    /** The segment if it is cached (and not still being loaded), as a copy; never loads. */
    public Optional<byte[]> segmentIfPresent(StorageIndex si, String version, long segment) {
        byte[] data = segments.synchronous().getIfPresent(new SegmentKey(si, version, segment));
        return Optional.ofNullable(data).map(byte[]::clone);
    }

    private record SegmentKey(StorageIndex storageIndex, String version, long segment) {
        SegmentKey {
            Objects.requireNonNull(storageIndex, "si");
            Objects.requireNonNull(version, "version");
            if (segment < 0) {
                throw new IllegalArgumentException("a segment number cannot be negative: " + segment);
            }
        }
    }

    // ---- statistics ----

    /**
     * Hits, misses, hit ratio (0.00 before any lookup) and entry count of each cache, in the order
     * {@code directories}, {@code immutableDirectories}, {@code mutableSizes}, {@code servermaps},
     * {@code segments} (which also shows {@code bytes}), e.g.
     * {@code "directories" -> "hits=12 misses=3 hitRatio=0.80 size=3"}.
     */
    public Map<String, String> stats() {
        Map<String, String> stats = new LinkedHashMap<>();
        stats.put("directories", describe(mutableDirectories, mutableDirectoryStats.snapshot()));
        stats.put("immutableDirectories", describe(immutableDirectories, immutableDirectories.stats()));
        stats.put("mutableSizes", describe(mutableSizes, mutableSizes.stats()));
        stats.put("servermaps", describe(servermaps, servermaps.stats()));
        Cache<SegmentKey, byte[]> segmentView = segments.synchronous();
        long bytes = segmentView.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
        stats.put("segments", describe(segmentView, segmentView.stats()) + " bytes=" + bytes);
        return Collections.unmodifiableMap(stats);
    }

    private static String describe(Cache<?, ?> cache, CacheStats s) {
        cache.cleanUp(); // so that expired entries are not counted
        double ratio = s.requestCount() == 0 ? 0.0 : s.hitRate();
        return String.format(Locale.ROOT, "hits=%d misses=%d hitRatio=%.2f size=%d", s.hitCount(), s.missCount(),
                ratio, cache.estimatedSize());
    }

    /** {@link #stats()} on one line, e.g. {@code cache directories{hits=12 ...} servermaps{...} ...}. */
    public String summary() {
        return stats().entrySet().stream().map(e -> e.getKey() + "{" + e.getValue() + "}")
                .collect(Collectors.joining(" ", "cache ", ""));
    }

    @Override
    public String toString() {
        return summary();
    }
}
