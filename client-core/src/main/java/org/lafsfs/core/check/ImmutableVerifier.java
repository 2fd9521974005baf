package org.lafsfs.core.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.lafsfs.core.cap.ChkVerifierCap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.hashtree.HashTree;

/**
 * Verifies every share of an immutable file, as Tahoe's verifier does, with
 * only its verify cap: each share's head ({@link ImmutableShareHead}), then
 * every block against the share's block hash tree, whose every stored node
 * must be the one its leaves imply. Blocks are read one segment at a time
 * across all shares, so memory is one block per share. Corrupt shares are
 * reported to their servers (advise-corrupt); a server that fails to answer
 * makes its shares unverified, not corrupt.
 */
final class ImmutableVerifier {
    private final ChkVerifierCap cap;
    private final StorageIndex si;

    ImmutableVerifier(ChkVerifierCap cap) {
        this.cap = cap;
        this.si = cap.storageIndex().orElseThrow();
    }

    /** What verifying one share found: good, corrupt (with why), or unverifiable (with why). */
    record Verdict(GridServer server, int shnum, boolean good, boolean corrupt, String problem) {
    }

    List<Verdict> verify(Map<GridServer, Set<Integer>> listed) {
        List<Verdict> verdicts = new ArrayList<>();
        List<ImmutableShareHead> heads = new ArrayList<>();
        listed.forEach((server, shares) -> {
            for (int shnum : shares) {
                try {
                    heads.add(ImmutableShareHead.read(server, cap, shnum));
                } catch (CorruptShareException e) {
                    verdicts.add(corrupt(server, shnum, e.getMessage()));
                } catch (CompletionException e) {
                    verdicts.add(new Verdict(server, shnum, false, false, "could not be read: " + message(e)));
                }
            }
        });
        verdicts.addAll(checkBlocks(heads));
        return verdicts;
    }

    private List<Verdict> checkBlocks(List<ImmutableShareHead> heads) {
        List<Verdict> verdicts = new ArrayList<>();
        if (heads.isEmpty()) {
            return verdicts;
        }
        int k = cap.neededShares();
        int segments = heads.get(0).numSegments;
        Map<ImmutableShareHead, byte[][]> leaves = new LinkedHashMap<>();
        heads.forEach(h -> leaves.put(h, new byte[h.numSegments][]));
        for (int seg = 0; seg < segments && !leaves.isEmpty(); seg++) {
            Map<ImmutableShareHead, CompletableFuture<byte[]>> reads = new LinkedHashMap<>();
            for (ImmutableShareHead h : leaves.keySet()) {
                reads.put(h, h.server.storage().readImmutable(si, h.shnum, h.blockOffset(seg, k),
                        h.blockSize(seg, cap.size(), k)));
            }
            for (Map.Entry<ImmutableShareHead, CompletableFuture<byte[]>> read : reads.entrySet()) {
                ImmutableShareHead h = read.getKey();
                int expected = h.blockSize(seg, cap.size(), k);
                try {
                    byte[] block = read.getValue().join();
                    if (block.length != expected) {
                        verdicts.add(corrupt(h.server, h.shnum, "block " + seg + " is " + block.length
                                + " bytes, not " + expected + " (truncated)"));
                        leaves.remove(h);
                    } else {
                        leaves.get(h)[seg] = Hashes.blockHash(block);
                    }
                } catch (CompletionException e) {
                    verdicts.add(new Verdict(h.server, h.shnum, false, false, "block " + seg + " could not be read: "
                            + message(e)));
                    leaves.remove(h);
                }
            }
        }
        leaves.forEach((h, hashes) -> verdicts.add(checkTree(h, hashes)));
        return verdicts;
    }

    /** The share's stored block hash tree must be exactly the tree of the blocks read. */
    private Verdict checkTree(ImmutableShareHead h, byte[][] blockHashes) {
        HashTree tree = new HashTree(Arrays.asList(blockHashes));
        for (int seg = 0; seg < blockHashes.length; seg++) {
            int node = tree.size() / 2 + seg; // leaves follow the inner nodes
            if (!Arrays.equals(h.blockTree[node], blockHashes[seg])) {
                return corrupt(h.server, h.shnum, "block " + seg + " does not match its hash");
            }
        }
        for (int node = 0; node < tree.size(); node++) {
            if (!Arrays.equals(h.blockTree[node], tree.node(node))) {
                return corrupt(h.server, h.shnum, "block hash tree node " + node + " does not match the blocks");
            }
        }
        return new Verdict(h.server, h.shnum, true, false, null);
    }

    private Verdict corrupt(GridServer server, int shnum, String why) {
        server.storage().adviseCorruptImmutable(si, shnum, why).exceptionally(e -> null);
        return new Verdict(server, shnum, false, true, why);
    }

    private static String message(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
