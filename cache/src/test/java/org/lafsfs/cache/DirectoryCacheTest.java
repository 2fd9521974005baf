package org.lafsfs.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lafsfs.cache.Fixtures.immutableDirectory;
import static org.lafsfs.cache.Fixtures.listing;
import static org.lafsfs.cache.Fixtures.literalDirectory;
import static org.lafsfs.cache.Fixtures.metadata;
import static org.lafsfs.cache.Fixtures.mutableDirectory;
import static org.lafsfs.cache.Fixtures.readCapOf;
import static org.lafsfs.cache.Fixtures.readOnlyChild;
import static org.lafsfs.cache.Fixtures.writableChild;

import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.dirnode.DirectoryEntry;

class DirectoryCacheTest {
    private final FakeTicker clock = new FakeTicker();
    private final GridCache cache = new GridCache(CacheConfig.DEFAULT, clock);

    @Test
    void aMutableDirectoryIsBelievedForDirCacheTimeThenAskedForAgain() {
        DirectoryCap dir = mutableDirectory(1);
        SortedMap<String, DirectoryEntry> children = listing(readOnlyChild("a", 10));
        cache.putDirectory(dir, children);

        clock.advance(Duration.ofMillis(4_999));
        assertThat(cache.directory(dir)).contains(children);

        clock.advance(Duration.ofMillis(1));
        assertThat(cache.directory(dir)).as("another client's write shows after dir-cache-time").isEmpty();
    }

    @Test
    void ourOwnPublishReplacesTheListingAndRestartsItsTime() {
        DirectoryCap dir = mutableDirectory(1);
        cache.putDirectory(dir, listing(readOnlyChild("a", 10)));
        clock.advance(Duration.ofSeconds(4));

        SortedMap<String, DirectoryEntry> published = listing(readOnlyChild("a", 10), readOnlyChild("b", 11));
        cache.putDirectory(dir, published);
        clock.advance(Duration.ofSeconds(4));

        assertThat(cache.directory(dir)).contains(published);
    }

    @Test
    void theWriteCapAndTheReadCapOfOneDirectoryShareAnEntry() {
        DirectoryCap writeCap = mutableDirectory(1);
        DirectoryCap readCap = readCapOf(writeCap);
        assertThat(readCap.uri()).isNotEqualTo(writeCap.uri());

        cache.putDirectory(writeCap, listing(readOnlyChild("a", 10)));
        assertThat(cache.directory(readCap)).hasValueSatisfying(c -> assertThat(c).containsOnlyKeys("a"));

        cache.invalidateDirectory(readCap);
        assertThat(cache.directory(writeCap)).isEmpty();

        cache.putDirectory(writeCap, listing(readOnlyChild("a", 10)));
        cache.putDirectory(readCap, listing(readOnlyChild("b", 11)));
        assertThat(cache.directory(readCap)).hasValueSatisfying(c -> assertThat(c).containsOnlyKeys("b"));
        assertThat(cache.stats().get("directories")).endsWith("size=1");
    }

    @Test
    void aReadCapIsNotShownTheChildrensWriteCaps() {
        DirectoryCap writeCap = mutableDirectory(1);
        DirectoryEntry child = writableChild("sub", 20);
        assertThat(child.writeCap()).isNotNull();
        cache.putDirectory(writeCap, listing(child));

        assertThat(cache.directory(writeCap).orElseThrow().get("sub")).isEqualTo(child);
        DirectoryEntry seen = cache.directory(readCapOf(writeCap)).orElseThrow().get("sub");
        assertThat(seen.writeCap()).isNull();
        assertThat(seen.readCap()).isEqualTo(child.readCap());
        assertThat(seen.metadata()).isEqualTo(child.metadata());
    }

    @Test
    void aWriteCapIsNotGivenAListingReadThroughAReadCap() {
        DirectoryCap writeCap = mutableDirectory(1);
        cache.putDirectory(readCapOf(writeCap), listing(readOnlyChild("a", 10)));

        assertThat(cache.directory(writeCap)).as("it lacks the write caps an edit must keep").isEmpty();
        assertThat(cache.directory(readCapOf(writeCap))).isPresent();
    }

    @Test
    void immutableDirectoriesNeverExpire() {
        DirectoryCap chk = immutableDirectory(1);
        DirectoryCap lit = literalDirectory(2);
        assertThat(chk.isMutable()).isFalse();
        assertThat(lit.storageIndex()).isEmpty();
        cache.putDirectory(chk, listing(readOnlyChild("a", 10)));
        cache.putDirectory(lit, listing());

        clock.advance(Duration.ofDays(365));

        assertThat(cache.directory(chk)).hasValueSatisfying(c -> assertThat(c).containsOnlyKeys("a"));
        assertThat(cache.directory(lit)).hasValueSatisfying(c -> assertThat(c).isEmpty());
    }

    @Test
    void immutableDirectoriesAreBoundedByTheirChildrenInAll() {
        CacheConfig small = new CacheConfig(Duration.ofSeconds(5), 10, 5, 1024, Duration.ofSeconds(60), 10);
        GridCache bounded = new GridCache(small, clock);
        bounded.putDirectory(immutableDirectory(1), listing(readOnlyChild("a", 10), readOnlyChild("b", 11),
                readOnlyChild("c", 12)));
        bounded.putDirectory(immutableDirectory(2), listing(readOnlyChild("d", 13), readOnlyChild("e", 14),
                readOnlyChild("f", 15)));

        long kept = Stream.of(1, 2).filter(seed -> bounded.directory(immutableDirectory(seed)).isPresent()).count();
        assertThat(kept).as("6 children do not fit in 5").isEqualTo(1);
    }

    @Test
    void aZeroDirCacheTimeTurnsTheMutableDirectoryCacheOff() {
        GridCache off = new GridCache(CacheConfig.fromSettings(Map.of("dir-cache-time", "0")), clock);
        off.putDirectory(mutableDirectory(1), listing(readOnlyChild("a", 10)));
        off.putDirectory(immutableDirectory(2), listing(readOnlyChild("a", 10)));

        assertThat(off.directory(mutableDirectory(1))).isEmpty();
        assertThat(off.directory(immutableDirectory(2))).as("immutable directories are not timed").isPresent();
    }

    @Test
    void callersCannotChangeWhatIsCached() {
        DirectoryCap dir = mutableDirectory(1);
        DirectoryEntry child = new DirectoryEntry("a", null, immutableDirectory(10).uri(), metadata("mtime", 1));
        SortedMap<String, DirectoryEntry> children = new TreeMap<>(Map.of("a", child));
        cache.putDirectory(dir, children);

        children.put("b", readOnlyChild("b", 11));
        child.metadata().put("mtime", 99);

        SortedMap<String, DirectoryEntry> cached = cache.directory(dir).orElseThrow();
        assertThat(cached).containsOnlyKeys("a");
        assertThat(cached.get("a").metadata().get("mtime").asLong()).isEqualTo(1);
        assertThatThrownBy(() -> cached.put("c", child)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> cached.remove("a")).isInstanceOf(UnsupportedOperationException.class);

        cache.putDirectory(immutableDirectory(3), children);
        SortedMap<String, DirectoryEntry> immutable = cache.directory(immutableDirectory(3)).orElseThrow();
        assertThatThrownBy(immutable::clear).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aVerifyCapCannotReadADirectory() {
        DirectoryCap verifier = (DirectoryCap) mutableDirectory(1).verifyCap().orElseThrow();
        assertThatThrownBy(() -> cache.directory(verifier)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("verify cap");
        assertThatThrownBy(() -> cache.putDirectory(verifier, listing())).isInstanceOf(IllegalArgumentException.class);
    }
}
