package org.lafsfs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.mutable.Mode;
import org.lafsfs.core.mutable.MutableEncoder;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.core.mutable.Publish;
import org.lafsfs.core.mutable.Servermap;
import org.lafsfs.core.mutable.SignedPrefix;
import org.lafsfs.core.mutable.UncoordinatedWriteException;

/** Publish's bookkeeping: what it may assume about servers, and what it does when the assumption is wrong. */
class PublishTest extends OnSimulatedGrid {
    @Override
    int servers() {
        return 20;
    }

    private static MutableEncoder.EncodedVersion version(MutableFileNode node, long seqnum, byte[] data) {
        return new MutableEncoder(node.keys(), 3, 10, data.length, new SecureRandom()).encode(seqnum, data);
    }

    @Test
    void sharesOnServersTheServermapNeverAskedAreSupersededNotTreatedAsConflicts() throws Exception {
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.SDMF, "v1".getBytes());
        Servermap partial = node.servermap(Mode.READ); // asks only k + epsilon servers
        assertThat(partial.serversAsked()).isLessThan(10);

        Map<Integer, List<String>> placed = new Publish(client, node.keys(), partial)
                .publish(version(node, 2, "v2".getBytes()));

        assertThat(placed).hasSize(10);
        Servermap everything = node.servermap(Mode.CHECK);
        assertThat(everything.versions()).hasSize(1);
        SignedPrefix only = everything.versions().keySet().iterator().next();
        assertThat(only.seqnum()).isEqualTo(2);
        assertThat(everything.shareNumbers(only)).hasSize(10);
        assertThat(new String(node.read())).isEqualTo("v2");
    }

    @Test
    void anotherWritersVersionIsDetectedAndLeftIntact() throws Exception {
        MutableFileNode mine = MutableFileNode.create(client, MutableFormat.MDMF, "v1".getBytes());
        Servermap map = mine.servermap(Mode.WRITE);
        MutableFileNode theirs = new MutableFileNode(grid.client(), mine.writeCap());
        theirs.overwrite("their v2".getBytes()); // lands between our servermap update and our publish

        assertThatThrownBy(() -> new Publish(client, mine.keys(), map).publish(version(mine, 2, "my v2".getBytes())))
                .isInstanceOf(UncoordinatedWriteException.class).hasMessageContaining("another writer");
        assertThat(new String(new MutableFileNode(grid.client(), mine.readCap()).read())).isEqualTo("their v2");
    }

    @Test
    void aRepeatedPublishFindsItsOwnSharesAndCallsThatSuccess() throws Exception {
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.SDMF, "v1".getBytes());
        Servermap before = node.servermap(Mode.WRITE);
        Servermap copy = node.servermap(Mode.WRITE);
        MutableEncoder.EncodedVersion v2 = version(node, 2, "v2".getBytes());
        new Publish(client, node.keys(), before).publish(v2);
        // The same version sent again with the old expectations (a retry whose first answers were lost):
        // every share already holds exactly it, which is not another writer.
        assertThat(new Publish(client, node.keys(), copy).publish(v2)).hasSize(10);
        assertThat(new String(node.read())).isEqualTo("v2");
    }

    @Test
    void aServerThatGoesAwayHasItsSharesPlacedElsewhere() throws Exception {
        MutableFileNode node = MutableFileNode.create(client, MutableFormat.MDMF, "v1".getBytes());
        Servermap map = node.servermap(Mode.WRITE);
        Servermap.Location holder = map.versions().values().iterator().next().get(0);
        ((SimulatedGrid.Server) holder.server().storage()).goDown();
        Map<Integer, List<String>> placed = new Publish(client, node.keys(), map)
                .publish(version(node, 2, "v2".getBytes()));
        assertThat(placed.get(holder.share().shnum())).doesNotContain(holder.server().name());
        assertThat(new String(new MutableFileNode(grid.client(), node.readCap()).read())).isEqualTo("v2");
    }
}
