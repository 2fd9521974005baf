package org.lafsfs.core.hashtree;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.lafsfs.core.crypto.HashTag;

/**
 * A complete Merkle tree over a list of leaf hashes, as Tahoe builds its block,
 * share and crypttext hash trees. Nodes are numbered breadth first from the
 * root (0); node i has children 2i+1 and 2i+2. The leaf row is padded to a
 * power of two (at least one) with {@code H("Merkle tree empty leaf", "<index>")}, and an
 * internal node is {@code H("Merkle tree internal node", left, right)}.
 */
public final class HashTree {
    private final byte[][] nodes;
    private final int firstLeaf;

    public HashTree(List<byte[]> leaves) {
        // An empty list makes a one-leaf tree of padding, as Tahoe's does (an empty mutable file has one).
        int width = roundUpToPowerOfTwo(leaves.size());
        this.firstLeaf = width - 1;
        this.nodes = new byte[2 * width - 1][];
        for (int i = 0; i < width; i++) {
            nodes[firstLeaf + i] = i < leaves.size() ? leaves.get(i).clone() : emptyLeafHash(i);
        }
        for (int i = firstLeaf - 1; i >= 0; i--) {
            nodes[i] = pairHash(nodes[2 * i + 1], nodes[2 * i + 2]);
        }
    }

    public byte[] root() {
        return nodes[0].clone();
    }

    /** Node {@code index} in breadth-first numbering. */
    public byte[] node(int index) {
        return nodes[index].clone();
    }

    /** The number of nodes (including padding leaves): what Tahoe stores as a block hash list. */
    public int size() {
        return nodes.length;
    }

    /**
     * The nodes someone holding the root needs to check leaf {@code leaf}: the
     * sibling of every node on its path to the root (and the leaf itself if asked).
     */
    public SortedSet<Integer> neededHashes(int leaf, boolean includeLeaf) {
        return neededFor(nodes.length, firstLeaf + checkLeaf(leaf), includeLeaf);
    }

    private int checkLeaf(int leaf) {
        if (leaf < 0 || firstLeaf + leaf >= nodes.length) {
            throw new IndexOutOfBoundsException("leaf " + leaf + " of a tree with " + (nodes.length - firstLeaf));
        }
        return leaf;
    }

    static SortedSet<Integer> neededFor(int treeSize, int node, boolean includeNode) {
        SortedSet<Integer> needed = new TreeSet<>();
        if (includeNode) {
            needed.add(node);
        }
        for (int here = node; here != 0; here = (here - 1) / 2) {
            needed.add(sibling(here));
        }
        return needed;
    }

    static int sibling(int node) {
        return node % 2 == 1 ? node + 1 : node - 1;
    }

    static int roundUpToPowerOfTwo(int n) {
        int p = 1;
        while (p < n) {
            p *= 2;
        }
        return p;
    }

    static byte[] emptyLeafHash(int index) {
        return HashTag.MERKLE_EMPTY_LEAF.hash(Integer.toString(index).getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] pairHash(byte[] left, byte[] right) {
        return HashTag.MERKLE_INTERNAL_NODE.pairHash(left, right);
    }
}
