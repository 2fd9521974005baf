package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lafsfs.core.cap.CapParser;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.mutable.Mode;
import org.lafsfs.core.mutable.MutableFileException;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.core.mutable.Servermap;

/** Mutable files on a grid of real in-process servers: create, read, overwrite, modify, write in place. */
class MutableFileTest extends OnSimulatedGrid {

    static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    @ParameterizedTest
    @EnumSource(MutableFormat.class)
    void aNewFileReadsBackThroughItsWriteAndReadCaps(MutableFormat format) throws Exception {
        byte[] data = random(300_000, 1);
        MutableFileNode node = MutableFileNode.create(client, format, data);
        assertThat(node.read()).isEqualTo(data);
        MutableFileNode reader = new MutableFileNode(grid.client(), CapParser.parse(node.readCap().uri()));
        assertThat(reader.read()).isEqualTo(data);
        assertThat(node.writeCap().uri()).startsWith(format == MutableFormat.SDMF ? "URI:SSK:" : "URI:MDMF:");
        Servermap map = node.servermap(Mode.CHECK);
        assertThat(map.shareNumbers(map.newestRecoverable().orElseThrow())).hasSize(10);
        assertThat(map.newestRecoverable().orElseThrow().seqnum()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(MutableFormat.class)
    void emptyFilesAndOverwritesKeepTheNewestVersion(MutableFormat format) throws Exception {
        MutableFileNode node = MutableFileNode.create(client, format, new byte[0]);
        assertThat(node.read()).isEmpty();
        node.overwrite("first".getBytes());
        node.overwrite("second, longer".getBytes());
        MutableFileNode other = new MutableFileNode(grid.client(), node.writeCap());
        assertThat(new String(other.read())).isEqualTo("second, longer");
        other.modify(old -> (new String(old) + " and more").getBytes());
        assertThat(new String(node.read())).isEqualTo("second, longer and more");
        assertThat(node.servermap(Mode.READ).newestRecoverable().orElseThrow().seqnum()).isEqualTo(4);
    }

    @Test
    void mdmfWritesInPlaceSendOnlyTheSegmentsTheyTouch() throws Exception {
        byte[] data = random(1_000_000, 2); // 8 segments of 128 KiB
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.MDMF, data);
        long before = grid.mutableBytesWritten();
        byte[] patch = random(1000, 3);
        node.write(400_000, patch);
        long sent = grid.mutableBytesWritten() - before;
        System.arraycopy(patch, 0, data, 400_000, patch.length);
        assertThat(new MutableFileNode(grid.client(), node.readCap()).read()).isEqualTo(data);
        // One segment's blocks (10 x 128 KiB / 3) plus hashes, keys and headers, not the 3.3 MB of a rewrite.
        assertThat(sent).isLessThan(600_000);

        byte[] tail = random(200_000, 4);
        node.write(data.length, tail); // append: the old tail segment and the new ones
        byte[] grown = Arrays.copyOf(data, data.length + tail.length);
        System.arraycopy(tail, 0, grown, data.length, tail.length);
        assertThat(node.read()).isEqualTo(grown);

        node.write(grown.length + 100, new byte[] {1}); // beyond the end: the gap reads as zeros
        assertThat(node.read()).hasSize(grown.length + 101);
        assertThat(Arrays.copyOfRange(node.read(), grown.length, grown.length + 100)).containsOnly(0);
    }

    @Test
    void aReadCapCannotWrite() throws Exception {
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.SDMF, "x".getBytes());
        MutableFileNode reader = new MutableFileNode(client, node.readCap());
        assertThatThrownBy(() -> reader.overwrite("y".getBytes())).isInstanceOf(MutableFileException.class)
                .hasMessageContaining("read-only");
        assertThat(node.read()).isEqualTo("x".getBytes());
    }

    @ParameterizedTest
    @EnumSource(MutableFormat.class)
    void corruptSharesAreSkippedAndReported(MutableFormat format) throws Exception {
        byte[] data = random(200_000, 5);
        MutableFileNode node = MutableFileNode.create(client, format, data);
        StorageIndex si = node.keys().storageIndex();
        int corrupted = 0;
        for (SimulatedGrid.Server s : grid.servers()) {
            for (int shnum : s.mutableShares(si)) {
                if (shnum < 5) { // the primary shares a reader tries first, and two more
                    s.corrupt(si, shnum, 5000); // inside the share data
                    corrupted++;
                }
            }
        }
        assertThat(corrupted).isEqualTo(5);
        var reader = new MutableFileNode(grid.client(), node.readCap()).reader();
        assertThat(reader.readAll()).isEqualTo(data);
        assertThat(reader.problems()).hasSize(5).allMatch(p -> p.contains("does not match"));
    }

    @Test
    void aSlowServerDelaysButDoesNotBreakReadsAndWrites() throws Exception {
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.MDMF, "v1".getBytes());
        grid.servers().get(0).slow(300);
        grid.servers().get(1).slow(300);
        node.overwrite("v2".getBytes());
        assertThat(new String(new MutableFileNode(grid.client(), node.readCap()).read())).isEqualTo("v2");
    }

    @Test
    void serversJoiningBetweenWritesAreUsedAndNothingIsLost() throws Exception {
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.SDMF, "v1".getBytes());
        grid.servers().get(3).beforeNextMutableWrite(() -> grid.addServers(5)); // they join mid-publish
        node.overwrite("v2".getBytes());
        Grid bigger = grid.client();
        assertThat(bigger.servers()).hasSize(15);
        MutableFileNode later = new MutableFileNode(bigger, node.writeCap());
        later.overwrite("v3".getBytes());
        assertThat(new String(later.read())).isEqualTo("v3");
        assertThat(later.servermap(Mode.CHECK).versions()).hasSize(1);
    }
}
