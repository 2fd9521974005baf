package org.lafsfs.core.hashtree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.crypto.HashTag;

class HashTreeTest {

    private static List<byte[]> leaves(int count) {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            leaves.add(HashTag.BLOCK.hash(("block " + i).getBytes(StandardCharsets.US_ASCII)));
        }
        return leaves;
    }

    @Test
    void padsToAPowerOfTwoWithNumberedEmptyLeaves() {
        HashTree tree = new HashTree(leaves(5));
        assertThat(tree.size()).isEqualTo(15);
        assertThat(tree.node(7 + 5)).isEqualTo(HashTag.MERKLE_EMPTY_LEAF.hash("5".getBytes(StandardCharsets.US_ASCII)));
        assertThat(tree.node(0)).isEqualTo(HashTag.MERKLE_INTERNAL_NODE.pairHash(tree.node(1), tree.node(2)));
        assertThat(new HashTree(leaves(1)).root()).isEqualTo(leaves(1).get(0));
    }

    @Test
    void neededHashesAreTheSiblingsOnThePathToTheRoot() {
        HashTree tree = new HashTree(leaves(8));
        assertThat(tree.neededHashes(0, false)).containsExactly(2, 4, 8);
        assertThat(tree.neededHashes(5, true)).containsExactly(1, 6, 11, 12);
    }

    @Test
    void anIncompleteTreeAcceptsALeafWithItsChain() throws Exception {
        HashTree full = new HashTree(leaves(6));
        IncompleteHashTree partial = new IncompleteHashTree(6);
        partial.setRoot(full.root());
        assertThat(partial.neededHashes(3, false)).containsExactly(2, 3, 9);
        partial.setHashes(chain(full, partial.neededHashes(3, false)), Map.of(3, leaves(6).get(3)));
        assertThat(partial.node(partial.leafIndex(3))).isEqualTo(leaves(6).get(3));
        // Once the path is known, a neighbour needs only its own sibling.
        assertThat(partial.neededHashes(2, false)).isEmpty();
        partial.setHashes(Map.of(), Map.of(2, leaves(6).get(2)));
    }

    @Test
    void aWrongLeafIsRejectedAndLeavesNoTrace() throws Exception {
        HashTree full = new HashTree(leaves(6));
        IncompleteHashTree partial = new IncompleteHashTree(6);
        partial.setRoot(full.root());
        Map<Integer, byte[]> chain = chain(full, partial.neededHashes(3, false));
        assertThatThrownBy(() -> partial.setHashes(chain, Map.of(3, leaves(6).get(4))))
                .isInstanceOf(BadHashException.class);
        assertThat(partial.neededHashes(3, false)).containsExactly(2, 3, 9);
        assertThat(partial.node(partial.leafIndex(3))).isNull();
    }

    @Test
    void aCorruptChainHashIsRejected() throws Exception {
        HashTree full = new HashTree(leaves(4));
        IncompleteHashTree partial = new IncompleteHashTree(4);
        partial.setRoot(full.root());
        Map<Integer, byte[]> chain = chain(full, partial.neededHashes(0, false));
        chain.get(2)[0] ^= 1;
        assertThatThrownBy(() -> partial.setHashes(chain, Map.of(0, leaves(4).get(0))))
                .isInstanceOf(BadHashException.class).hasMessageContaining("parent node 0");
    }

    @Test
    void aMissingSiblingMeansNotEnoughHashes() throws Exception {
        HashTree full = new HashTree(leaves(4));
        IncompleteHashTree partial = new IncompleteHashTree(4);
        partial.setRoot(full.root());
        Map<Integer, byte[]> chain = chain(full, partial.neededHashes(0, false));
        chain.remove(4);
        assertThatThrownBy(() -> partial.setHashes(chain, Map.of(0, leaves(4).get(0))))
                .isInstanceOf(NotEnoughHashesException.class);
        assertThat(partial.neededHashes(0, false)).containsExactly(2, 4);
    }

    @Test
    void aRootThatContradictsTheKnownRootIsBad() throws Exception {
        IncompleteHashTree partial = new IncompleteHashTree(2);
        partial.setRoot(new HashTree(leaves(2)).root());
        assertThatThrownBy(() -> partial.setRoot(new HashTree(leaves(3)).root())).isInstanceOf(BadHashException.class);
    }

    private static Map<Integer, byte[]> chain(HashTree tree, Iterable<Integer> nodes) {
        Map<Integer, byte[]> chain = new HashMap<>();
        for (int i : nodes) {
            chain.put(i, tree.node(i));
        }
        return chain;
    }
}
