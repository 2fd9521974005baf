package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.Interop;

/**
 * Garbage collection over storage directories that real Tahoe-LAFS 1.20
 * servers wrote: their leases are judged as Tahoe's own, and exactly the shares
 * whose every lease has run out go.
 */
class LeaseCrawlerTahoeDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void exactlyTheSharesWhoseLeasesAllRanOutAreRemovedFromATahoeStorageDirectory() throws Exception {
        int removedInAll = 0;
        int keptInAll = 0;
        for (JsonNode server : Interop.servers()) {
            String nickname = server.get("nickname").asText();
            Path storage = Interop.copyStorage(nickname, dir.resolve(nickname));
            // Each share lives until its latest lease runs out.
            Map<Path, Long> lastExpiry = new TreeMap<>();
            for (Path share : shareFiles(storage)) {
                List<Lease> leases = StorageBackend.isMutable(share) ? MutableShareFile.open(share).leases()
                        : ImmutableShareFile.open(share).leases();
                assertThat(leases).as("leases of %s", share).isNotEmpty();
                lastExpiry.put(share, leases.stream().mapToLong(Lease::expirationTime).max().orElseThrow());
            }
            // A moment between the earliest and the latest of those, so that some shares go and some stay.
            List<Long> moments = new ArrayList<>(new TreeSet<>(lastExpiry.values()));
            long now = moments.get(moments.size() / 2);

            LeaseFixture.SettableClock clock = new LeaseFixture.SettableClock(Instant.ofEpochSecond(now));
            StorageBackend backend = new StorageBackend(storage, new byte[20], 0, clock);
            LeaseCrawler crawler = new LeaseCrawler(backend, LeaseFixture.age(), LeaseFixture.ONE_BUCKET_PER_SLICE,
                    clock);
            LeaseFixture.runCycle(crawler);

            int removed = 0;
            for (Map.Entry<Path, Long> e : lastExpiry.entrySet()) {
                boolean expired = e.getValue() < now;
                assertThat(Files.exists(e.getKey())).as("%s, last lease until %d, now %d", e.getKey(),
                        e.getValue(), now).isEqualTo(!expired);
                removed += expired ? 1 : 0;
            }
            CycleCounts counts = crawler.status().lastCycle().counts();
            assertThat(counts.immutable().examinedShares() + counts.mutable().examinedShares())
                    .isEqualTo(lastExpiry.size());
            assertThat(counts.immutable().removedShares() + counts.mutable().removedShares()).isEqualTo(removed);
            removedInAll += removed;
            keptInAll += lastExpiry.size() - removed;
        }
        assertThat(removedInAll).isPositive();
        assertThat(keptInAll).isPositive();
    }

    private static List<Path> shareFiles(Path storage) throws Exception {
        try (Stream<Path> all = Files.walk(storage.resolve("shares"))) {
            return all.filter(Files::isRegularFile)
                    .filter(p -> !p.toString().contains("/incoming/"))
                    .filter(p -> p.getFileName().toString().matches("[0-9]{1,3}"))
                    .toList();
        }
    }
}
