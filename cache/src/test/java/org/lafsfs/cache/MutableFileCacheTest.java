package org.lafsfs.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lafsfs.cache.Fixtures.listing;
import static org.lafsfs.cache.Fixtures.mutableDirectory;
import static org.lafsfs.cache.Fixtures.readOnlyChild;
import static org.lafsfs.cache.Fixtures.servermap;
import static org.lafsfs.cache.Fixtures.storageIndex;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.mutable.Servermap;

class MutableFileCacheTest {
    private final FakeTicker clock = new FakeTicker();
    private final GridCache cache = new GridCache(CacheConfig.DEFAULT, clock);
    private final StorageIndex si = storageIndex(1);

    @Test
    void aMutableFilesSizeIsBelievedForDirCacheTime() {
        cache.putMutableSize(si, 1234);

        clock.advance(Duration.ofMillis(4_999));
        assertThat(cache.mutableSize(si)).hasValue(1234);
        assertThat(cache.mutableSize(storageIndex(2))).isEmpty();

        clock.advance(Duration.ofMillis(1));
        assertThat(cache.mutableSize(si)).isEmpty();
    }

    @Test
    void aServermapIsReusedForServermapTimeThenMadeAgain() {
        Servermap map = servermap(si);
        cache.putServermap(si, map);

        clock.advance(Duration.ofSeconds(59));
        assertThat(cache.servermap(si)).containsSame(map);

        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.servermap(si)).isEmpty();
    }

    @Test
    void invalidatingAMutableFileDropsItsSizeServermapAndSegmentsOfEveryVersionButNothingElse() {
        StorageIndex other = storageIndex(2);
        for (StorageIndex s : new StorageIndex[] {si, other}) {
            cache.putMutableSize(s, 10);
            cache.putServermap(s, servermap(s));
            cache.segment(s, "seq1-aaaa", 0, n -> new byte[] {1});
            cache.segment(s, "seq2-bbbb", 3, n -> new byte[] {2});
        }

        cache.invalidateMutable(si);

        assertThat(cache.mutableSize(si)).isEmpty();
        assertThat(cache.servermap(si)).isEmpty();
        assertThat(cache.segmentIfPresent(si, "seq1-aaaa", 0)).isEmpty();
        assertThat(cache.segmentIfPresent(si, "seq2-bbbb", 3)).isEmpty();

        assertThat(cache.mutableSize(other)).hasValue(10);
        assertThat(cache.servermap(other)).isPresent();
        assertThat(cache.segmentIfPresent(other, "seq1-aaaa", 0)).isPresent();
        assertThat(cache.segmentIfPresent(other, "seq2-bbbb", 3)).isPresent();
    }

    @Test
    void aDirectoryIsAMutableFileSoEitherInvalidationDropsBoth() {
        DirectoryCap dir = mutableDirectory(5);
        StorageIndex dirSi = dir.storageIndex().orElseThrow();
        cache.putDirectory(dir, listing(readOnlyChild("a", 10)));
        cache.putServermap(dirSi, servermap(dirSi));

        cache.invalidateMutable(dirSi);
        assertThat(cache.directory(dir)).isEmpty();

        cache.putDirectory(dir, listing(readOnlyChild("a", 10)));
        cache.putServermap(dirSi, servermap(dirSi));
        cache.invalidateDirectory(dir);
        assertThat(cache.servermap(dirSi)).as("a failed publish leaves the servermap in doubt too").isEmpty();
    }

    @Test
    void ourOwnPublishKeepsTheServermapPublishUpdated() {
        DirectoryCap dir = mutableDirectory(5);
        StorageIndex dirSi = dir.storageIndex().orElseThrow();
        Servermap map = servermap(dirSi);
        cache.putServermap(dirSi, map);

        cache.putDirectory(dir, listing(readOnlyChild("new", 11)));

        assertThat(cache.servermap(dirSi)).containsSame(map);
    }
}
