package org.lafsfs.core.hashtree;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.lafsfs.core.codec.Base32;

/**
 * A hash tree filled in piece by piece from an untrusted source, checked
 * against a root hash from a trusted one. This is how a downloader verifies
 * blocks: set the root (from the URI extension block), ask
 * {@link #neededHashes} which nodes to fetch with a block, and hand them over
 * with the block's hash to {@link #setHashes}. Either all of them fit the tree
 * and are kept, or none are and an exception says why. Not thread-safe.
 */
public final class IncompleteHashTree {
    private final byte[][] nodes;
    private final int firstLeaf;
    private final int leafCount;

    public IncompleteHashTree(int leafCount) {
        if (leafCount < 1) {
            throw new IllegalArgumentException("a hash tree needs at least one leaf");
        }
        int width = HashTree.roundUpToPowerOfTwo(leafCount);
        this.leafCount = leafCount;
        this.firstLeaf = width - 1;
        this.nodes = new byte[2 * width - 1][];
    }

    public int leafCount() {
        return leafCount;
    }

    /** The number of nodes, padding leaves included. */
    public int size() {
        return nodes.length;
    }

    /** The node index of leaf {@code leaf}. */
    public int leafIndex(int leaf) {
        if (leaf < 0 || leaf >= nodes.length - firstLeaf) {
            throw new IndexOutOfBoundsException("leaf " + leaf + " of a tree with " + (nodes.length - firstLeaf));
        }
        return firstLeaf + leaf;
    }

    /** A known node, or null. */
    public byte[] node(int index) {
        return nodes[index] == null ? null : nodes[index].clone();
    }

    /** Like {@link HashTree#neededHashes}, minus the nodes already known. */
    public SortedSet<Integer> neededHashes(int leaf, boolean includeLeaf) {
        SortedSet<Integer> needed = new TreeSet<>();
        for (int i : HashTree.neededFor(nodes.length, leafIndex(leaf), includeLeaf)) {
            if (nodes[i] == null) {
                needed.add(i);
            }
        }
        return needed;
    }

    /** Sets the root, which must come from a trusted source; equivalent to {@code setHashes(Map.of(0, root), Map.of())}. */
    public void setRoot(byte[] root) throws BadHashException, NotEnoughHashesException {
        setHashes(Map.of(0, root), Map.of());
    }

    /**
     * Adds nodes (by node index) and leaves (by leaf number), checking that each
     * agrees with what is known and that every new node hashes up to a known
     * ancestor. On any failure the tree is left exactly as it was.
     *
     * @throws BadHashException if a new hash contradicts the tree
     * @throws NotEnoughHashesException if a new hash cannot be checked because its sibling is missing
     */
    public void setHashes(Map<Integer, byte[]> hashes, Map<Integer, byte[]> leaves)
            throws BadHashException, NotEnoughHashesException {
        Map<Integer, byte[]> incoming = new HashMap<>(hashes);
        for (Map.Entry<Integer, byte[]> leaf : leaves.entrySet()) {
            int index = leafIndex(leaf.getKey());
            byte[] other = incoming.get(index);
            if (other != null && !MessageDigest.isEqual(other, leaf.getValue())) {
                throw new BadHashException("leaf " + leaf.getKey() + " and node " + index + " were given different hashes");
            }
            incoming.put(index, leaf.getValue());
        }
        List<Integer> added = new ArrayList<>();
        try {
            // Work level by level from the deepest, so each new node is checked against its parent.
            List<TreeSet<Integer>> levels = new ArrayList<>();
            for (int d = 0; d <= depth(nodes.length - 1); d++) {
                levels.add(new TreeSet<>());
            }
            for (Map.Entry<Integer, byte[]> e : incoming.entrySet()) {
                int i = e.getKey();
                if (i < 0 || i >= nodes.length) {
                    throw new BadHashException("node " + i + " is outside a tree of " + nodes.length + " nodes");
                }
                if (nodes[i] != null) {
                    if (!MessageDigest.isEqual(nodes[i], e.getValue())) {
                        throw new BadHashException("new hash " + Base32.encode(e.getValue())
                                + " contradicts the known hash of " + name(i));
                    }
                } else {
                    nodes[i] = e.getValue().clone();
                    added.add(i);
                    levels.get(depth(i)).add(i);
                }
            }
            for (int level = levels.size() - 1; level > 0; level--) {
                TreeSet<Integer> pending = levels.get(level);
                while (!pending.isEmpty()) {
                    int i = pending.pollFirst();
                    int sibling = HashTree.sibling(i);
                    if (nodes[sibling] == null) {
                        throw new NotEnoughHashesException("cannot check " + name(i) + " without node " + sibling);
                    }
                    pending.remove(sibling);
                    int parent = (i - 1) / 2;
                    int left = Math.min(i, sibling);
                    byte[] computed = HashTree.pairHash(nodes[left], nodes[left + 1]);
                    if (nodes[parent] != null) {
                        if (!MessageDigest.isEqual(nodes[parent], computed)) {
                            throw new BadHashException("nodes " + left + " and " + (left + 1)
                                    + " do not hash to their parent " + name(parent));
                        }
                    } else {
                        nodes[parent] = computed;
                        added.add(parent);
                        levels.get(level - 1).add(parent);
                    }
                }
            }
        } catch (BadHashException | NotEnoughHashesException e) {
            for (int i : added) {
                nodes[i] = null;
            }
            throw e;
        }
    }

    private String name(int i) {
        String name = "node " + i + " of " + nodes.length;
        return i >= firstLeaf ? name + " (leaf " + (i - firstLeaf) + ")" : name;
    }

    private static int depth(int node) {
        return 31 - Integer.numberOfLeadingZeros(node + 1);
    }
}
