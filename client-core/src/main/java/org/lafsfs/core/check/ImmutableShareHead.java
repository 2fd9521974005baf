package org.lafsfs.core.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.lafsfs.core.cap.ChkVerifierCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.hashtree.BadHashException;
import org.lafsfs.core.hashtree.HashTree;
import org.lafsfs.core.hashtree.IncompleteHashTree;
import org.lafsfs.core.hashtree.NotEnoughHashesException;
import org.lafsfs.core.immutable.LayoutInvalidException;
import org.lafsfs.core.immutable.ShareLayout;
import org.lafsfs.core.immutable.UriExtension;

/**
 * Everything of an immutable share but its blocks, read from its server and
 * checked against the verify cap: the URI extension block against the cap's
 * hash, the share hash chain against the UEB's share root, and the stored
 * crypttext hash tree against the UEB's crypttext root. What is left to check
 * is the blocks against {@link #blockTree}, whose root the chain vouches for.
 */
final class ImmutableShareHead {
    /** Room for the URI extension block after its length prefix (Tahoe's are a few hundred bytes). */
    private static final int UEB_ROOM = 64 * 1024;

    final GridServer server;
    final int shnum;
    final ShareLayout layout;
    final UriExtension ueb;
    final int segmentSize;
    final int numSegments;
    final byte[][] blockTree;

    private ImmutableShareHead(GridServer server, int shnum, ShareLayout layout, UriExtension ueb, int segmentSize,
            int numSegments, byte[][] blockTree) {
        this.server = server;
        this.shnum = shnum;
        this.layout = layout;
        this.ueb = ueb;
        this.segmentSize = segmentSize;
        this.numSegments = numSegments;
        this.blockTree = blockTree;
    }

    /**
     * Reads and checks one share's head.
     *
     * @throws CorruptShareException if its bytes fail a check
     * @throws java.util.concurrent.CompletionException if its server fails to answer
     */
    static ImmutableShareHead read(GridServer server, ChkVerifierCap cap, int shnum) throws CorruptShareException {
        StorageIndex si = cap.storageIndex().orElseThrow();
        int n = cap.totalShares();
        if (shnum >= n) {
            throw new CorruptShareException("share number " + shnum + " is beyond N=" + n);
        }
        try {
            ShareLayout layout = ShareLayout.parse(
                    server.storage().readImmutable(si, shnum, 0, ShareLayout.MAX_HEADER_SIZE).join());
            long base = layout.crypttextHashTreeOffset();
            long length = layout.uriExtensionOffset() - base + layout.uriExtensionLengthSize() + UEB_ROOM;
            if (length > Integer.MAX_VALUE || length < 0) {
                throw new CorruptShareException("its offsets describe an impossible layout: " + layout);
            }
            byte[] part = server.storage().readImmutable(si, shnum, base, (int) length).join();
            byte[] uebBytes = layout.uriExtension(part, base);
            if (!Arrays.equals(Hashes.uriExtensionHash(uebBytes), cap.uriExtensionHash())) {
                throw new CorruptShareException("its URI extension block does not match the cap");
            }
            UriExtension ueb = UriExtension.parse(uebBytes);
            if (ueb.size() != cap.size() || ueb.neededShares() != cap.neededShares() || ueb.totalShares() != n) {
                throw new CorruptShareException("its URI extension block disagrees with the cap about size or"
                        + " encoding");
            }
            int segmentSize = (int) ueb.segmentSize();
            int numSegments = (int) ueb.numSegments();
            byte[][] blockTree = layout.blockHashTree(part, base);
            if (blockTree.length != new IncompleteHashTree(numSegments).size()) {
                throw new CorruptShareException("its block hash tree has " + blockTree.length + " nodes, not "
                        + new IncompleteHashTree(numSegments).size());
            }
            checkShareChain(ueb, n, shnum, layout.shareHashChain(part, base), blockTree[0]);
            checkCrypttextTree(ueb, numSegments, crypttextTree(part, layout));
            return new ImmutableShareHead(server, shnum, layout, ueb, segmentSize, numSegments, blockTree);
        } catch (LayoutInvalidException e) {
            throw new CorruptShareException(e.getMessage());
        }
    }

    /** The size of block {@code seg} (the tail segment is padded to a multiple of k). */
    int blockSize(int seg, long fileSize, int k) {
        if (seg < numSegments - 1) {
            return segmentSize / k;
        }
        long tail = fileSize - (long) (numSegments - 1) * segmentSize;
        return (int) ((tail + k - 1) / k);
    }

    long blockOffset(int seg, int k) {
        return layout.dataOffset() + (long) seg * (segmentSize / k);
    }

    private static void checkShareChain(UriExtension ueb, int n, int shnum, Map<Integer, byte[]> chain,
            byte[] blockRoot) throws CorruptShareException, LayoutInvalidException {
        IncompleteHashTree shareTree = new IncompleteHashTree(n);
        try {
            shareTree.setRoot(ueb.shareRootHash());
            shareTree.setHashes(chain, Map.of(shnum, blockRoot));
        } catch (BadHashException | NotEnoughHashesException e) {
            throw new CorruptShareException("its share hash chain does not lead to the share root: " + e.getMessage());
        }
    }

    private static byte[][] crypttextTree(byte[] part, ShareLayout layout) throws CorruptShareException {
        int bytes = (int) (layout.blockHashesOffset() - layout.crypttextHashTreeOffset());
        if (bytes % 32 != 0 || bytes > part.length) {
            throw new CorruptShareException("its crypttext hash tree is " + bytes + " bytes: not whole hashes");
        }
        byte[][] tree = new byte[bytes / 32][];
        for (int i = 0; i < tree.length; i++) {
            tree[i] = Arrays.copyOfRange(part, i * 32, i * 32 + 32);
        }
        return tree;
    }

    /** The stored tree must be the tree its own leaves make, with the root the UEB names. */
    private static void checkCrypttextTree(UriExtension ueb, int numSegments, byte[][] stored)
            throws CorruptShareException, LayoutInvalidException {
        IncompleteHashTree shape = new IncompleteHashTree(numSegments);
        if (stored.length != shape.size()) {
            throw new CorruptShareException("its crypttext hash tree has " + stored.length + " nodes, not "
                    + shape.size());
        }
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < numSegments; i++) {
            leaves.add(stored[shape.leafIndex(i)]);
        }
        HashTree rebuilt = new HashTree(leaves);
        for (int i = 0; i < stored.length; i++) {
            if (!Arrays.equals(stored[i], rebuilt.node(i))) {
                throw new CorruptShareException("crypttext hash tree node " + i + " does not match the nodes below it");
            }
        }
        if (!Arrays.equals(rebuilt.root(), ueb.crypttextRootHash())) {
            throw new CorruptShareException("its crypttext hash tree root is not the one in the URI extension block");
        }
    }
}
