package org.lafsfs.core.immutable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.crypto.AesCtr;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.crypto.Sha256d;
import org.lafsfs.core.fec.Zfec;
import org.lafsfs.core.hashtree.HashTree;

/**
 * Turns a file's plaintext, one segment at a time, into Tahoe CHK shares: the
 * same crypttext, blocks, hash trees and URI extension block that Tahoe-LAFS
 * 1.20 makes from the same key and parameters, so the same cap results.
 *
 * <p>Feed it the plaintext with {@link #encodeSegment} in segment-size pieces
 * (the last one shorter); each call returns that segment's N blocks, ready to
 * send. Memory is one segment plus 64 bytes per segment per share of hashes.
 * {@link #finish} then gives each share's {@link ShareLayout#trailer trailer}
 * and the read cap. One encoder per file; {@link #encode} may run on several
 * threads at once, everything else on one.
 */
public final class ChkEncoder {
    private final byte[] key;
    private final int k;
    private final int n;
    private final long size;
    private final int segmentSize;
    private final int numSegments;
    private final int tailSize;
    private final int paddedTailSize;
    private final Zfec fec;
    private final Sha256d crypttextHasher = Hashes.crypttextHasher();
    private final List<byte[]> segmentHashes = new ArrayList<>();
    private final List<List<byte[]>> blockHashes = new ArrayList<>();
    private int segment;

    /**
     * @param segmentSize the segment size for this file: the maximum segment size clipped to the file size
     *     and rounded up to a multiple of k ({@link #segmentSizeFor})
     */
    public ChkEncoder(byte[] key, int k, int n, long size, int segmentSize) {
        if (size <= 0) {
            throw new IllegalArgumentException("a CHK file has at least one byte (smaller files are literal caps)");
        }
        if (segmentSize % k != 0) {
            throw new IllegalArgumentException("segment size " + segmentSize + " is not a multiple of k=" + k);
        }
        this.key = key.clone();
        this.k = k;
        this.n = n;
        this.size = size;
        this.segmentSize = segmentSize;
        this.numSegments = (int) ((size + segmentSize - 1) / segmentSize);
        long tail = size % segmentSize;
        this.tailSize = (int) (tail == 0 ? segmentSize : tail);
        this.paddedTailSize = (tailSize + k - 1) / k * k;
        this.fec = new Zfec(k, n);
        for (int i = 0; i < n; i++) {
            blockHashes.add(new ArrayList<>(numSegments));
        }
    }

    /** Tahoe's segment size for a file: min(maximum, file size), rounded up to a multiple of k. */
    public static int segmentSizeFor(long fileSize, long maxSegmentSize, int k) {
        long clipped = Math.min(maxSegmentSize, fileSize);
        return (int) ((clipped + k - 1) / k * k);
    }

    public int numSegments() {
        return numSegments;
    }

    public int segmentSize() {
        return segmentSize;
    }

    public long size() {
        return size;
    }

    /** The size of block {@code segment} in every share. */
    public int blockSize(int segment) {
        return (segment == numSegments - 1 ? paddedTailSize : segmentSize) / k;
    }

    /**
     * Encrypts and erasure-codes the next segment of plaintext (exactly the segment size, or the remainder
     * for the last one). The array is encrypted in place.
     *
     * @return block i of share i, for every share
     */
    public byte[][] encodeSegment(byte[] plaintext) {
        return accept(encode(segment, plaintext));
    }

    /** One segment encrypted and erasure-coded, with its hashes, waiting to be {@link #accept accepted}. */
    public record Encoded(int number, byte[] crypttext, byte[] segmentHash, byte[][] blocks, byte[][] blockHashes) {
    }

    /**
     * The expensive half of {@link #encodeSegment}, for segment {@code number}: AES-CTR at the segment's
     * offset, the segment hash, zfec and the block hashes. It touches no encoder state, so several segments
     * may be encoded at once on different threads; {@link #accept} then takes them in order. The array is
     * encrypted in place.
     */
    public Encoded encode(int number, byte[] plaintext) {
        if (number < 0 || number >= numSegments) {
            throw new IllegalStateException("segment " + number + " is not one of the " + numSegments
                    + " segments (all are already encoded?)");
        }
        int expected = number == numSegments - 1 ? tailSize : segmentSize;
        if (plaintext.length != expected) {
            throw new IllegalArgumentException("segment " + number + " must be " + expected + " bytes, not "
                    + plaintext.length);
        }
        AesCtr.at(key, (long) number * segmentSize).process(plaintext);
        byte[] segmentHash = Hashes.crypttextSegmentHash(plaintext);
        int blockSize = blockSize(number);
        byte[][] primary = new byte[k][blockSize];
        for (int i = 0; i < k; i++) { // the tail is zero-padded to a multiple of k
            int from = i * blockSize;
            if (from < plaintext.length) {
                System.arraycopy(plaintext, from, primary[i], 0, Math.min(blockSize, plaintext.length - from));
            }
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        byte[][] blocks = fec.encode(primary, all);
        byte[][] hashes = new byte[n][];
        for (int i = 0; i < n; i++) {
            hashes[i] = Hashes.blockHash(blocks[i]);
        }
        return new Encoded(number, plaintext, segmentHash, blocks, hashes);
    }

    /**
     * Takes the next segment's encoding into the file's hashes (the flat crypttext hash runs over the
     * segments in order, so this step is sequential and cheap).
     *
     * @return block i of share i, for every share
     */
    public byte[][] accept(Encoded encoded) {
        if (encoded.number() != segment) {
            throw new IllegalStateException("segment " + encoded.number() + " arrived where segment " + segment
                    + " was expected");
        }
        crypttextHasher.update(encoded.crypttext());
        segmentHashes.add(encoded.segmentHash());
        for (int i = 0; i < n; i++) {
            blockHashes.get(i).add(encoded.blockHashes()[i]);
        }
        segment++;
        return encoded.blocks();
    }

    /** What the encoder produces once every segment is in. */
    public record Result(ChkCap cap, UriExtension uriExtension, ShareLayout layout, List<byte[]> trailers) {
    }

    public Result finish() {
        if (segment != numSegments) {
            throw new IllegalStateException("only " + segment + " of " + numSegments + " segments were encoded");
        }
        HashTree crypttextTree = new HashTree(segmentHashes);
        List<HashTree> blockTrees = new ArrayList<>();
        List<byte[]> shareLeaves = new ArrayList<>();
        for (List<byte[]> hashes : blockHashes) {
            HashTree tree = new HashTree(hashes);
            blockTrees.add(tree);
            shareLeaves.add(tree.root());
        }
        HashTree shareTree = new HashTree(shareLeaves);

        UriExtension ueb = uriExtension(crypttextHasher.digest(), crypttextTree.root(), shareTree.root());
        byte[] uebBytes = ueb.pack();
        ShareLayout layout = layout(uebBytes.length);
        List<byte[]> trailers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<Integer, byte[]> chain = new TreeMap<>();
            for (int node : shareTree.neededHashes(i, true)) {
                chain.put(node, shareTree.node(node));
            }
            trailers.add(layout.trailer(crypttextTree, blockTrees.get(i), chain, uebBytes));
        }
        ChkCap cap = new ChkCap(key, Hashes.uriExtensionHash(uebBytes), k, n, size);
        return new Result(cap, ueb, layout, trailers);
    }

    private UriExtension uriExtension(byte[] crypttextHash, byte[] crypttextRoot, byte[] shareRoot) {
        Map<String, byte[]> fields = new HashMap<>();
        fields.put("codec_name", ascii("crs"));
        fields.put("codec_params", ascii(segmentSize + "-" + k + "-" + n));
        fields.put("tail_codec_params", ascii(paddedTailSize + "-" + k + "-" + n));
        fields.put("size", ascii(Long.toString(size)));
        fields.put("segment_size", ascii(Integer.toString(segmentSize)));
        fields.put("num_segments", ascii(Integer.toString(numSegments)));
        fields.put("needed_shares", ascii(Integer.toString(k)));
        fields.put("total_shares", ascii(Integer.toString(n)));
        fields.put("crypttext_hash", crypttextHash);
        fields.put("crypttext_root_hash", crypttextRoot);
        fields.put("share_root_hash", shareRoot);
        return new UriExtension(fields);
    }

    private ShareLayout layout(int uriExtensionSize) {
        long dataSize = (long) segmentSize / k * (numSegments - 1) + paddedTailSize / k;
        int chainLength = shareHashChainLength(n);
        return ShareLayout.forUpload(segmentSize / k, dataSize, numSegments, chainLength, uriExtensionSize);
    }

    /**
     * The layout every share will have, known before any data is encoded (hashes have fixed sizes), so that
     * space can be allocated on servers first.
     */
    public ShareLayout plannedLayout() {
        return layout(plannedUriExtensionSize());
    }

    /** The size the URI extension block will have (its hashes are fixed-size, so it is known up front). */
    public int plannedUriExtensionSize() {
        byte[] h = new byte[32];
        return uriExtension(h, h, h).pack().length;
    }

    /** Nodes in each share's hash chain: the share's own leaf plus one sibling per level of an n-leaf tree. */
    private static int shareHashChainLength(int n) {
        int width = 1;
        int levels = 0;
        while (width < n) {
            width *= 2;
            levels++;
        }
        return levels + 1;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
