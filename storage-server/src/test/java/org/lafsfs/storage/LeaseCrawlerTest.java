package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lafsfs.storage.LeaseFixture.T0;
import static org.lafsfs.storage.LeaseFixture.age;
import static org.lafsfs.storage.LeaseFixture.ageWithOverride;
import static org.lafsfs.storage.LeaseFixture.owner;
import static org.lafsfs.storage.LeaseFixture.runCycle;
import static org.lafsfs.storage.LeaseFixture.si;
import static org.lafsfs.storage.LeaseFixture.size;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.cap.StorageIndex;
import org.slf4j.LoggerFactory;

/** Garbage collection: what the lease crawler removes, what it never removes, and how it reports it. */
class LeaseCrawlerTest {
    @TempDir
    Path dir;
    LeaseFixture grid;
    final ListAppender<ILoggingEvent> log = new ListAppender<>();

    final Logger crawlerLog = (Logger) LoggerFactory.getLogger(LeaseCrawler.class);

    @BeforeEach
    void setUp() throws Exception {
        grid = new LeaseFixture(dir);
        log.start();
        // Captured here rather than printed: the tests' logback configuration shows warnings only.
        crawlerLog.addAppender(log);
        crawlerLog.setLevel(Level.INFO);
        crawlerLog.setAdditive(false);
    }

    @AfterEach
    void tearDown() {
        crawlerLog.detachAppender(log);
        crawlerLog.setLevel(null);
        crawlerLog.setAdditive(true);
    }

    @Test
    void inAgeModeSharesWhoseLeasesHaveAllExpiredAreRemovedAndTheirBucketsWithThem() throws Exception {
        Path oldImmutable = grid.immutable(si(0), owner(1));
        Path oldMutable = grid.mutable(si(1), owner(1));
        long reclaimedImmutable = size(oldImmutable);
        long reclaimedMutable = size(oldMutable);
        grid.clock.setDaysAfterT0(20);
        Path youngImmutable = grid.immutable(si(2), owner(1));
        Path youngMutable = grid.mutable(si(3), owner(1));

        grid.clock.setDaysAfterT0(40); // the first leases ran out on day 31, the others run until day 51
        LeaseCrawler crawler = grid.crawler(age());
        runCycle(crawler);

        assertThat(oldImmutable).doesNotExist();
        assertThat(oldMutable).doesNotExist();
        assertThat(grid.bucket(si(0))).doesNotExist();
        assertThat(grid.bucket(si(1))).doesNotExist();
        assertThat(youngImmutable).exists();
        assertThat(youngMutable).exists();
        assertThat(grid.backend.readImmutable(si(2), 0, 0, 10)).hasSize(10);

        LeaseCrawlerState.CompletedCycle last = crawler.status().lastCycle();
        assertThat(last.cycle()).isZero();
        assertThat(last.finished()).isEqualTo(grid.clock.instant());
        assertThat(last.counts().immutable()).isEqualTo(new ShareCounts(2,
                reclaimedImmutable + size(youngImmutable), 1, reclaimedImmutable));
        assertThat(last.counts().mutable()).isEqualTo(new ShareCounts(2,
                reclaimedMutable + size(youngMutable), 1, reclaimedMutable));
        assertThat(last.counts().removedBuckets()).isEqualTo(2);
        assertThat(log.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.INFO);
            assertThat(e.getFormattedMessage()).contains("cycle 0 finished", "removed 1 immutable (" 
                    + reclaimedImmutable + " bytes) and 1 mutable");
        });
    }

    @Test
    void aShareWithOneLiveLeaseAmongExpiredOnesIsNeverRemoved() throws Exception {
        Path immutable = grid.immutable(si(0), owner(1));
        Path mutable = grid.mutable(si(1), owner(1));
        grid.clock.setDaysAfterT0(2);
        for (int n = 2; n <= 6; n++) { // more leases than a mutable container's four header slots
            grid.renew(si(0), owner(n));
            grid.renew(si(1), owner(n));
        }
        grid.clock.setDaysAfterT0(25);
        grid.renew(si(0), owner(7));
        grid.renew(si(1), owner(7));
        assertThat(ImmutableShareFile.open(immutable).leases()).hasSize(7);
        assertThat(MutableShareFile.open(mutable).leases()).hasSize(7);

        grid.clock.setDaysAfterT0(50); // six leases are long expired, owner 7's lives until day 56
        LeaseCrawler crawler = grid.crawler(age());
        runCycle(crawler);
        assertThat(immutable).exists();
        assertThat(mutable).exists();
        assertThat(crawler.status().lastCycle().counts().immutable().removedShares()).isZero();

        grid.clock.setDaysAfterT0(57); // and now the last one has expired too
        runCycle(crawler);
        assertThat(immutable).doesNotExist();
        assertThat(mutable).doesNotExist();
        assertThat(crawler.status().lastCycle().cycle()).isEqualTo(1);
    }

    @Test
    void aRenewedLeaseKeepsItsShareUntilTheRenewalRunsOut() throws Exception {
        Path share = grid.immutable(si(0), owner(1));
        grid.clock.setDaysAfterT0(25);
        grid.renew(si(0), owner(1)); // the same client renews: still one lease, now until day 56
        assertThat(ImmutableShareFile.open(share).leases()).hasSize(1);

        grid.clock.setDaysAfterT0(40);
        LeaseCrawler crawler = grid.crawler(age());
        runCycle(crawler);
        assertThat(share).exists();

        grid.clock.setDaysAfterT0(57);
        runCycle(crawler);
        assertThat(share).doesNotExist();
    }

    @Test
    void overrideLeaseDurationReplacesTheThirtyOneDaysBothWays() throws Exception {
        Path share = grid.immutable(si(0), owner(1));
        Path mutable = grid.mutable(si(1), owner(1));

        grid.clock.setDaysAfterT0(40); // past 31 days, within 60
        runCycle(grid.crawler(ageWithOverride(Duration.ofDays(60))));
        assertThat(share).exists();
        assertThat(mutable).exists();

        grid.clock.setDaysAfterT0(61);
        runCycle(grid.crawler(ageWithOverride(Duration.ofDays(60))));
        assertThat(share).doesNotExist();
        assertThat(mutable).doesNotExist();

        grid.clock.setDaysAfterT0(100); // a shorter override collects a share its 31-day lease would still keep
        Path fresh = grid.immutable(si(2), owner(1));
        grid.clock.setDaysAfterT0(108);
        runCycle(grid.crawler(ageWithOverride(Duration.ofDays(7))));
        assertThat(fresh).doesNotExist();
    }

    @Test
    void aLeaseRenewedWhileTheCrawlerDecidesKeepsItsShare() throws Exception {
        Path share = grid.immutable(si(0), owner(1));
        grid.clock.setDaysAfterT0(40);
        // The client renews each time the crawler asks the time, i.e. after it has read the expired leases
        // and before it deletes: the decision taken again under the lock must see the renewal.
        int[] renewals = {0};
        java.time.Clock renewingClock = new LeaseFixture.SettableClock(grid.clock.instant()) {
            @Override
            public Instant instant() {
                grid.renew(si(0), owner(2));
                renewals[0]++;
                return super.instant();
            }
        };
        LeaseExpirer expirer = new LeaseExpirer(grid.backend, age(), renewingClock);

        CycleCounts counts = expirer.examineBucket(grid.bucket(si(0)));

        assertThat(renewals[0]).isPositive();
        assertThat(share).exists();
        assertThat(counts.immutable().examinedShares()).isEqualTo(1);
        assertThat(counts.immutable().removedShares()).isZero();
    }

    @Test
    void inCutoffDateModeLeasesLastRenewedBeforeTheDateExpireWhateverTheirAge() throws Exception {
        Path before = grid.immutable(si(0), owner(1)); // 1 January
        Path beforeMutable = grid.mutable(si(1), owner(1));
        Path renewedAfter = grid.mutable(si(3), owner(1));
        grid.clock.setDaysAfterT0(10); // 11 January
        Path after = grid.immutable(si(2), owner(1));
        grid.renew(si(3), owner(1));
        ExpirationPolicy policy = ExpirationPolicy.fromConfig(Map.of("expire.enabled", "true",
                "expire.mode", "cutoff-date", "expire.cutoff_date", "2026-01-06"));

        grid.clock.setDaysAfterT0(12); // every lease is younger than 31 days: only the date decides
        runCycle(grid.crawler(policy));

        assertThat(before).doesNotExist();
        assertThat(beforeMutable).doesNotExist();
        assertThat(after).exists();
        assertThat(renewedAfter).exists();
    }

    @Test
    void immutableAndMutableSharesAreCollectedOnlyWhenTheirKindIsEnabled() throws Exception {
        Path immutable = grid.immutable(si(0), owner(1));
        Path mutable = grid.mutable(si(1), owner(1));
        grid.clock.setDaysAfterT0(40);

        LeaseCrawler mutableOnly = grid.crawler(ExpirationPolicy.fromConfig(Map.of("expire.enabled", "true",
                "expire.mode", "age", "expire.immutable", "false")));
        runCycle(mutableOnly);
        assertThat(immutable).exists();
        assertThat(mutable).doesNotExist();
        assertThat(mutableOnly.status().lastCycle().counts().immutable())
                .isEqualTo(new ShareCounts(1, size(immutable), 0, 0));

        Path mutable2 = grid.mutable(si(2), owner(1)); // granted on day 40
        grid.clock.setDaysAfterT0(80);
        runCycle(grid.crawler(ExpirationPolicy.fromConfig(Map.of("expire.enabled", "true", "expire.mode", "age",
                "expire.mutable", "false"))));
        assertThat(immutable).doesNotExist();
        assertThat(mutable2).exists();
    }

    @Test
    void garbageCollectionIsOffByDefaultAndThenOnlyCounts() throws Exception {
        Path immutable = grid.immutable(si(0), owner(1));
        Path mutable = grid.mutable(si(1), owner(1));
        grid.clock.setDaysAfterT0(400);

        LeaseCrawler crawler = grid.crawler(ExpirationPolicy.fromConfig(Map.of()));
        runCycle(crawler);

        assertThat(immutable).exists();
        assertThat(mutable).exists();
        CycleCounts counts = crawler.status().lastCycle().counts();
        assertThat(counts).isEqualTo(new CycleCounts(new ShareCounts(1, size(immutable), 0, 0),
                new ShareCounts(1, size(mutable), 0, 0), 0));
    }

    @Test
    void aCrawlerStoppedMidCycleResumesFromItsSavedPositionAfterARestart() throws Exception {
        for (int n = 0; n < 6; n++) {
            grid.immutable(si(n), owner(1));
        }
        grid.clock.setDaysAfterT0(40);
        LeaseCrawler first = grid.crawler(age());
        for (int slice = 0; slice < 3; slice++) {
            assertThat(first.runSlice()).isFalse(); // one bucket per slice: si(0), si(1), si(2)
        }
        first.close();
        assertThat(grid.bucket(si(2))).doesNotExist();
        assertThat(grid.bucket(si(3))).exists();

        // A share appears behind the saved position while the server is down; this cycle has passed it.
        grid.clock.set(T0);
        Path behind = grid.immutable(si(1), owner(1));
        grid.clock.setDaysAfterT0(40);

        LeaseCrawler restarted = grid.crawler(age());
        assertThat(restarted.status().inCycle()).isTrue();
        assertThat(restarted.status().nextPrefix()).isEqualTo(si(3).prefix());
        assertThat(restarted.status().cycleToDate().immutable().examinedShares()).isEqualTo(3);
        assertThat(runCycle(restarted)).isEqualTo(3); // si(3), si(4), si(5): not the six of a fresh cycle

        for (int n = 3; n < 6; n++) {
            assertThat(grid.bucket(si(n))).doesNotExist();
        }
        assertThat(behind).exists();
        ShareCounts whole = restarted.status().lastCycle().counts().immutable();
        assertThat(whole.examinedShares()).isEqualTo(6); // counts of both halves of the cycle
        assertThat(whole.removedShares()).isEqualTo(6);

        runCycle(restarted); // the next cycle starts at the beginning and finds it
        assertThat(behind).doesNotExist();
    }

    @Test
    void aRestartInsideAPrefixDirectoryResumesAfterItsLastCompleteBucket() throws Exception {
        // Three storage indexes in one prefix directory, in the order the crawler visits them.
        List<StorageIndex> sis = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            byte[] bytes = si(4).bytes();
            bytes[2] = (byte) (k << 3);
            sis.add(StorageIndex.of(bytes));
        }
        sis.sort(Comparator.comparing(StorageIndex::toString));
        assertThat(sis).extracting(StorageIndex::prefix).containsOnly(si(4).prefix());
        for (StorageIndex s : sis) {
            grid.immutable(s, owner(1));
        }
        grid.clock.setDaysAfterT0(40);
        LeaseCrawler first = grid.crawler(age());
        assertThat(first.runSlice()).isFalse();
        first.close();
        assertThat(first.status().lastCompleteBucket()).isEqualTo(sis.get(0).toString());

        grid.clock.set(T0);
        Path behind = grid.immutable(sis.get(0), owner(1));
        grid.clock.setDaysAfterT0(40);
        LeaseCrawler restarted = grid.crawler(age());
        assertThat(runCycle(restarted)).isEqualTo(2);
        assertThat(behind).exists();
        assertThat(grid.bucket(sis.get(1))).doesNotExist();
        assertThat(grid.bucket(sis.get(2))).doesNotExist();
    }

    @Test
    void theCrawlerYieldsBetweenSlicesAndRequestsAreServedMidCycle() throws Exception {
        for (int n = 0; n < 5; n++) {
            grid.immutable(si(n), owner(1));
        }
        grid.clock.setDaysAfterT0(40);
        LeaseCrawler crawler = grid.crawler(age());

        assertThat(crawler.runSlice()).isFalse();
        assertThat(crawler.runSlice()).isFalse();
        // Mid-cycle, a client renews a share the crawler has not reached and uploads a new one.
        grid.renew(si(4), owner(2));
        Path uploaded = grid.immutable(si(10), owner(2));
        assertThat(grid.backend.listImmutableShares(si(3))).containsExactly(0);
        assertThat(crawler.status().inCycle()).isTrue();

        assertThat(crawler.runSlice()).isFalse();
        assertThat(crawler.runSlice()).isFalse();
        assertThat(crawler.runSlice()).isFalse(); // si(10), the new bucket, is in this cycle's path too
        assertThat(crawler.runSlice()).isTrue(); // six buckets, six slices

        assertThat(grid.bucket(si(3))).doesNotExist();
        assertThat(grid.share(si(4), 0)).exists();
        assertThat(uploaded).exists();
        assertThat(crawler.status().lastCycle().counts().immutable().examinedShares()).isEqualTo(6);
    }

    @Test
    void aCorruptStateFileStartsAFreshCycleWithAWarning() throws Exception {
        Path share = grid.immutable(si(0), owner(1));
        grid.clock.setDaysAfterT0(40);
        Path stateFile = dir.resolve(LeaseCrawlerState.FILE_NAME);
        Files.writeString(stateFile, "{\"format\": \"lafsfs lease crawler state v1\", \"cycle\": [");

        LeaseCrawler crawler = grid.crawler(age());

        assertThat(crawler.status()).isEqualTo(LeaseCrawlerState.INITIAL);
        assertThat(log.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("unreadable", "starting a fresh cycle");
        });
        runCycle(crawler);
        assertThat(share).doesNotExist();
        assertThat(grid.crawler(age()).status().lastCycle().cycle()).isZero(); // the file is whole again
    }

    @Test
    void aStateFileFromAnotherProgramIsNotTrustedEither() throws Exception {
        Files.writeString(dir.resolve(LeaseCrawlerState.FILE_NAME), "{\"cycle\": 3, \"prefix-index\": 9999}");
        assertThat(grid.crawler(age()).status()).isEqualTo(LeaseCrawlerState.INITIAL);
    }

    @Test
    void anUnreadableShareIsKeptAndTheCycleGoesOn() throws Exception {
        Path good = grid.immutable(si(1), owner(1));
        Path garbage = grid.bucket(si(0)).resolve("0");
        Files.createDirectories(garbage.getParent());
        Files.write(garbage, new byte[] {0, 0, 0, 9, 1, 2}); // neither container format
        grid.clock.setDaysAfterT0(40);

        LeaseCrawler crawler = grid.crawler(age());
        runCycle(crawler);

        assertThat(garbage).exists();
        assertThat(good).doesNotExist();
        assertThat(crawler.status().lastCycle().counts().immutable().removedShares()).isEqualTo(1);
    }

    @Test
    void startedOnItsOwnThreadItCompletesACycleAndStopsOnClose() throws Exception {
        Path share = grid.immutable(si(0), owner(1));
        Path kept = grid.mutable(si(1), owner(1));
        grid.clock.setDaysAfterT0(40);
        grid.renew(si(1), owner(1));
        LeaseCrawler crawler = grid.crawler(age());

        crawler.start();
        Instant deadline = Instant.now().plusSeconds(60); // a hang guard, not a timing expectation
        while (crawler.status().lastCycle() == null && Instant.now().isBefore(deadline)) {
            Thread.sleep(10);
        }
        crawler.close();

        assertThat(crawler.status().lastCycle()).isNotNull();
        assertThat(share).doesNotExist();
        assertThat(kept).exists();
        assertThat(grid.crawler(age()).status().lastCycle()).isEqualTo(crawler.status().lastCycle());
    }

    @Test
    void aShareWithoutAnyLeaseHasNothingKeepingIt() throws Exception {
        // Tahoe's rule; lafsfs itself never stores a share without a lease, but a copied-in one may lack it.
        Path share = grid.immutable(si(0), owner(1));
        byte[] bytes = Files.readAllBytes(share);
        int leases = java.nio.ByteBuffer.wrap(bytes, 8, 4).getInt();
        byte[] stripped = java.util.Arrays.copyOf(bytes, bytes.length - leases * ImmutableShareFile.LEASE_SIZE);
        java.nio.ByteBuffer.wrap(stripped).putInt(8, 0);
        Files.write(share, stripped);
        assertThat(ImmutableShareFile.open(share).leases()).isEmpty();

        runCycle(grid.crawler(age())); // at T0 itself
        assertThat(share).doesNotExist();
    }
}
