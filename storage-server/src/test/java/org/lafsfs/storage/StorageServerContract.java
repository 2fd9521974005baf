package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.storage.Allocation;
import org.lafsfs.core.storage.LeaseSecrets;
import org.lafsfs.core.storage.ReadTestWriteResult;
import org.lafsfs.core.storage.ReadVector;
import org.lafsfs.core.storage.StorageException;
import org.lafsfs.core.storage.StorageServer;
import org.lafsfs.core.storage.TestWriteVectors;
import org.lafsfs.core.storage.UploadProgress;

/**
 * What every storage server does, whichever way the client reaches it. Runs
 * once over direct calls and once over HTTPS on loopback.
 */
abstract class StorageServerContract {
    static final StorageIndex SI = StorageIndex.of(bytes(16, 1));
    static final byte[] NODE_ID = bytes(20, 2);
    static final LeaseSecrets LEASE = new LeaseSecrets(bytes(32, 3), bytes(32, 4));
    static final byte[] UPLOAD_SECRET = bytes(32, 5);
    static final byte[] WRITE_ENABLER = bytes(32, 6);

    @TempDir
    Path dir;

    StorageBackend backend;
    final TestClock clock = new TestClock(Instant.now());

    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** A client for a server running over {@code backend}. */
    abstract StorageServer connect(StorageBackend backend) throws Exception;

    StorageServer server() throws Exception {
        return server(0);
    }

    StorageServer server(long reservedSpace) throws Exception {
        backend = new StorageBackend(dir.resolve("storage"), NODE_ID, reservedSpace, clock);
        return connect(backend);
    }

    void closeLater(AutoCloseable c) {
        toClose.add(c);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    @Test
    void anImmutableShareUploadedInChunksReadsBackWhole() throws Exception {
        StorageServer server = server();
        byte[] share = bytes(300_000, 7);
        Allocation a = join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(0, 3), share.length));
        assertThat(a.allocated()).containsExactlyInAnyOrder(0, 3);
        assertThat(a.alreadyHave()).isEmpty();

        UploadProgress p = join(server.writeImmutable(SI, 3, UPLOAD_SECRET, 0, Arrays.copyOf(share, 100_000)));
        assertThat(p.complete()).isFalse();
        assertThat(p.required()).containsExactly(new UploadProgress.ByteRange(100_000, 300_000));
        assertThat(join(server.listImmutableShares(SI))).as("unfinished shares are invisible").isEmpty();
        // Out of order, with an overlap that repeats identical bytes.
        p = join(server.writeImmutable(SI, 3, UPLOAD_SECRET, 200_000, Arrays.copyOfRange(share, 200_000, 300_000)));
        assertThat(p.required()).containsExactly(new UploadProgress.ByteRange(100_000, 200_000));
        p = join(server.writeImmutable(SI, 3, UPLOAD_SECRET, 50_000, Arrays.copyOfRange(share, 50_000, 200_000)));
        assertThat(p.complete()).isTrue();

        assertThat(join(server.listImmutableShares(SI))).containsExactly(3);
        assertThat(join(server.readImmutable(SI, 3, 0, share.length))).isEqualTo(share);
        assertThat(join(server.readImmutable(SI, 3, 123_456, 1000)))
                .isEqualTo(Arrays.copyOfRange(share, 123_456, 124_456));
        Path onDisk = dir.resolve("storage/shares/" + SI.prefix() + "/" + SI + "/3");
        assertThat(ImmutableShareFile.open(onDisk).dataLength()).isEqualTo(share.length);
        assertThat(ImmutableShareFile.open(onDisk).leases()).hasSize(1);
    }

    @Test
    void aLargeShareIsWrittenToDiskBehindItsUploadAndArrivesWhole() throws Exception {
        StorageServer server = server();
        int chunk = 1 << 20;
        byte[] share = bytes((int) (2 * ShareWriteback.STEP + chunk), 11);
        join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(2), share.length));
        for (int at = 0; at < share.length - chunk; at += chunk) {
            join(server.writeImmutable(SI, 2, UPLOAD_SECRET, at, Arrays.copyOfRange(share, at, at + chunk)));
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (backend.writebacks() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(backend.writebacks()).as("flushes started while the share was still incoming").isPositive();
        UploadProgress last = join(server.writeImmutable(SI, 2, UPLOAD_SECRET, share.length - chunk,
                Arrays.copyOfRange(share, share.length - chunk, share.length)));
        assertThat(last.complete()).isTrue();
        assertThat(join(server.readImmutable(SI, 2, 0, share.length))).isEqualTo(share);
    }

    @Test
    void readsPastTheEndAreShortAndReadsAtTheEndAreEmpty() throws Exception {
        StorageServer server = server();
        byte[] share = bytes(1000, 8);
        join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(1), share.length));
        join(server.writeImmutable(SI, 1, UPLOAD_SECRET, 0, share));
        assertThat(join(server.readImmutable(SI, 1, 900, 500))).isEqualTo(Arrays.copyOfRange(share, 900, 1000));
        assertThat(join(server.readImmutable(SI, 1, 1000, 10))).isEmpty();
        assertThat(join(server.readImmutable(SI, 1, 5000, 10))).isEmpty();
        assertThatThrownBy(() -> join(server.readImmutable(SI, 2, 0, 10)))
                .isInstanceOf(StorageException.NotFound.class);
    }

    @Test
    void aWriteThatContradictsWrittenBytesIsAConflict() throws Exception {
        StorageServer server = server();
        join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(0), 100));
        join(server.writeImmutable(SI, 0, UPLOAD_SECRET, 0, bytes(50, 9)));
        assertThatThrownBy(() -> join(server.writeImmutable(SI, 0, UPLOAD_SECRET, 40, bytes(20, 10))))
                .isInstanceOf(StorageException.Conflict.class);
        assertThatThrownBy(() -> join(server.writeImmutable(SI, 0, UPLOAD_SECRET, 90, bytes(20, 10))))
                .isInstanceOf(StorageException.BadRequest.class).hasMessageContaining("outside the 100 bytes");
        assertThatThrownBy(() -> join(server.writeImmutable(SI, 0, bytes(32, 99), 50, bytes(10, 10))))
                .isInstanceOf(StorageException.Unauthorized.class);
    }

    @Test
    void piecesWrittenAsOneWriteLandInOrderAndARetriedWriteMustRepeatThem() throws Exception {
        StorageServer server = server();
        byte[] share = bytes(3000, 12);
        join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(4), share.length));
        List<byte[]> pieces = List.of(Arrays.copyOfRange(share, 0, 1000), Arrays.copyOfRange(share, 1000, 1001),
                Arrays.copyOfRange(share, 1001, 2500));
        assertThat(join(server.writeImmutable(SI, 4, UPLOAD_SECRET, 0, pieces)).complete()).isFalse();
        // A retry of the same pieces is harmless; one that contradicts them in any piece is refused.
        join(server.writeImmutable(SI, 4, UPLOAD_SECRET, 0, pieces));
        byte[] changed = Arrays.copyOfRange(share, 1001, 2500);
        changed[700] ^= 1;
        assertThatThrownBy(() -> join(server.writeImmutable(SI, 4, UPLOAD_SECRET, 0,
                List.of(pieces.get(0), pieces.get(1), changed)))).isInstanceOf(StorageException.Conflict.class);
        UploadProgress last = join(server.writeImmutable(SI, 4, UPLOAD_SECRET, 2500,
                List.of(Arrays.copyOfRange(share, 2500, 2900), Arrays.copyOfRange(share, 2900, 3000))));
        assertThat(last.complete()).isTrue();
        assertThat(join(server.readImmutable(SI, 4, 0, share.length))).isEqualTo(share);
    }

    @Test
    void aShareInANewBucketForcesTheDirectoriesItsEntriesAreNewIn() throws Exception {
        StorageServer server = server();
        byte[] a = bytes(16, 21);
        byte[] b = a.clone();
        b[15] ^= 1;
        byte[] c = a.clone();
        c[14] ^= 1;
        StorageIndex first = StorageIndex.of(a);
        assertThat(StorageIndex.of(b).prefix()).isEqualTo(first.prefix());
        byte[] share = bytes(100, 22);

        long before = backend.createdSyncs();
        storeShare(server, first, share);
        assertThat(backend.createdSyncs() - before).as("bucket, prefix and shares/: all new").isEqualTo(3);
        before = backend.createdSyncs();
        storeShare(server, StorageIndex.of(b), share);
        assertThat(backend.createdSyncs() - before).as("bucket and prefix; the prefix's own entry is on disk")
                .isEqualTo(2);
        before = backend.createdSyncs();
        storeShare(server, StorageIndex.of(c), share);
        assertThat(backend.createdSyncs() - before).isEqualTo(2);
        assertThat(join(server.readImmutable(StorageIndex.of(b), 0, 0, 100))).isEqualTo(share);
    }

    private static void storeShare(StorageServer server, StorageIndex si, byte[] share) {
        join(server.allocateBuckets(si, LEASE, UPLOAD_SECRET, Set.of(0), share.length));
        assertThat(join(server.writeImmutable(si, 0, UPLOAD_SECRET, 0, share)).complete()).isTrue();
    }

    @Test
    void aSecondAllocationReportsHeldSharesAndHidesSharesInProgress() throws Exception {
        StorageServer server = server();
        join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(0, 1), 10));
        join(server.writeImmutable(SI, 0, UPLOAD_SECRET, 0, bytes(10, 11)));
        // The same uploader asking again gets the same answer for the share still in progress.
        Allocation again = join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(0, 1), 10));
        assertThat(again.alreadyHave()).containsExactly(0);
        assertThat(again.allocated()).containsExactly(1);
        // Another uploader is told about the finished share and must place share 1 elsewhere.
        Allocation other = join(server.allocateBuckets(SI, LEASE, bytes(32, 12), Set.of(0, 1, 2), 10));
        assertThat(other.alreadyHave()).containsExactly(0);
        assertThat(other.allocated()).containsExactly(2);
    }

    @Test
    void anAllocationReportsEveryShareHeldNotJustThoseAskedFor() throws Exception {
        StorageServer server = server();
        join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(0, 1), 10));
        join(server.writeImmutable(SI, 0, UPLOAD_SECRET, 0, bytes(10, 22)));
        join(server.writeImmutable(SI, 1, UPLOAD_SECRET, 0, bytes(10, 23)));
        Allocation a = join(server.allocateBuckets(SI, LEASE, bytes(32, 24), Set.of(2), 10));
        assertThat(a.alreadyHave()).containsExactly(0, 1);
        assertThat(a.allocated()).containsExactly(2);
    }

    @Test
    void anUploadIdleForHalfAnHourIsAbandoned() throws Exception {
        StorageServer server = server();
        join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(0), 100));
        join(server.writeImmutable(SI, 0, UPLOAD_SECRET, 0, bytes(50, 25)));
        clock.advance(Duration.ofMinutes(29));
        assertThat(join(server.allocateBuckets(SI, LEASE, bytes(32, 26), Set.of(0), 100)).allocated()).isEmpty();
        clock.advance(Duration.ofMinutes(2));
        assertThat(join(server.allocateBuckets(SI, LEASE, bytes(32, 26), Set.of(0), 100)).allocated())
                .containsExactly(0);
        assertThatThrownBy(() -> join(server.writeImmutable(SI, 0, UPLOAD_SECRET, 50, bytes(50, 25))))
                .isInstanceOf(StorageException.Unauthorized.class);
    }

    @Test
    void aGapWrittenPastTruncatedDataReadsAsZeros() throws Exception {
        StorageServer server = server();
        TestWriteVectors write = new TestWriteVectors(List.of(),
                List.of(new TestWriteVectors.Write(0, bytes(100, 27))), null);
        join(server.readTestWrite(SI, WRITE_ENABLER, LEASE, Map.of(0, write), List.of()));
        join(server.readTestWrite(SI, WRITE_ENABLER, LEASE, Map.of(0, new TestWriteVectors(List.of(), List.of(), 10L)),
                List.of()));
        TestWriteVectors past = new TestWriteVectors(List.of(), List.of(new TestWriteVectors.Write(50, bytes(5, 28))),
                null);
        join(server.readTestWrite(SI, WRITE_ENABLER, LEASE, Map.of(0, past), List.of()));
        byte[] data = join(server.readMutable(SI, 0, 0, 100));
        assertThat(data).hasSize(55);
        assertThat(Arrays.copyOfRange(data, 10, 50)).containsOnly(0);
        assertThat(Arrays.copyOf(data, 10)).isEqualTo(Arrays.copyOf(bytes(100, 27), 10));
    }

    @Test
    void anAbortedUploadLeavesNothingBehind() throws Exception {
        StorageServer server = server();
        join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(4), 100));
        join(server.writeImmutable(SI, 4, UPLOAD_SECRET, 0, bytes(50, 13)));
        join(server.abortImmutable(SI, 4, UPLOAD_SECRET));
        assertThat(join(server.listImmutableShares(SI))).isEmpty();
        assertThatThrownBy(() -> join(server.writeImmutable(SI, 4, UPLOAD_SECRET, 50, bytes(50, 13))))
                .isInstanceOf(StorageException.NotFound.class);
        try (Stream<Path> files = Files.walk(dir.resolve("storage/shares"))) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
        // A fresh allocation starts over.
        assertThat(join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(4), 100)).allocated()).contains(4);
    }

    @Test
    void aServerShortOfSpaceAllocatesNothingAndSaysSo() throws Exception {
        StorageServer server = server(Long.MAX_VALUE / 2);
        assertThat(join(server.version()).availableSpace()).isZero();
        Allocation a = join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(0, 1), 1000));
        assertThat(a.allocated()).isEmpty();
        assertThat(a.alreadyHave()).isEmpty();
    }

    @Test
    void allocationsCountAgainstTheSpaceLeft() throws Exception {
        long free = Files.getFileStore(dir).getUsableSpace();
        StorageServer server = server(free - 1_000_000);
        long available = join(server.version()).availableSpace();
        assertThat(available).isBetween(1L, 1_000_000L);
        Allocation a = join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(0, 1, 2), available / 2 + 1));
        assertThat(a.allocated()).hasSize(1);
    }

    @Test
    void leasesAreAddedRenewedAndStoredHashed() throws Exception {
        StorageServer server = server();
        join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(0), 10));
        join(server.writeImmutable(SI, 0, UPLOAD_SECRET, 0, bytes(10, 14)));
        LeaseSecrets other = new LeaseSecrets(bytes(32, 15), bytes(32, 16));
        join(server.addOrRenewLease(SI, other));
        join(server.addOrRenewLease(SI, LEASE));
        Path onDisk = dir.resolve("storage/shares/" + SI.prefix() + "/" + SI + "/0");
        List<Lease> leases = ImmutableShareFile.open(onDisk).leases();
        assertThat(leases).hasSize(2);
        assertThat(leases.get(0).renewSecret()).isEqualTo(Lease.hash(LEASE.renew())).isNotEqualTo(LEASE.renew());
        assertThat(leases.get(0).expirationTime()).isGreaterThan(System.currentTimeMillis() / 1000 + 30L * 86400);
        assertThatThrownBy(() -> join(server.addOrRenewLease(StorageIndex.of(bytes(16, 17)), LEASE)))
                .isInstanceOf(StorageException.NotFound.class);
    }

    @Test
    void mutableSharesAreCreatedTestedAndWrittenAtomically() throws Exception {
        StorageServer server = server();
        TestWriteVectors create = new TestWriteVectors(List.of(new TestWriteVectors.Test(0, 1, new byte[0])),
                List.of(new TestWriteVectors.Write(0, "version one".getBytes())), null);
        ReadTestWriteResult r = join(server.readTestWrite(SI, WRITE_ENABLER, LEASE, Map.of(0, create, 1, create),
                List.of()));
        assertThat(r.success()).isTrue();
        assertThat(join(server.listMutableShares(SI))).containsExactly(0, 1);
        assertThat(join(server.listImmutableShares(SI))).isEmpty();

        // A test that fails writes nothing anywhere, and returns what was read.
        TestWriteVectors stale = new TestWriteVectors(List.of(new TestWriteVectors.Test(0, 7, "version".getBytes())),
                List.of(new TestWriteVectors.Write(0, "version two".getBytes())), null);
        TestWriteVectors wrong = new TestWriteVectors(List.of(new TestWriteVectors.Test(0, 3, "xyz".getBytes())),
                List.of(new TestWriteVectors.Write(0, "version two".getBytes())), null);
        r = join(server.readTestWrite(SI, WRITE_ENABLER, LEASE, Map.of(0, stale, 1, wrong),
                List.of(new ReadVector(0, 100))));
        assertThat(r.success()).isFalse();
        assertThat(r.data().get(0)).singleElement().isEqualTo("version one".getBytes());
        assertThat(r.data().get(1)).singleElement().isEqualTo("version one".getBytes());
        assertThat(join(server.readMutable(SI, 1, 0, 100))).isEqualTo("version one".getBytes());

        // Writing past the end fills the gap with zeros; new-length truncates.
        TestWriteVectors grow = new TestWriteVectors(List.of(),
                List.of(new TestWriteVectors.Write(20, "tail".getBytes())), null);
        assertThat(join(server.readTestWrite(SI, WRITE_ENABLER, LEASE, Map.of(0, grow), List.of())).success())
                .isTrue();
        byte[] grown = join(server.readMutable(SI, 0, 0, 100));
        assertThat(grown).hasSize(24);
        assertThat(Arrays.copyOfRange(grown, 11, 20)).containsOnly(0);
        TestWriteVectors shrink = new TestWriteVectors(List.of(), List.of(), 7L);
        join(server.readTestWrite(SI, WRITE_ENABLER, LEASE, Map.of(0, shrink), List.of()));
        assertThat(join(server.readMutable(SI, 0, 0, 100))).isEqualTo("version".getBytes());

        // New length zero deletes a share.
        join(server.readTestWrite(SI, WRITE_ENABLER, LEASE,
                Map.of(1, new TestWriteVectors(List.of(), List.of(), 0L)), List.of()));
        assertThat(join(server.listMutableShares(SI))).containsExactly(0);
    }

    @Test
    void aWrongWriteEnablerIsRefused() throws Exception {
        StorageServer server = server();
        TestWriteVectors write = new TestWriteVectors(List.of(),
                List.of(new TestWriteVectors.Write(0, "mine".getBytes())), null);
        join(server.readTestWrite(SI, WRITE_ENABLER, LEASE, Map.of(0, write), List.of()));
        assertThatThrownBy(() -> join(server.readTestWrite(SI, bytes(32, 18), LEASE, Map.of(0, write), List.of())))
                .isInstanceOf(StorageException.Unauthorized.class);
        assertThat(join(server.readMutable(SI, 0, 0, 10))).isEqualTo("mine".getBytes());
    }

    @Test
    void manyLeasesOnAMutableShareSpillIntoTheExtraLeaseArea() throws Exception {
        StorageServer server = server();
        TestWriteVectors write = new TestWriteVectors(List.of(),
                List.of(new TestWriteVectors.Write(0, bytes(1000, 19))), null);
        join(server.readTestWrite(SI, WRITE_ENABLER, LEASE, Map.of(0, write), List.of()));
        for (int i = 0; i < 6; i++) {
            join(server.addOrRenewLease(SI, new LeaseSecrets(bytes(32, 100 + i), bytes(32, 200 + i))));
        }
        // Growing the data moves the extra leases behind it.
        TestWriteVectors grow = new TestWriteVectors(List.of(),
                List.of(new TestWriteVectors.Write(1000, bytes(5000, 20))), null);
        join(server.readTestWrite(SI, WRITE_ENABLER, LEASE, Map.of(0, grow), List.of()));
        Path onDisk = dir.resolve("storage/shares/" + SI.prefix() + "/" + SI + "/0");
        assertThat(MutableShareFile.open(onDisk).leases()).hasSize(7);
        assertThat(join(server.readMutable(SI, 0, 0, 6000))).hasSize(6000).startsWith(bytes(1000, 19));
    }

    @Test
    void concurrentUploadsToOneStorageIndexAllLand() throws Exception {
        StorageServer server = server();
        int shares = 10;
        byte[][] data = new byte[shares][];
        List<CompletableFuture<UploadProgress>> uploads = new ArrayList<>();
        for (int s = 0; s < shares; s++) {
            data[s] = bytes(200_000, 30 + s);
            byte[] secret = bytes(32, 60 + s);
            int shnum = s;
            uploads.add(server.allocateBuckets(SI, LEASE, secret, Set.of(shnum), data[s].length)
                    .thenCompose(a -> server.writeImmutable(SI, shnum, secret, 0, Arrays.copyOf(data[shnum], 100_000)))
                    .thenCompose(p -> server.writeImmutable(SI, shnum, secret, 100_000,
                            Arrays.copyOfRange(data[shnum], 100_000, 200_000))));
        }
        for (CompletableFuture<UploadProgress> u : uploads) {
            assertThat(join(u).complete()).isTrue();
        }
        assertThat(join(server.listImmutableShares(SI))).hasSize(shares);
        for (int s = 0; s < shares; s++) {
            assertThat(join(server.readImmutable(SI, s, 0, 200_000))).isEqualTo(data[s]);
        }
    }

    @Test
    void corruptionAdviceIsRecordedForTheOperator() throws Exception {
        StorageServer server = server();
        join(server.allocateBuckets(SI, LEASE, UPLOAD_SECRET, Set.of(0), 10));
        join(server.writeImmutable(SI, 0, UPLOAD_SECRET, 0, bytes(10, 21)));
        join(server.adviseCorruptImmutable(SI, 0, "block hash mismatch in segment 0"));
        try (Stream<Path> advice = Files.list(dir.resolve("storage/corruption-advisories"))) {
            assertThat(Files.readString(advice.findFirst().orElseThrow())).contains("block hash mismatch");
        }
        assertThatThrownBy(() -> join(server.adviseCorruptImmutable(SI, 5, "no such share")))
                .isInstanceOf(StorageException.NotFound.class);
    }
}
