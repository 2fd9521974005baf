package org.lafsfs.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lafsfs.cache.Fixtures.storageIndex;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.cap.StorageIndex;

class SegmentCacheTest {
    private final FakeTicker clock = new FakeTicker();
    private final StorageIndex si = storageIndex(1);

    private static GridCache cacheOf(long segmentBytes, FakeTicker clock) {
        return new GridCache(new CacheConfig(Duration.ofSeconds(5), 100, 100, segmentBytes, Duration.ofSeconds(60),
                100), clock);
    }

    /** A loader that counts its calls and makes {@code size} bytes of the segment number. */
    private static final class CountingLoader implements Function<Long, byte[]> {
        final AtomicInteger calls = new AtomicInteger();
        final int size;

        CountingLoader(int size) {
            this.size = size;
        }

        @Override
        public byte[] apply(Long segment) {
            calls.incrementAndGet();
            byte[] data = new byte[size];
            java.util.Arrays.fill(data, segment.byteValue());
            return data;
        }
    }

    @Test
    void aSegmentIsLoadedOnceAndServedFromTheCacheAfter() {
        GridCache cache = cacheOf(1 << 20, clock);
        CountingLoader loader = new CountingLoader(100);

        assertThat(cache.segmentIfPresent(si, "chk", 2)).isEmpty();
        assertThat(cache.segment(si, "chk", 2, loader)).hasSize(100).containsOnly(2);
        assertThat(cache.segment(si, "chk", 2, loader)).hasSize(100).containsOnly(2);
        assertThat(cache.segmentIfPresent(si, "chk", 2)).hasValueSatisfying(d -> assertThat(d).containsOnly(2));
        assertThat(loader.calls).hasValue(1);
    }

    @Test
    void aRangeOfASegmentIsCopiedIntoTheCallersBufferAndTheSegmentLoadedOnce() {
        GridCache cache = cacheOf(1 << 20, clock);
        CountingLoader loader = new CountingLoader(100);
        byte[] out = new byte[50];

        assertThat(cache.readSegment(si, "chk", 3, loader, 10, out, 5, 20)).isEqualTo(20);
        assertThat(cache.readSegment(si, "chk", 3, loader, 90, out, 30, 20)).as("short where the segment ends")
                .isEqualTo(10);
        assertThat(cache.readSegment(si, "chk", 3, loader, 100, out, 0, 20)).as("past its end").isZero();

        byte[] expected = new byte[50];
        java.util.Arrays.fill(expected, 5, 25, (byte) 3);
        java.util.Arrays.fill(expected, 30, 40, (byte) 3);
        assertThat(out).isEqualTo(expected);
        assertThat(loader.calls).hasValue(1);
    }

    @Test
    void aStreamReadsOnlyWhatIsCachedAndLoadsNothing() {
        GridCache cache = cacheOf(1 << 20, clock);
        CountingLoader loader = new CountingLoader(100);
        byte[] out = new byte[30];

        assertThat(cache.readCachedSegment(si, "chk", 4, 0, out, 0, 30)).as("not cached").isEqualTo(-1);
        assertThat(cache.segmentIfPresent(si, "chk", 4)).as("and not loaded").isEmpty();

        cache.segment(si, "chk", 4, loader);
        assertThat(cache.readCachedSegment(si, "chk", 4, 80, out, 5, 25)).as("short where the segment ends")
                .isEqualTo(20);
        byte[] expected = new byte[30];
        java.util.Arrays.fill(expected, 5, 25, (byte) 4);
        assertThat(out).isEqualTo(expected);
        assertThat(loader.calls).hasValue(1);
    }

    @Test
    void aStreamDoesNotTakeUpAFailedLoad() {
        GridCache cache = cacheOf(1 << 20, clock);
        assertThatThrownBy(() -> cache.segment(si, "chk", 5, s -> {
            throw new UncheckedIOException(new IOException("server gone"));
        })).isInstanceOf(UncheckedIOException.class);
        assertThat(cache.readCachedSegment(si, "chk", 5, 0, new byte[10], 0, 10)).isEqualTo(-1);
    }

    @Test
    void segmentsAreKeyedByFileVersionAndNumber() {
        GridCache cache = cacheOf(1 << 20, clock);
        CountingLoader loader = new CountingLoader(10);
        cache.segment(si, "seq1-aaaa", 0, loader);
        cache.segment(si, "seq2-bbbb", 0, loader);
        cache.segment(si, "seq2-bbbb", 1, loader);
        cache.segment(storageIndex(2), "seq2-bbbb", 1, loader);

        assertThat(loader.calls).hasValue(4);
    }

    @Test
    void segmentsNeverExpire() {
        GridCache cache = cacheOf(1 << 20, clock);
        cache.segment(si, "chk", 0, new CountingLoader(10));

        clock.advance(Duration.ofDays(365));

        assertThat(cache.segmentIfPresent(si, "chk", 0)).isPresent();
    }

    @Test
    void theSegmentCacheEvictsByBytesNotByCount() {
        GridCache cache = cacheOf(1000, clock);
        CountingLoader loader = new CountingLoader(300);
        for (long n = 0; n < 4; n++) {
            cache.segment(si, "chk", n, loader);
        }

        long kept = LongStream.range(0, 4).filter(n -> cache.segmentIfPresent(si, "chk", n).isPresent()).count();
        assertThat(kept).as("1200 bytes do not fit in 1000; 900 do").isEqualTo(3);
        assertThat(cache.stats().get("segments")).endsWith("size=3 bytes=900");

        // Small segments take less room: ten of 100 bytes fit where three of 300 did.
        GridCache other = cacheOf(1000, clock);
        CountingLoader small = new CountingLoader(100);
        for (long n = 0; n < 10; n++) {
            other.segment(si, "chk", n, small);
        }
        assertThat(LongStream.range(0, 10).filter(n -> other.segmentIfPresent(si, "chk", n).isPresent()).count())
                .isEqualTo(10);
    }

    @Test
    void aSegmentLargerThanTheWholeCacheIsReturnedButNotKept() {
        GridCache cache = cacheOf(1000, clock);
        assertThat(cache.segment(si, "chk", 0, new CountingLoader(2000))).hasSize(2000);
        assertThat(cache.segmentIfPresent(si, "chk", 0)).isEmpty();
    }

    @Test
    void aFailedLoadIsNotCached() {
        GridCache cache = cacheOf(1 << 20, clock);
        UncheckedIOException failure = new UncheckedIOException(new IOException("no server answered"));
        List<Long> asked = new ArrayList<>();

        assertThatThrownBy(() -> cache.segment(si, "chk", 0, n -> {
            asked.add(n);
            throw failure;
        })).isSameAs(failure);
        assertThat(cache.segmentIfPresent(si, "chk", 0)).isEmpty();

        assertThat(cache.segment(si, "chk", 0, new CountingLoader(5))).hasSize(5);
        assertThat(asked).containsExactly(0L);
    }

    @Test
    void callersGetCopiesTheyMayChange() {
        GridCache cache = cacheOf(1 << 20, clock);
        byte[] first = cache.segment(si, "chk", 0, n -> new byte[] {1, 2, 3}); // the loader hands its array over
        first[0] = 9;

        assertThat(cache.segment(si, "chk", 0, n -> new byte[0])).containsExactly(1, 2, 3);
        cache.segmentIfPresent(si, "chk", 0).orElseThrow()[2] = 9;
        assertThat(cache.segmentIfPresent(si, "chk", 0).orElseThrow()).containsExactly(1, 2, 3);
        byte[] range = new byte[3];
        cache.readSegment(si, "chk", 0, n -> new byte[0], 0, range, 0, 3);
        assertThat(range).containsExactly(1, 2, 3);
    }

    @Test
    void callersAskingDuringALoadWaitForItInsteadOfLoadingAgain() throws Exception {
        GridCache cache = cacheOf(1 << 20, clock);
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountingLoader second = new CountingLoader(7);
        CompletableFuture<byte[]> first = CompletableFuture.supplyAsync(() -> cache.segment(si, "chk", 0, n -> {
            loading.countDown();
            await(release);
            return new byte[] {4, 2};
        }));
        assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<byte[]> waiter = new CompletableFuture<>();
        Thread thread = new Thread(() -> waiter.complete(cache.segment(si, "chk", 0, second)));
        thread.start();
        awaitParked(thread);
        release.countDown();

        assertThat(waiter.get(10, TimeUnit.SECONDS)).containsExactly(4, 2);
        assertThat(first.get(10, TimeUnit.SECONDS)).containsExactly(4, 2);
        assertThat(second.calls).hasValue(0);
    }

    @Test
    void callersWaitingForAFailedLoadGetItsException() throws Exception {
        GridCache cache = cacheOf(1 << 20, clock);
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        UncheckedIOException failure = new UncheckedIOException(new IOException("share corrupt"));
        Thread loader = new Thread(() -> {
            try {
                cache.segment(si, "chk", 0, n -> {
                    loading.countDown();
                    await(release);
                    throw failure;
                });
            } catch (UncheckedIOException expected) {
                // the loader's own caller gets it too
            }
        });
        loader.start();
        assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                cache.segment(si, "chk", 0, new CountingLoader(1));
                seen.complete(null);
            } catch (RuntimeException e) {
                seen.complete(e);
            }
        });
        thread.start();
        awaitParked(thread);
        release.countDown();

        assertThat(seen.get(10, TimeUnit.SECONDS)).isSameAs(failure);
        loader.join(10_000);
        assertThat(cache.segmentIfPresent(si, "chk", 0)).isEmpty();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never released the load");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits until {@code thread} is parked, which a caller of segment() is only while waiting for another's load. */
    private static void awaitParked(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the second caller never waited: " + thread.getState());
            }
            Thread.sleep(1);
        }
    }
}
