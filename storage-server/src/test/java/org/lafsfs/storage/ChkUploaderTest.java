package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.Interop;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.grid.ClientSecrets;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.ChkReader;
import org.lafsfs.core.immutable.ChkUploader;
import org.lafsfs.core.immutable.EncodingParameters;
import org.lafsfs.core.immutable.UploadException;
import org.lafsfs.core.immutable.UploadSource;
import org.lafsfs.core.storage.StorageServer;

/** Uploading immutable files to a grid of real (in-process) storage servers. */
class ChkUploaderTest {
    @TempDir
    Path dir;

    final ExecutorService executor = Executors.newFixedThreadPool(8);
    final ClientSecrets secrets = new ClientSecrets(new byte[32]);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void serversFailingMidUploadAreToleratedWhileHappinessHolds() throws Exception {
        byte[] data = new byte[3_000_000]; // 3 segments, several batched writes per share
        new Random(8).nextBytes(data);
        List<GridServer> servers = failing(grid(10, 0), 3);
        ChkUploader.Result result = new ChkUploader(servers, EncodingParameters.DEFAULT, new byte[32], secrets)
                .upload(UploadSource.of(data));
        assertThat(result.placement()).hasSize(10); // the failed servers' shares moved to the others
        assertThat(new HashSet<>(result.placement().values())).hasSize(7);
        assertThat(new ChkReader((ChkCap) result.cap(), storage(servers)).readAll()).isEqualTo(data);
    }

    @Test
    void sharesOfServersThatFailMidUploadMoveToOtherServers() throws Exception {
        byte[] data = new byte[3_000_000];
        new Random(11).nextBytes(data);
        byte[] convergence = new byte[32];
        int segmentSize = org.lafsfs.core.immutable.ChkEncoder.segmentSizeFor(data.length, 1 << 20, 3);
        StorageIndex si = StorageIndex.of(org.lafsfs.core.crypto.Hashes.storageIndex(
                org.lafsfs.core.crypto.Hashes.convergenceHasher(3, 10, segmentSize, convergence).update(data)
                        .digest()));
        List<GridServer> servers = grid(12, 0);
        List<GridServer> order = org.lafsfs.core.storage.ServerPermutation.order(si, servers,
                GridServer::permutationSeed);
        List<GridServer> wrapped = new ArrayList<>();
        for (GridServer s : servers) {
            boolean dies = order.indexOf(s) < 4; // four of the ten servers chosen first die after one write
            wrapped.add(dies ? new GridServer(new FailingStorageServer(s.storage(), 1), s.nodeId(),
                    s.permutationSeed()) : s);
        }
        ChkUploader.Result result = new ChkUploader(wrapped, EncodingParameters.DEFAULT, convergence, secrets)
                .upload(UploadSource.of(data));
        // Without re-placement only 6 servers would hold shares (below happy=7); the 4 shares moved to the
        // 2 spare servers and then to the others.
        assertThat(result.placement()).hasSize(10);
        assertThat(new HashSet<>(result.placement().values())).hasSize(8);
        assertThat(new ChkReader((ChkCap) result.cap(), storage(servers)).readAll()).isEqualTo(data);
    }

    @Test
    void tooManyServersFailingMidUploadFailTheUploadSayingWhy() throws Exception {
        byte[] data = new byte[3_000_000];
        new Random(9).nextBytes(data);
        List<GridServer> servers = failing(grid(10, 0), 4);
        assertThatThrownBy(() -> new ChkUploader(servers, EncodingParameters.DEFAULT, new byte[32], secrets)
                .upload(UploadSource.of(data)))
                .isInstanceOf(UploadException.class).hasMessageContaining("only 6 distinct servers")
                .hasMessageContaining("went away");
    }

    /** The first {@code count} servers in permuted order fail after their first share write. */
    private List<GridServer> failing(List<GridServer> servers, int count) {
        List<GridServer> result = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            GridServer s = servers.get(i);
            result.add(i < count ? new GridServer(new FailingStorageServer(s.storage(), 1), s.nodeId(),
                    s.permutationSeed()) : s);
        }
        return result;
    }

    @Test
    void serversWithTheSameNicknameAreStillDistinctServers() throws Exception {
        List<GridServer> named = new ArrayList<>();
        for (GridServer s : grid(10, 0)) {
            StorageServer same = new LocalStorageServer(((LocalStorageServer) s.storage()).backend(), executor,
                    "lafsfs");
            named.add(new GridServer(same, s.nodeId(), s.permutationSeed()));
        }
        byte[] data = new byte[50_000];
        new Random(7).nextBytes(data);
        ChkUploader.Result result = new ChkUploader(named, EncodingParameters.DEFAULT, new byte[32], secrets)
                .upload(UploadSource.of(data));
        assertThat(new ChkReader((ChkCap) result.cap(), storage(named)).readAll()).isEqualTo(data);
    }

    List<GridServer> grid(int count, int full) throws Exception {
        List<GridServer> servers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] nodeId = new byte[20];
            nodeId[0] = (byte) i;
            StorageBackend backend = new StorageBackend(dir.resolve("server" + i), nodeId,
                    i < full ? Long.MAX_VALUE / 2 : 0, Clock.systemUTC());
            byte[] seed = new byte[32];
            new Random(i).nextBytes(seed);
            servers.add(new GridServer(new LocalStorageServer(backend, executor, "server" + i), nodeId, seed));
        }
        return servers;
    }

    static List<StorageServer> storage(List<GridServer> servers) {
        return servers.stream().map(GridServer::storage).toList();
    }

    @Test
    void reUploadingTahoesPlaintextReproducesItsCapAndShareBytes() throws Exception {
        List<GridServer> servers = grid(10, 0);
        for (String name : List.of("imm-0000056", "imm-1048593", "imm-3145728")) {
            JsonNode object = Interop.object(name);
            ChkUploader uploader = new ChkUploader(servers, EncodingParameters.DEFAULT, Interop.convergenceSecret(),
                    secrets);
            ChkUploader.Result result = uploader.upload(UploadSource.of(Interop.plaintext(object)));
            assertThat(result.cap().uri()).isEqualTo(object.get("readcap").asText());
            assertThat(result.placement()).hasSize(10);
            assertThat(new HashSet<>(result.placement().values())).hasSize(10);
            StorageIndex si = result.cap().storageIndex().orElseThrow();
            for (int shnum = 0; shnum < 10; shnum++) {
                String server = result.placement().get(shnum);
                Path file = dir.resolve(server).resolve("shares/" + si.prefix() + "/" + si + "/" + shnum);
                byte[] ours = Interop.immutableShareData(Files.readAllBytes(file));
                byte[] tahoes = Interop.immutableShareData(Interop.shareFile(object, Interop.holder(object, shnum),
                        shnum));
                assertThat(ours).as("%s share %d", name, shnum).isEqualTo(tahoes);
            }
            assertThat(new ChkReader((ChkCap) result.cap(), storage(servers)).readAll())
                    .isEqualTo(Interop.plaintext(object));
        }
    }

    @Test
    void uploadingTheSameFileAgainFindsItsShares() throws Exception {
        List<GridServer> servers = grid(10, 0);
        byte[] data = new byte[300_000];
        new Random(5).nextBytes(data);
        ChkUploader uploader = new ChkUploader(servers, EncodingParameters.DEFAULT, new byte[32], secrets);
        Cap first = uploader.upload(UploadSource.of(data)).cap();
        ChkUploader.Result again = uploader.upload(UploadSource.of(data));
        assertThat(again.cap()).isEqualTo(first);
        assertThat(again.sharesAlreadyPresent()).isEqualTo(10);
    }

    @Test
    void sharesOnServersFurtherDownThePermutedOrderAreFoundNotCopied() throws Exception {
        List<GridServer> all = grid(16, 0);
        byte[] data = new byte[200_000];
        new Random(9).nextBytes(data);
        Cap first = new ChkUploader(all.subList(0, 10), EncodingParameters.DEFAULT, new byte[32], secrets)
                .upload(UploadSource.of(data)).cap();
        // Six servers join; some now come before the holders in this file's permuted order.
        ChkUploader.Result again = new ChkUploader(all, EncodingParameters.DEFAULT, new byte[32], secrets)
                .upload(UploadSource.of(data));
        assertThat(again.cap()).isEqualTo(first);
        assertThat(again.sharesAlreadyPresent()).isEqualTo(10);
        assertThat(shareFiles(16)).as("share files on the grid, counting any left in incoming/").isEqualTo(10);
    }

    @Test
    void anUploadLeftHalfWrittenByACrashIsTakenUpByTheSameClientsNextUpload() throws Exception {
        byte[] data = new byte[3_000_000]; // three segments: the first batch per share is not the whole share
        new Random(12).nextBytes(data);
        List<GridServer> servers = grid(10, 0);
        // The client "crashes" after one write per share: nothing more reaches any server, not even aborts,
        // so every server is left with a share in incoming/ that nobody will finish.
        assertThatThrownBy(() -> new ChkUploader(failing(servers, 10), EncodingParameters.DEFAULT, new byte[32],
                secrets).upload(UploadSource.of(data))).isInstanceOf(UploadException.class);
        ChkUploader.Result again = new ChkUploader(servers, EncodingParameters.DEFAULT, new byte[32], secrets)
                .upload(UploadSource.of(data));
        assertThat(new HashSet<>(again.placement().values())).hasSize(10);
        assertThat(new ChkReader((ChkCap) again.cap(), storage(servers)).readAll()).isEqualTo(data);
        assertThat(shareFiles(10)).as("one copy of each share, nothing left in incoming/").isEqualTo(10);
    }

    @Test
    void twoUploadsOfTheSameFileAtOnceBothSucceedWithOneCopyOfEachShare() throws Exception {
        byte[] data = new byte[2_500_000];
        new Random(13).nextBytes(data);
        List<GridServer> servers = grid(10, 0);
        ChkUploader uploader = new ChkUploader(servers, EncodingParameters.DEFAULT, new byte[32], secrets);
        var one = java.util.concurrent.CompletableFuture.supplyAsync(() -> upload(uploader, data), executor);
        var two = java.util.concurrent.CompletableFuture.supplyAsync(() -> upload(uploader, data), executor);
        assertThat(one.get().cap()).isEqualTo(two.get().cap());
        assertThat(new ChkReader((ChkCap) one.get().cap(), storage(servers)).readAll()).isEqualTo(data);
        assertThat(shareFiles(10)).isEqualTo(10);
    }

    private static ChkUploader.Result upload(ChkUploader uploader, byte[] data) {
        try {
            return uploader.upload(UploadSource.of(data));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Share files on the first {@code servers} servers, finished or not. */
    private long shareFiles(int servers) throws Exception {
        long shares = 0;
        for (int i = 0; i < servers; i++) {
            try (var files = Files.walk(dir.resolve("server" + i))) {
                shares += files.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().matches("\\d+"))
                        .count();
            }
        }
        return shares;
    }

    @Test
    void aNewFileOnTenServersCostsOneAllocationAndOneWritePerShare() throws Exception {
        java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> calls =
                new java.util.concurrent.ConcurrentHashMap<>();
        List<GridServer> counted = new ArrayList<>();
        for (GridServer s : grid(10, 0)) {
            counted.add(new GridServer(new CountingStorageServer(s.storage(), calls), s.nodeId(),
                    s.permutationSeed()));
        }
        byte[] data = new byte[5_000]; // one small file: one batch per share
        new Random(14).nextBytes(data);
        new ChkUploader(counted, EncodingParameters.DEFAULT, new byte[32], secrets).upload(UploadSource.of(data));
        assertThat(calls.get("allocateBuckets")).hasValue(10);
        assertThat(calls.get("writeImmutable")).hasValue(10);
        assertThat(calls).as("nothing else: no listings, no aborts").containsOnlyKeys("allocateBuckets",
                "writeImmutable");
    }

    /** Counts the requests of each kind that reach a server. */
    private static final class CountingStorageServer extends org.lafsfs.core.storage.ForwardingStorageServer {
        private final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> calls;

        CountingStorageServer(StorageServer inner,
                java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> calls) {
            super(inner);
            this.calls = calls;
        }

        private void count(String request) {
            calls.computeIfAbsent(request, r -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        }

        @Override
        public java.util.concurrent.CompletableFuture<org.lafsfs.core.storage.Allocation> allocateBuckets(
                StorageIndex si, org.lafsfs.core.storage.LeaseSecrets lease, byte[] uploadSecret,
                Set<Integer> shareNumbers, long allocatedSize) {
            count("allocateBuckets");
            return super.allocateBuckets(si, lease, uploadSecret, shareNumbers, allocatedSize);
        }

        @Override
        public java.util.concurrent.CompletableFuture<org.lafsfs.core.storage.UploadProgress> writeImmutable(
                StorageIndex si, int shnum, byte[] uploadSecret, long offset, List<byte[]> pieces) {
            count("writeImmutable");
            return super.writeImmutable(si, shnum, uploadSecret, offset, pieces);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Set<Integer>> listImmutableShares(StorageIndex si) {
            count("listImmutableShares");
            return super.listImmutableShares(si);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> abortImmutable(StorageIndex si, int shnum,
                byte[] uploadSecret) {
            count("abortImmutable");
            return super.abortImmutable(si, shnum, uploadSecret);
        }
    }

    @Test
    void smallFilesAreLiteralAndRandomKeysGiveNewCaps() throws Exception {
        List<GridServer> servers = grid(10, 0);
        ChkUploader convergent = new ChkUploader(servers, EncodingParameters.DEFAULT, new byte[32], secrets);
        assertThat(convergent.upload(UploadSource.of(new byte[55])).cap()).isInstanceOf(LiteralCap.class);
        assertThat(convergent.upload(UploadSource.of(new byte[56])).cap()).isInstanceOf(ChkCap.class);
        ChkUploader random = new ChkUploader(servers, EncodingParameters.DEFAULT, null, secrets);
        assertThat(random.upload(UploadSource.of(new byte[1000])).cap())
                .isNotEqualTo(random.upload(UploadSource.of(new byte[1000])).cap());
    }

    @Test
    void tooFewServersForHappinessIsAClearErrorAndLeavesNothing() throws Exception {
        List<GridServer> servers = grid(5, 0);
        ChkUploader uploader = new ChkUploader(servers, EncodingParameters.DEFAULT, new byte[32], secrets);
        assertThatThrownBy(() -> uploader.upload(UploadSource.of(new byte[10_000])))
                .isInstanceOf(UploadException.class)
                .hasMessageContaining("only 5 distinct servers").hasMessageContaining("shares.happy is 7");
        for (int i = 0; i < 5; i++) {
            try (var files = Files.walk(dir.resolve("server" + i).resolve("shares"))) {
                assertThat(files.filter(Files::isRegularFile)).isEmpty();
            }
        }
    }

    @Test
    void fullServersArePassedOverAndNamedWhenHappinessFails() throws Exception {
        List<GridServer> servers = grid(10, 4);
        ChkUploader happy7 = new ChkUploader(servers, EncodingParameters.DEFAULT, new byte[32], secrets);
        assertThatThrownBy(() -> happy7.upload(UploadSource.of(new byte[10_000])))
                .hasMessageContaining("only 6 distinct servers").hasMessageContaining("server0: refused")
                .hasMessageContaining("no room");
        ChkUploader happy5 = new ChkUploader(servers, new EncodingParameters(3, 5, 10, 1 << 20), new byte[32],
                secrets);
        byte[] data = new byte[10_000];
        new Random(6).nextBytes(data);
        ChkUploader.Result result = happy5.upload(UploadSource.of(data));
        assertThat(result.placement()).hasSize(10);
        Set<String> used = new HashSet<>(result.placement().values());
        assertThat(used).hasSize(6).doesNotContain("server0", "server1", "server2", "server3");
        assertThat(new ChkReader((ChkCap) result.cap(), storage(servers)).readAll()).isEqualTo(data);
    }
}
