package org.lafsfs.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lafsfs.cache.Fixtures.immutableDirectory;
import static org.lafsfs.cache.Fixtures.listing;
import static org.lafsfs.cache.Fixtures.mutableDirectory;
import static org.lafsfs.cache.Fixtures.readCapOf;
import static org.lafsfs.cache.Fixtures.readOnlyChild;
import static org.lafsfs.cache.Fixtures.servermap;
import static org.lafsfs.cache.Fixtures.storageIndex;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.StorageIndex;

class StatsTest {
    private final FakeTicker clock = new FakeTicker();
    private final GridCache cache = new GridCache(CacheConfig.DEFAULT, clock);

    @Test
    void aFreshCacheHasCountedNothing() {
        assertThat(cache.stats()).containsExactly(
                org.assertj.core.api.Assertions.entry("directories", "hits=0 misses=0 hitRatio=0.00 size=0"),
                org.assertj.core.api.Assertions.entry("immutableDirectories", "hits=0 misses=0 hitRatio=0.00 size=0"),
                org.assertj.core.api.Assertions.entry("mutableSizes", "hits=0 misses=0 hitRatio=0.00 size=0"),
                org.assertj.core.api.Assertions.entry("servermaps", "hits=0 misses=0 hitRatio=0.00 size=0"),
                org.assertj.core.api.Assertions.entry("segments", "hits=0 misses=0 hitRatio=0.00 size=0 bytes=0"));
    }

    @Test
    void everyLookupCountsAsAHitOrAMiss() {
        DirectoryCap dir = mutableDirectory(1);
        cache.directory(dir);                                   // miss
        cache.putDirectory(readCapOf(dir), listing(readOnlyChild("a", 10)));
        cache.directory(dir);                                   // miss: a write cap needs a write cap's listing
        cache.directory(readCapOf(dir));                        // hit
        cache.putDirectory(dir, listing(readOnlyChild("a", 10)));
        cache.directory(dir);                                   // hit
        cache.directory(readCapOf(dir));                        // hit
        clock.advance(Duration.ofSeconds(5));
        cache.directory(dir);                                   // miss: expired

        assertThat(cache.stats().get("directories")).isEqualTo("hits=3 misses=3 hitRatio=0.50 size=0");
    }

    @Test
    void eachCacheCountsItsOwn() {
        StorageIndex si = storageIndex(1);
        cache.putDirectory(immutableDirectory(2), listing(readOnlyChild("a", 10)));
        cache.directory(immutableDirectory(2));
        cache.directory(immutableDirectory(3));
        cache.directory(immutableDirectory(4));
        cache.putMutableSize(si, 5);
        cache.mutableSize(si);
        cache.servermap(si);
        cache.putServermap(si, servermap(si));
        cache.servermap(si);
        cache.servermap(si);
        cache.servermap(si);
        cache.segment(si, "chk", 0, n -> new byte[64]);
        cache.segment(si, "chk", 0, n -> new byte[64]);
        cache.segmentIfPresent(si, "chk", 1);

        assertThat(cache.stats())
                .containsEntry("immutableDirectories", "hits=1 misses=2 hitRatio=0.33 size=1")
                .containsEntry("mutableSizes", "hits=1 misses=0 hitRatio=1.00 size=1")
                .containsEntry("servermaps", "hits=3 misses=1 hitRatio=0.75 size=1")
                .containsEntry("segments", "hits=1 misses=2 hitRatio=0.33 size=1 bytes=64");
        assertThat(cache.summary())
                .startsWith("cache directories{hits=0 misses=0 hitRatio=0.00 size=0} immutableDirectories{")
                .contains(" segments{hits=1 misses=2 hitRatio=0.33 size=1 bytes=64}")
                .doesNotContain("\n");
    }
}
