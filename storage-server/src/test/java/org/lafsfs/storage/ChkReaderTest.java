package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lafsfs.core.Interop;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.immutable.ChkReader;
import org.lafsfs.core.immutable.DownloadException;
import org.lafsfs.core.immutable.ShareLayout;
import org.lafsfs.core.storage.HttpStorageClient;
import org.lafsfs.core.storage.Nurl;
import org.lafsfs.core.storage.StorageServer;

/**
 * Reading Tahoe-written immutable files from real storage servers serving the
 * storage directories of testdata/tahoe-1.20 (client-core's ChkReader over
 * this module's servers, which client-core's own tests cannot reach).
 */
class ChkReaderTest {
    @TempDir
    static Path grid;

    static ExecutorService executor;
    static List<String> nicknames = new ArrayList<>();

    @BeforeAll
    static void copyTheGrid() throws IOException {
        executor = Executors.newFixedThreadPool(8);
        for (JsonNode server : Interop.servers()) {
            String nickname = server.get("nickname").asText();
            nicknames.add(nickname);
            Interop.copyStorage(nickname, grid.resolve(nickname));
        }
    }

    @AfterAll
    static void stop() {
        executor.shutdownNow();
    }

    static StorageServer server(String nickname) throws IOException {
        StorageBackend backend = new StorageBackend(grid.resolve(nickname), new byte[20], 0, Clock.systemUTC());
        return new LocalStorageServer(backend, executor, nickname);
    }

    static List<StorageServer> allServers() throws IOException {
        List<StorageServer> servers = new ArrayList<>();
        for (String nickname : nicknames) {
            servers.add(server(nickname));
        }
        return servers;
    }


    @ParameterizedTest
    @MethodSource("org.lafsfs.core.Interop#chkFileNames")
    void everyTahoeFileReadsBackAsItsPlaintext(String name) throws Exception {
        JsonNode object = Interop.object(name);
        ChkReader reader = new ChkReader((ChkCap) Cap.parse(object.get("readcap").asText()), allServers());
        assertThat(reader.readAll()).isEqualTo(Interop.plaintext(object));
    }

    @Test
    void readsOverHttpsFromTenServers() throws Exception {
        List<HttpStorageServer> https = new ArrayList<>();
        try {
            List<StorageServer> clients = new ArrayList<>();
            for (String nickname : nicknames) {
                StorageBackend backend = new StorageBackend(grid.resolve(nickname), new byte[20], 0,
                        Clock.systemUTC());
                HttpStorageServer server = HttpStorageServer.start(backend, HttpStorageServerTest.IDENTITY,
                        "127.0.0.1", 0);
                https.add(server);
                clients.add(new HttpStorageClient(server.nurl()));
            }
            JsonNode object = Interop.object("imm128kseg-0400000");
            ChkReader reader = new ChkReader((ChkCap) Cap.parse(object.get("readcap").asText()), clients);
            assertThat(reader.readAll()).isEqualTo(Interop.plaintext(object));
        } finally {
            https.forEach(HttpStorageServer::close);
        }
    }

    @Test
    void aRangeFetchesOnlyTheSegmentsThatCoverIt() throws Exception {
        JsonNode object = Interop.object("imm128kseg-1048593"); // 9 segments of 131073 bytes
        ChkCap cap = (ChkCap) Cap.parse(object.get("readcap").asText());
        AtomicInteger dataReads = new AtomicInteger();
        ChkReader reader = new ChkReader(cap, counting(dataReads));
        byte[] plaintext = Interop.plaintext(object);
        byte[] range = reader.read(300_000, 20_000); // inside segment 2
        assertThat(range).isEqualTo(Arrays.copyOfRange(plaintext, 300_000, 320_000));
        assertThat(dataReads.get()).isEqualTo(3); // one block from each of k=3 shares
        assertThat(reader.read(262_000, 1_000)).isEqualTo(Arrays.copyOfRange(plaintext, 262_000, 263_000));
        assertThat(dataReads.get()).isEqualTo(9); // the range crosses from segment 1 into 2
        assertThat(reader.read(plaintext.length - 5, 100)).isEqualTo(Arrays.copyOfRange(plaintext,
                plaintext.length - 5, plaintext.length));
    }

    @Test
    void aSequentialReaderHasTheNextSegmentsDecodedAhead() throws Exception {
        JsonNode object = Interop.object("imm128kseg-1048593"); // 9 segments
        ChkCap cap = (ChkCap) Cap.parse(object.get("readcap").asText());
        AtomicInteger dataReads = new AtomicInteger();
        ChkReader reader = new ChkReader(cap, counting(dataReads));
        byte[] plaintext = Interop.plaintext(object);
        assertThat(reader.read(0, 1000)).isEqualTo(Arrays.copyOf(plaintext, 1000));
        assertThat(dataReads.get()).isEqualTo(3); // a first read is not yet a scan
        assertThat(reader.read(1000, 130_073)).isEqualTo(Arrays.copyOfRange(plaintext, 1000, 131_073));
        // Segment 0 was kept from the first read; the scan has segments 1..AHEAD fetched and decoded ahead
        // (blocks counted for segments 0..7: the tail segment's blocks are shorter).
        assertReadsSettleAt(dataReads, 3 * (1 + Math.min(7, ChkReader.AHEAD)));
        assertThat(reader.read(131_073, 131_073)).isEqualTo(Arrays.copyOfRange(plaintext, 131_073, 262_146));
        // Segment 1 came from the decode-ahead; the window moved on by one segment, if the file has one more.
        assertReadsSettleAt(dataReads, 3 * (1 + Math.min(7, 1 + ChkReader.AHEAD)));
        byte[] rest = reader.read(262_146, plaintext.length);
        assertThat(rest).isEqualTo(Arrays.copyOfRange(plaintext, 262_146, plaintext.length));
        assertReadsSettleAt(dataReads, 24); // every segment fetched once
    }

    @Test
    void readsFromManyThreadsAtOnceAreAllRight() throws Exception {
        JsonNode object = Interop.object("imm128kseg-1048593");
        ChkCap cap = (ChkCap) Cap.parse(object.get("readcap").asText());
        ChkReader reader = new ChkReader(cap, counting(new AtomicInteger()));
        byte[] plaintext = Interop.plaintext(object);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<?>> readers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                readers.add(pool.submit(() -> {
                    java.util.Random random = new java.util.Random(thread);
                    long at = thread % 2 == 0 ? 0 : random.nextInt(plaintext.length); // some scan, some jump
                    for (int i = 0; i < 40; i++) {
                        int length = 1 + random.nextInt(200_000);
                        byte[] got = reader.read(at, length);
                        int end = (int) Math.min(plaintext.length, at + length);
                        assertThat(got).isEqualTo(Arrays.copyOfRange(plaintext, (int) at, end));
                        at = thread % 2 == 0 && end < plaintext.length ? end : random.nextInt(plaintext.length);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : readers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits for the reader's fetches ahead to reach {@code expected}, and checks that they stop there. */
    private static void assertReadsSettleAt(AtomicInteger reads, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (reads.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(200); // time enough for a fetch too many to show
        assertThat(reads.get()).isEqualTo(expected);
    }

    @Test
    void sevenServersDownIsStillReadableAndEightIsAClearError() throws Exception {
        JsonNode object = Interop.object("imm-0131073");
        ChkCap cap = (ChkCap) Cap.parse(object.get("readcap").asText());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<StorageServer> servers = new ArrayList<>();
        for (int i = 0; i < nicknames.size(); i++) {
            servers.add(i < 7 ? new HttpStorageClient(new Nurl(new byte[32], List.of(new Nurl.HostPort("127.0.0.1",
                    port)), "gone"), "down" + i, java.time.Duration.ofSeconds(5)) : server(nicknames.get(i)));
        }
        assertThat(new ChkReader(cap, servers).readAll()).isEqualTo(Interop.plaintext(object));
        servers.set(7, servers.get(0));
        assertThatThrownBy(() -> new ChkReader(cap, servers).readAll()).isInstanceOf(DownloadException.class)
                .hasMessageContaining("usable shares of the 3 needed").hasMessageContaining("refused");
    }

    @Test
    void aCorruptBlockIsReportedAndAnotherShareUsed() throws Exception {
        JsonNode object = Interop.object("imm-1048593");
        ChkCap cap = (ChkCap) Cap.parse(object.get("readcap").asText());
        StorageIndex si = cap.storageIndex().orElseThrow();
        String holder = Interop.holder(object, 0);
        Path share = grid.resolve(holder).resolve("shares/" + si.prefix() + "/" + si + "/0");
        long inBlock0 = 12 + ShareLayout.V1_HEADER_SIZE + 1000;
        flip(share, inBlock0);
        try {
            assertThat(new ChkReader(cap, allServers()).readAll()).isEqualTo(Interop.plaintext(object));
            // The servers are shared by this class's tests: find this file's advisory among theirs.
            assertThat(advisories(holder)).anyMatch(text -> text.contains("storage index: " + si)
                    && text.contains("share number: 0") && text.contains("block 0 does not match its hash tree"));
        } finally {
            flip(share, inBlock0);
        }
    }

    @Test
    void aCorruptBlockInASegmentDecodedAheadIsReportedAndAnotherShareUsed() throws Exception {
        JsonNode object = Interop.object("imm128kseg-1048593"); // 9 segments, blocks of 43 691 bytes
        ChkCap cap = (ChkCap) Cap.parse(object.get("readcap").asText());
        StorageIndex si = cap.storageIndex().orElseThrow();
        String holder = Interop.holder(object, 0);
        Path share = grid.resolve(holder).resolve("shares/" + si.prefix() + "/" + si + "/0");
        long inBlock3 = 12 + ShareLayout.V1_HEADER_SIZE + 3 * 43_691 + 100;
        flip(share, inBlock3);
        try {
            ChkReader reader = new ChkReader(cap, allServers());
            byte[] plaintext = Interop.plaintext(object);
            for (int at = 0; at < plaintext.length; at += 32 * 1024) { // as an SFTP get reads
                int length = Math.min(32 * 1024, plaintext.length - at);
                assertThat(reader.read(at, length)).isEqualTo(Arrays.copyOfRange(plaintext, at, at + length));
            }
            assertThat(advisories(holder)).anyMatch(text -> text.contains("storage index: " + si)
                    && text.contains("share number: 0") && text.contains("block 3 does not match its hash tree"));
        } finally {
            flip(share, inBlock3);
        }
    }

    @Test
    void tooManyCorruptSharesIsAClearErrorEveryTimeItIsRead() throws Exception {
        JsonNode object = Interop.object("imm128kseg-1048593"); // blocks of 43 691 bytes
        ChkCap cap = (ChkCap) Cap.parse(object.get("readcap").asText());
        StorageIndex si = cap.storageIndex().orElseThrow();
        List<Path> corrupted = new ArrayList<>();
        for (int shnum = 0; shnum < 8; shnum++) { // two good shares left of the three needed
            Path share = grid.resolve(Interop.holder(object, shnum)).resolve("shares/" + si.prefix() + "/" + si
                    + "/" + shnum);
            flip(share, 12 + ShareLayout.V1_HEADER_SIZE + 100);
            corrupted.add(share);
        }
        try {
            ChkReader reader = new ChkReader(cap, allServers());
            // The second read, and one of another segment, find fewer than k shares in use: a share that
            // failed a check is not used again, and the error stays the same clear one.
            for (long at : new long[] {0, 0, 200_000}) {
                assertThatThrownBy(() -> reader.read(at, 1000)).isInstanceOf(DownloadException.class)
                        .hasMessageContaining("usable shares of the 3 needed");
            }
        } finally {
            for (Path share : corrupted) {
                flip(share, 12 + ShareLayout.V1_HEADER_SIZE + 100);
            }
        }
    }

    @Test
    void aCorruptCrypttextHashTreeIsReplacedByAnotherSharesCopy() throws Exception {
        JsonNode object = Interop.object("imm128kseg-1048593"); // 9 segments: a 31-node crypttext tree
        ChkCap cap = (ChkCap) Cap.parse(object.get("readcap").asText());
        StorageIndex si = cap.storageIndex().orElseThrow();
        String holder = Interop.holder(object, 0);
        Path share = grid.resolve(holder).resolve("shares/" + si.prefix() + "/" + si + "/0");
        byte[] data = Interop.immutableShareData(Files.readAllBytes(share));
        long node2 = 12 + ShareLayout.parse(data).crypttextHashTreeOffset() + 2 * 32; // needed for segment 0
        flip(share, node2);
        try {
            assertThat(new ChkReader(cap, allServers()).readAll()).isEqualTo(Interop.plaintext(object));
            assertThat(advisories(holder)).anyMatch(text -> text.contains("storage index: " + si)
                    && text.contains("crypttext hash tree"));
        } finally {
            flip(share, node2);
        }
    }

    /** The corruption advisories a server has written, as text. */
    private static List<String> advisories(String holder) throws IOException {
        List<String> texts = new ArrayList<>();
        try (Stream<Path> advice = Files.list(grid.resolve(holder).resolve("corruption-advisories"))) {
            for (Path p : advice.toList()) {
                texts.add(Files.readString(p));
            }
        }
        return texts;
    }

    private static void flip(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }
    }

    @Test
    void noServersIsAClearError() {
        ChkCap cap = (ChkCap) Cap.parse(Interop.object("imm-0001000").get("readcap").asText());
        assertThatThrownBy(() -> new ChkReader(cap, List.of()).readAll()).hasMessageContaining("no storage servers");
        assertThat(Base32.encode(cap.key())).hasSize(26);
    }

    static List<StorageServer> counting(AtomicInteger dataReads) throws IOException {
        List<StorageServer> counted = new ArrayList<>();
        for (StorageServer s : allServers()) {
            counted.add(new Counting(s, dataReads));
        }
        return counted;
    }

    /** A real server, counting the block reads made of it. */
    private record Counting(StorageServer inner, AtomicInteger dataReads) implements StorageServer {
        @Override
        public CompletableFuture<byte[]> readImmutable(StorageIndex si, int shnum, long offset, int length) {
            if (length == 131_073 / 3) { // a (non-tail) block of this file
                dataReads.incrementAndGet();
            }
            return inner.readImmutable(si, shnum, offset, length);
        }

        // Everything else passes straight through.
        public CompletableFuture<org.lafsfs.core.storage.ServerVersion> version() {
            return inner.version();
        }

        public CompletableFuture<org.lafsfs.core.storage.Allocation> allocateBuckets(StorageIndex si,
                org.lafsfs.core.storage.LeaseSecrets lease, byte[] secret, java.util.Set<Integer> shares, long size) {
            return inner.allocateBuckets(si, lease, secret, shares, size);
        }

        public CompletableFuture<org.lafsfs.core.storage.UploadProgress> writeImmutable(StorageIndex si, int shnum,
                byte[] secret, long offset, byte[] data) {
            return inner.writeImmutable(si, shnum, secret, offset, data);
        }

        public CompletableFuture<Void> abortImmutable(StorageIndex si, int shnum, byte[] secret) {
            return inner.abortImmutable(si, shnum, secret);
        }

        public CompletableFuture<java.util.Set<Integer>> listImmutableShares(StorageIndex si) {
            return inner.listImmutableShares(si);
        }

        public CompletableFuture<Void> adviseCorruptImmutable(StorageIndex si, int shnum, String reason) {
            return inner.adviseCorruptImmutable(si, shnum, reason);
        }

        public CompletableFuture<Void> addOrRenewLease(StorageIndex si, org.lafsfs.core.storage.LeaseSecrets lease) {
            return inner.addOrRenewLease(si, lease);
        }

        public CompletableFuture<org.lafsfs.core.storage.ReadTestWriteResult> readTestWrite(StorageIndex si,
                byte[] we, org.lafsfs.core.storage.LeaseSecrets lease,
                java.util.Map<Integer, org.lafsfs.core.storage.TestWriteVectors> v,
                List<org.lafsfs.core.storage.ReadVector> r) {
            return inner.readTestWrite(si, we, lease, v, r);
        }

        public CompletableFuture<java.util.Set<Integer>> listMutableShares(StorageIndex si) {
            return inner.listMutableShares(si);
        }

        public CompletableFuture<byte[]> readMutable(StorageIndex si, int shnum, long offset, int length) {
            return inner.readMutable(si, shnum, offset, length);
        }

        public CompletableFuture<Void> adviseCorruptMutable(StorageIndex si, int shnum, String reason) {
            return inner.adviseCorruptMutable(si, shnum, reason);
        }

        public String name() {
            return inner.name();
        }
    }
}
