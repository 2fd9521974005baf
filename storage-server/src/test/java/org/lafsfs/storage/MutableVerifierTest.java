package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.core.mutable.MutableShareLayout;
import org.lafsfs.core.mutable.MutableVerifier;
import org.lafsfs.core.mutable.MutableVerifier.Report;
import org.lafsfs.core.mutable.MutableVerifier.ShareReport;

/**
 * Verifying mutable files on a grid of real in-process servers: a healthy file
 * verifies clean through its write and read caps, and each kind of damage
 * (a flipped block byte, a broken signature, a bad inner hash-tree node, a
 * truncated share, a stale share of an older version) is reported against
 * exactly the share that has it.
 */
class MutableVerifierTest extends OnSimulatedGrid {
    /** 300 000 bytes: MDMF makes three segments of it, SDMF one. */
    static final int SIZE = 300_000;


    static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    @ParameterizedTest
    @EnumSource(MutableFormat.class)
    void aHealthyFileVerifiesCleanThroughBothCaps(MutableFormat format) throws Exception {
        MutableFileNode node = MutableFileNode.create(client, format, random(SIZE, 1));
        for (var cap : List.of(node.writeCap(), node.readCap())) {
            Report report = new MutableVerifier(grid.client(), cap).verify();
            assertThat(report.problems()).as(report.toString()).isEmpty();
            assertThat(report.healthy()).isTrue();
            assertThat(report.newestHealthy()).isTrue();
            assertThat(report.recoverable()).isTrue();
            assertThat(report.versions()).hasSize(1);
            assertThat(report.unattributed()).isEmpty();
            var version = report.versions().get(0);
            assertThat(version.version().seqnum()).isEqualTo(1);
            assertThat(version.version().segmentCount()).isEqualTo(format == MutableFormat.MDMF ? 3 : 1);
            assertThat(version.goodShareNumbers()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            assertThat(version.goodSharePlacement()).hasSize(10).allSatisfy((shnum, servers) -> {
                assertThat(servers).hasSize(1);
                assertThat(grid.servers().stream().filter(s -> s.name().equals(servers.get(0))).findFirst()
                        .orElseThrow().mutableShares(node.keys().storageIndex())).contains(shnum);
            });
        }
        assertThat(advisories()).isEmpty();
    }

    @Test
    void anEmptyFileVerifiesClean() throws Exception {
        for (MutableFormat format : MutableFormat.values()) {
            MutableFileNode node = MutableFileNode.create(client, format, new byte[0]);
            Report report = new MutableVerifier(client, node.writeCap()).verify();
            assertThat(report.healthy()).as(report.toString()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(MutableFormat.class)
    void aCorruptBlockIsReportedAgainstThatShareOnly(MutableFormat format) throws Exception {
        MutableFileNode node = MutableFileNode.create(client, format, random(SIZE, 2));
        StorageIndex si = node.keys().storageIndex();
        SimulatedGrid.Server holder = holderOf(si, 4);
        MutableShareLayout layout = layout(holder, si, 4);
        int segment = format == MutableFormat.MDMF ? 2 : 0;
        holder.corrupt(si, 4, layout.blockOffset(segment) + 77);

        Report report = new MutableVerifier(client, node.writeCap()).verify();

        assertOnlyBad(report, holder, 4, "block " + segment + " does not match its hash");
        assertThat(advisories()).containsExactly(holder.name());
    }

    @ParameterizedTest
    @EnumSource(MutableFormat.class)
    void aCorruptSaltOrLastBlockByteIsFoundToo(MutableFormat format) throws Exception {
        MutableFileNode node = MutableFileNode.create(client, format, random(SIZE, 3));
        StorageIndex si = node.keys().storageIndex();
        SimulatedGrid.Server holder = holderOf(si, 9);
        MutableShareLayout layout = layout(holder, si, 9);
        // MDMF: the salt of segment 1 (hashed with its block); SDMF: the very last byte of the block.
        long at = format == MutableFormat.MDMF ? layout.saltOffset(1) + 3
                : layout.blockOffset(0) + layout.prefix().blockSize(0) - 1;
        holder.corrupt(si, 9, at);

        Report report = new MutableVerifier(client, node.readCap()).verify();

        assertOnlyBad(report, holder, 9, "block " + (format == MutableFormat.MDMF ? 1 : 0) + " does not match");
    }

    @ParameterizedTest
    @EnumSource(MutableFormat.class)
    void aCorruptSignatureIsReportedAgainstThatShareOnly(MutableFormat format) throws Exception {
        MutableFileNode node = MutableFileNode.create(client, format, random(SIZE, 4));
        StorageIndex si = node.keys().storageIndex();
        SimulatedGrid.Server holder = holderOf(si, 0);
        holder.corrupt(si, 0, layout(holder, si, 0).signatureField().offset() + 100);

        Report report = new MutableVerifier(client, node.writeCap()).verify();

        assertOnlyBad(report, holder, 0, "bad signature");
        assertThat(advisories()).containsExactly(holder.name());
    }

    @ParameterizedTest
    @EnumSource(MutableFormat.class)
    void aCorruptEncryptedPrivateKeyIsFoundThroughTheWriteCapOnly(MutableFormat format) throws Exception {
        MutableFileNode node = MutableFileNode.create(client, format, random(SIZE, 12));
        StorageIndex si = node.keys().storageIndex();
        SimulatedGrid.Server holder = holderOf(si, 8);
        holder.corrupt(si, 8, layout(holder, si, 8).encPrivkeyField().offset() + 40);

        assertOnlyBad(new MutableVerifier(client, node.writeCap()).verify(), holder, 8, "encrypted private key");
        // A reader cannot decrypt the key, so to it the share is good.
        assertThat(new MutableVerifier(client, node.readCap()).verify().healthy()).isTrue();
    }

    @Test
    void aCorruptInnerNodeOfTheBlockHashTreeIsFound() throws Exception {
        // Retrieve recomputes the root from the leaves alone; a verifier must also check the stored inner nodes.
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.MDMF, random(SIZE, 5));
        StorageIndex si = node.keys().storageIndex();
        SimulatedGrid.Server holder = holderOf(si, 6);
        holder.corrupt(si, 6, layout(holder, si, 6).blockHashTreeField().offset() + 32 + 5); // node 1

        Report report = new MutableVerifier(client, node.writeCap()).verify();

        assertOnlyBad(report, holder, 6, "block hash tree node 1");
    }

    @ParameterizedTest
    @EnumSource(MutableFormat.class)
    void aTruncatedShareIsReportedAgainstThatShareOnly(MutableFormat format) throws Exception {
        MutableFileNode node = MutableFileNode.create(client, format, random(SIZE, 6));
        StorageIndex si = node.keys().storageIndex();
        SimulatedGrid.Server holder = holderOf(si, 7);
        MutableShareLayout layout = layout(holder, si, 7);
        truncate(holder, si, 7, layout.eof() - 1); // just the last byte gone

        Report report = new MutableVerifier(client, node.writeCap()).verify();

        assertOnlyBad(report, holder, 7, "shorter than its EOF offset " + layout.eof());

        // Cut inside the share data: the blocks past the cut are missing too.
        SimulatedGrid.Server other = holderOf(si, 2);
        truncate(other, si, 2, layout(other, si, 2).blockOffset(0) + 1000);
        Report again = new MutableVerifier(client, node.readCap()).verify();
        assertThat(again.badShares()).extracting(ShareReport::shnum).containsExactlyInAnyOrder(7, 2);
        ShareReport cut = again.badShares().stream().filter(s -> s.shnum() == 2).findFirst().orElseThrow();
        assertThat(cut.serverName()).isEqualTo(other.name());
        assertThat(String.join("\n", cut.problems())).contains("shorter than its EOF offset");
        assertThat(again.newestRecoverable().orElseThrow().goodShareNumbers()).hasSize(8);
    }

    @Test
    void aStaleShareOfAnOlderVersionIsNotHealthyButTheNewestIs() throws Exception {
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.SDMF, random(1000, 7));
        StorageIndex si = node.keys().storageIndex();
        SimulatedGrid.Server away = holderOf(si, 3);
        away.goDown();
        node.overwrite(random(1000, 8)); // share 3 goes to another server
        away.comeBack();

        Report report = new MutableVerifier(client, node.writeCap()).verify();

        assertThat(report.versions()).hasSize(2);
        assertThat(report.newest().orElseThrow().version().seqnum()).isEqualTo(2);
        assertThat(report.newestHealthy()).isTrue();
        assertThat(report.badShares()).isEmpty();
        assertThat(report.healthy()).as("an old version is left").isFalse();
        var old = report.versions().get(1);
        assertThat(old.version().seqnum()).isEqualTo(1);
        assertThat(old.goodShares()).singleElement().satisfies(s -> {
            assertThat(s.serverName()).isEqualTo(away.name());
            assertThat(s.shnum()).isEqualTo(3);
        });
        assertThat(old.recoverable()).isFalse();
    }

    @Test
    void aServerThatIsDownIsNamedAndItsSharesAreMissing() throws Exception {
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.MDMF, random(SIZE, 9));
        SimulatedGrid.Server down = holderOf(node.keys().storageIndex(), 5);
        down.goDown();

        Report report = new MutableVerifier(client, node.writeCap()).verify();

        assertThat(report.serverErrors()).singleElement().asString().contains(down.name());
        assertThat(report.badShares()).isEmpty();
        assertThat(report.recoverable()).isTrue();
        assertThat(report.newestHealthy()).isFalse();
        assertThat(report.newest().orElseThrow().goodShareNumbers()).doesNotContain(5).hasSize(9);
    }

    @Test
    void aShareOfAnotherFileInItsPlaceBelongsToNoVersion() throws Exception {
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.MDMF, random(SIZE, 10));
        MutableFileNode stranger = MutableFileNode.create(client, MutableFormat.MDMF, random(SIZE, 11));
        StorageIndex si = node.keys().storageIndex();
        SimulatedGrid.Server holder = holderOf(si, 1);
        Files.copy(sharePath(holderOf(stranger.keys().storageIndex(), 1), stranger.keys().storageIndex(), 1),
                sharePath(holder, si, 1), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        Report report = new MutableVerifier(client, node.readCap()).verify();

        assertThat(report.versions()).hasSize(1);
        assertThat(report.versions().get(0).goodShareNumbers()).hasSize(9).doesNotContain(1);
        assertThat(report.unattributed()).singleElement().satisfies(s -> {
            assertThat(s.serverName()).isEqualTo(holder.name());
            assertThat(s.shnum()).isEqualTo(1);
            assertThat(s.problems()).singleElement().asString().contains("public key does not match");
        });
        assertThat(report.badShares()).hasSize(1);
        assertThat(report.recoverable()).isTrue();
        assertThat(report.healthy()).isFalse();
    }

    // ---- helpers ----

    private static Path sharePath(SimulatedGrid.Server server, StorageIndex si, int shnum) {
        return server.backend().storageDir().resolve("shares").resolve(si.prefix()).resolve(si.toString())
                .resolve(Integer.toString(shnum));
    }

    private void assertOnlyBad(Report report, SimulatedGrid.Server holder, int shnum, String problem) {
        assertThat(report.badShares()).as(report.toString()).singleElement().satisfies(bad -> {
            assertThat(bad.serverName()).isEqualTo(holder.name());
            assertThat(bad.shnum()).isEqualTo(shnum);
            assertThat(String.join("\n", bad.problems())).contains(problem);
        });
        assertThat(report.problems()).allMatch(p -> p.startsWith(holder.name() + " sh" + shnum + ": "));
        assertThat(report.versions()).hasSize(1);
        var version = report.versions().get(0);
        assertThat(version.shares()).hasSize(10);
        assertThat(version.goodShareNumbers()).hasSize(9).doesNotContain(shnum);
        assertThat(report.recoverable()).isTrue();
        assertThat(report.newestHealthy()).isFalse();
        assertThat(report.healthy()).isFalse();
    }

    private SimulatedGrid.Server holderOf(StorageIndex si, int shnum) {
        return grid.servers().stream().filter(s -> s.mutableShares(si).contains(shnum)).findFirst().orElseThrow();
    }

    private static MutableShareLayout layout(SimulatedGrid.Server server, StorageIndex si, int shnum)
            throws Exception {
        return MutableShareLayout.parse(server.backend().readMutable(si, shnum, 0,
                MutableShareLayout.MAPUPDATE_READ_LENGTH));
    }

    /** Shortens a share's data as it lies on disk (the container's data-length field). */
    private static void truncate(SimulatedGrid.Server server, StorageIndex si, int shnum, long length)
            throws IOException {
        Path file = sharePath(server, si, shnum);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).putLong(length).flip(), 84);
        }
    }

    /** The servers that were told of a corrupt share (their corruption-advisories directories). */
    private List<String> advisories() throws IOException {
        grid.close(); // let the asynchronous advice land
        List<String> told = new java.util.ArrayList<>();
        for (SimulatedGrid.Server s : grid.servers()) {
            Path advice = s.backend().storageDir().resolve("corruption-advisories");
            if (Files.isDirectory(advice)) {
                try (Stream<Path> files = Files.list(advice)) {
                    if (files.findAny().isPresent()) {
                        told.add(s.name());
                    }
                }
            }
        }
        return told;
    }
}
