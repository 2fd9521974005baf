package org.lafsfs.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.storage.LeaseSecrets;
import org.lafsfs.core.storage.TestWriteVectors;

/**
 * A real storage directory with shares whose leases were granted at chosen
 * times: the clock is set, a client uploads or renews through the backend as
 * it would over the network, and the clock moves on.
 */
final class LeaseFixture {
    /** Noon UTC, 1 January 2026: the time the first shares are uploaded in these tests. */
    static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
    static final CrawlerPacing ONE_BUCKET_PER_SLICE = new CrawlerPacing(Duration.ZERO, 1.0, Duration.ZERO,
            Duration.ofHours(1));

    final SettableClock clock = new SettableClock(T0);
    final StorageBackend backend;
    final Path storageDir;

    LeaseFixture(Path storageDir) throws IOException {
        this.storageDir = storageDir;
        this.backend = new StorageBackend(storageDir, new byte[20], 0, clock);
    }

    /** A clock the test sets; the backend grants leases by it and the crawler judges them by it. */
    static class SettableClock extends TestClock {
        SettableClock(Instant now) {
            super(now);
        }

        void setDaysAfterT0(long days) {
            set(T0.plus(Duration.ofDays(days)));
        }
    }

    /**
     * The n-th of a series of storage indexes (n < 26) that the crawler visits in order of n: its first
     * base32 character, and so its prefix directory, is the n-th letter.
     */
    static StorageIndex si(int n) {
        byte[] bytes = new byte[16];
        Arrays.fill(bytes, (byte) 0x5a);
        bytes[0] = (byte) (n << 3);
        return StorageIndex.of(bytes);
    }

    /** The lease secrets of client number n. */
    static LeaseSecrets owner(int n) {
        byte[] renew = new byte[32];
        byte[] cancel = new byte[32];
        Arrays.fill(renew, (byte) n);
        Arrays.fill(cancel, (byte) (n + 100));
        return new LeaseSecrets(renew, cancel);
    }

    /** Uploads immutable share 0 of {@code si} now, leased by {@code lease}; its file. */
    Path immutable(StorageIndex si, LeaseSecrets lease) {
        byte[] uploadSecret = new byte[32];
        Arrays.fill(uploadSecret, (byte) 7);
        byte[] data = new byte[1000 + Math.floorMod(si.hashCode(), 100)];
        backend.allocateBuckets(si, lease, uploadSecret, Set.of(0), data.length);
        backend.writeImmutable(si, 0, uploadSecret, 0, data);
        return share(si, 0);
    }

    /** Writes mutable share 0 of {@code si} now, leased by {@code lease}; its file. */
    Path mutable(StorageIndex si, LeaseSecrets lease) {
        byte[] writeEnabler = new byte[32];
        Arrays.fill(writeEnabler, (byte) 9);
        TestWriteVectors write = new TestWriteVectors(List.of(),
                List.of(new TestWriteVectors.Write(0, new byte[700])), null);
        backend.readTestWrite(si, writeEnabler, lease, Map.of(0, write), List.of());
        return share(si, 0);
    }

    /** A client adds or renews its lease on every share of {@code si} now. */
    void renew(StorageIndex si, LeaseSecrets lease) {
        backend.addOrRenewLease(si, lease);
    }

    Path share(StorageIndex si, int shnum) {
        return storageDir.resolve("shares").resolve(si.prefix()).resolve(si.toString()).resolve(Integer.toString(shnum));
    }

    Path bucket(StorageIndex si) {
        return share(si, 0).getParent();
    }

    LeaseCrawler crawler(ExpirationPolicy policy) {
        return new LeaseCrawler(backend, policy, ONE_BUCKET_PER_SLICE, clock);
    }

    /** Runs slices until a cycle completes; how many slices it took. */
    static int runCycle(LeaseCrawler crawler) throws IOException {
        for (int slices = 1; slices <= 10_000; slices++) {
            if (crawler.runSlice()) {
                return slices;
            }
        }
        throw new AssertionError("no cycle completed in 10 000 slices");
    }

    static long size(Path file) throws IOException {
        return Files.size(file);
    }

    static ExpirationPolicy age() {
        return new ExpirationPolicy(true, ExpirationPolicy.Mode.AGE, null, null, true, true);
    }

    static ExpirationPolicy ageWithOverride(Duration override) {
        return new ExpirationPolicy(true, ExpirationPolicy.Mode.AGE, override, null, true, true);
    }
}
