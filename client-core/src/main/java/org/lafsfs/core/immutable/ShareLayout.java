package org.lafsfs.core.immutable;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import org.lafsfs.core.hashtree.HashTree;
import java.util.Map;

/**
 * Where things are inside one immutable share, from the share's header.
 *
 * <p>A share starts with a version number and a table of offsets: v1 uses
 * 4-byte fields and data starting at 0x24; v2 uses 8-byte fields (files over
 * about 12 GiB) and data at 0x44. After the header come the blocks, the unused
 * plaintext hash tree, the crypttext hash tree, the block hash tree, the share
 * hash chain (2-byte node number + 32-byte hash pairs) and the URI extension
 * block with its length prefix.
 */
public final class ShareLayout {
    public static final int V1_HEADER_SIZE = 0x24;
    public static final int V2_HEADER_SIZE = 0x44;
    /** Enough bytes to parse either header. */
    public static final int MAX_HEADER_SIZE = V2_HEADER_SIZE;
    private static final int HASH_SIZE = 32;

    private final int version;
    private final long blockSize;
    private final long dataSize;
    private final long dataOffset;
    private final long crypttextHashTreeOffset;
    private final long blockHashesOffset;
    private final long shareHashesOffset;
    private final long uriExtensionOffset;

    private ShareLayout(int version, long blockSize, long dataSize, long dataOffset, long crypttextHashTreeOffset,
            long blockHashesOffset, long shareHashesOffset, long uriExtensionOffset) {
        this.version = version;
        this.blockSize = blockSize;
        this.dataSize = dataSize;
        this.dataOffset = dataOffset;
        this.crypttextHashTreeOffset = crypttextHashTreeOffset;
        this.blockHashesOffset = blockHashesOffset;
        this.shareHashesOffset = shareHashesOffset;
        this.uriExtensionOffset = uriExtensionOffset;
    }

    /**
     * The layout of a share about to be written, exactly as Tahoe's uploader lays it out: the blocks, then
     * room for the (unused, zero-filled) plaintext hash tree, the crypttext hash tree and the block hash tree
     * (each a full tree over the segments padded to a power of two), the share hash chain and the URI
     * extension block. Version 1 (4-byte offsets) unless the share is too big for it.
     *
     * @param blockSize the size of every block but the tail's
     * @param dataSize the total of all blocks, tail included
     */
    public static ShareLayout forUpload(long blockSize, long dataSize, int numSegments, int numShareHashes,
            int uriExtensionSize) {
        long treeSize = segmentTreeSize(numSegments);
        long chainSize = (long) numShareHashes * (2 + HASH_SIZE);
        for (int version = 1; version <= 2; version++) {
            long data = version == 1 ? V1_HEADER_SIZE : V2_HEADER_SIZE;
            long plaintext = data + dataSize;
            long crypttext = plaintext + treeSize;
            long blocks = crypttext + treeSize;
            long shares = blocks + treeSize;
            long ueb = shares + chainSize;
            if (version == 2 || (blockSize < 1L << 32 && dataSize < 1L << 32 && ueb < 1L << 32)) {
                return new ShareLayout(version, blockSize, dataSize, data, crypttext, blocks, shares, ueb);
            }
        }
        throw new AssertionError("unreachable");
    }

    /** Bytes of one stored hash tree over {@code numSegments} leaves (padded to a power of two). */
    static long segmentTreeSize(int numSegments) {
        long leaves = 1;
        while (leaves < numSegments) {
            leaves *= 2;
        }
        return (2 * leaves - 1) * HASH_SIZE;
    }

    /** The total bytes a share with this layout occupies: what to allocate on a server. */
    public long shareSize(int uriExtensionSize) {
        return uriExtensionOffset + uriExtensionLengthSize() + uriExtensionSize;
    }

    /** The header: version, sizes and offsets (the plaintext hash tree offset is where the data ends). */
    public byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(headerSize());
        long plaintextHashTree = dataOffset + dataSize;
        long[] fields = {blockSize, dataSize, dataOffset, plaintextHashTree, crypttextHashTreeOffset,
            blockHashesOffset, shareHashesOffset, uriExtensionOffset};
        b.putInt(version);
        for (long f : fields) {
            if (version == 1) {
                b.putInt((int) f);
            } else {
                b.putLong(f);
            }
        }
        return b.array();
    }

    /**
     * Everything after the blocks: zeros for the unused plaintext hash tree, the crypttext hash tree, this
     * share's block hash tree, its share hash chain (node number and hash, in node order) and the length-
     * prefixed URI extension block.
     */
    public byte[] trailer(HashTree crypttextTree, HashTree blockTree, Map<Integer, byte[]> shareHashChain,
            byte[] uriExtension) {
        long plaintextHashTree = dataOffset + dataSize;
        ByteBuffer b = ByteBuffer.allocate((int) (shareSize(uriExtension.length) - plaintextHashTree));
        b.position((int) (crypttextHashTreeOffset - plaintextHashTree));
        for (int i = 0; i < crypttextTree.size(); i++) {
            b.put(crypttextTree.node(i));
        }
        for (int i = 0; i < blockTree.size(); i++) {
            b.put(blockTree.node(i));
        }
        for (Map.Entry<Integer, byte[]> e : new java.util.TreeMap<>(shareHashChain).entrySet()) {
            b.putShort((short) (int) e.getKey()).put(e.getValue());
        }
        if (version == 1) {
            b.putInt(uriExtension.length);
        } else {
            b.putLong(uriExtension.length);
        }
        b.put(uriExtension);
        if (b.hasRemaining()) {
            throw new IllegalStateException("share trailer is " + b.remaining() + " bytes short of its layout");
        }
        return b.array();
    }

    /**
     * Parses a share header.
     *
     * @throws LayoutInvalidException for an unknown version or offsets that are out of order
     */
    public static ShareLayout parse(byte[] header) throws LayoutInvalidException {
        ByteBuffer b = ByteBuffer.wrap(header);
        if (header.length < 4) {
            throw new LayoutInvalidException("share is " + header.length + " bytes, too short for a header");
        }
        int version = b.getInt();
        ShareLayout layout;
        if (version == 1) {
            requireHeader(header, V1_HEADER_SIZE);
            long[] f = new long[8];
            for (int i = 0; i < 8; i++) {
                f[i] = Integer.toUnsignedLong(b.getInt());
            }
            layout = new ShareLayout(1, f[0], f[1], f[2], f[4], f[5], f[6], f[7]);
        } else if (version == 2) {
            requireHeader(header, V2_HEADER_SIZE);
            long[] f = new long[8];
            for (int i = 0; i < 8; i++) {
                f[i] = b.getLong();
            }
            layout = new ShareLayout(2, f[0], f[1], f[2], f[4], f[5], f[6], f[7]);
        } else {
            throw new LayoutInvalidException("immutable share version " + Integer.toUnsignedString(version)
                    + " is not one this client reads (1 or 2)");
        }
        layout.checkOrder();
        return layout;
    }

    private static void requireHeader(byte[] header, int size) throws LayoutInvalidException {
        if (header.length < size) {
            throw new LayoutInvalidException("share is " + header.length + " bytes, shorter than its " + size
                    + "-byte header");
        }
    }

    private void checkOrder() throws LayoutInvalidException {
        long[] order = {headerSize(), dataOffset, crypttextHashTreeOffset, blockHashesOffset, shareHashesOffset,
            uriExtensionOffset};
        for (int i = 1; i < order.length; i++) {
            if (order[i] < order[i - 1]) {
                throw new LayoutInvalidException("share header offsets are out of order: " + this);
            }
        }
    }

    public int version() {
        return version;
    }

    public int headerSize() {
        return version == 1 ? V1_HEADER_SIZE : V2_HEADER_SIZE;
    }

    /** The size of the length prefix in front of the URI extension block. */
    public int uriExtensionLengthSize() {
        return version == 1 ? 4 : 8;
    }

    /** Informational only: readers do not rely on it (Tahoe stopped using it in 1.3). */
    public long blockSize() {
        return blockSize;
    }

    public long dataSize() {
        return dataSize;
    }

    public long dataOffset() {
        return dataOffset;
    }

    public long crypttextHashTreeOffset() {
        return crypttextHashTreeOffset;
    }

    public long blockHashesOffset() {
        return blockHashesOffset;
    }

    public long shareHashesOffset() {
        return shareHashesOffset;
    }

    public long uriExtensionOffset() {
        return uriExtensionOffset;
    }

    /** The crypttext hash tree as stored: every node, breadth first. */
    public byte[][] crypttextHashTree(byte[] share) throws LayoutInvalidException {
        return hashList(share, 0, crypttextHashTreeOffset, blockHashesOffset);
    }

    /** The block hash tree as stored: every node, breadth first. */
    public byte[][] blockHashTree(byte[] share) throws LayoutInvalidException {
        return blockHashTree(share, 0);
    }

    /** The same, from {@code part}: the share's bytes starting at share offset {@code base}. */
    public byte[][] blockHashTree(byte[] part, long base) throws LayoutInvalidException {
        return hashList(part, base, blockHashesOffset, shareHashesOffset);
    }

    /** The share hash chain: the share hash tree nodes this share carries, by node number. */
    public Map<Integer, byte[]> shareHashChain(byte[] share) throws LayoutInvalidException {
        return shareHashChain(share, 0);
    }

    /** The same, from the share's bytes starting at share offset {@code base}. */
    public Map<Integer, byte[]> shareHashChain(byte[] part, long base) throws LayoutInvalidException {
        long length = uriExtensionOffset - shareHashesOffset;
        if (length % (2 + HASH_SIZE) != 0) {
            throw new LayoutInvalidException("share hash chain of " + length + " bytes is not whole entries");
        }
        ByteBuffer b = slice(part, base, shareHashesOffset, length);
        Map<Integer, byte[]> chain = new LinkedHashMap<>();
        while (b.hasRemaining()) {
            int node = Short.toUnsignedInt(b.getShort());
            byte[] hash = new byte[HASH_SIZE];
            b.get(hash);
            chain.put(node, hash);
        }
        return chain;
    }

    /** The URI extension block's bytes (without the length prefix). */
    public byte[] uriExtension(byte[] share) throws LayoutInvalidException {
        return uriExtension(share, 0);
    }

    /** The same, from the share's bytes starting at share offset {@code base}. */
    public byte[] uriExtension(byte[] part, long base) throws LayoutInvalidException {
        ByteBuffer prefix = slice(part, base, uriExtensionOffset, uriExtensionLengthSize());
        long length = version == 1 ? Integer.toUnsignedLong(prefix.getInt()) : prefix.getLong();
        ByteBuffer ueb = slice(part, base, uriExtensionOffset + uriExtensionLengthSize(), length);
        byte[] out = new byte[ueb.remaining()];
        ueb.get(out);
        return out;
    }

    /** Block {@code segment} of this share, {@code blockSize} bytes starting at the data offset. */
    public byte[] block(byte[] share, int segment, int segmentBlockSize, long fullBlockSize)
            throws LayoutInvalidException {
        ByteBuffer b = slice(share, 0, dataOffset + segment * fullBlockSize, segmentBlockSize);
        byte[] out = new byte[segmentBlockSize];
        b.get(out);
        return out;
    }

    private static byte[][] hashList(byte[] part, long base, long from, long to) throws LayoutInvalidException {
        long length = to - from;
        if (length % HASH_SIZE != 0) {
            throw new LayoutInvalidException("hash list of " + length + " bytes is not whole hashes");
        }
        ByteBuffer b = slice(part, base, from, length);
        byte[][] hashes = new byte[(int) (length / HASH_SIZE)][HASH_SIZE];
        for (byte[] h : hashes) {
            b.get(h);
        }
        return hashes;
    }

    /** Bytes [offset, offset+length) of the share, from {@code part}, which holds the share from {@code base}. */
    private static ByteBuffer slice(byte[] part, long base, long offset, long length) throws LayoutInvalidException {
        long at = offset - base;
        if (at < 0 || length < 0 || at + length > part.length) {
            throw new LayoutInvalidException("share bytes [" + offset + ", " + (offset + length)
                    + ") are missing (the share ends early or its offsets are corrupt)");
        }
        return ByteBuffer.wrap(part, (int) at, (int) length).slice();
    }

    @Override
    public String toString() {
        return "ShareLayout[v" + version + " data=" + dataOffset + " crypttextHashTree=" + crypttextHashTreeOffset
                + " blockHashes=" + blockHashesOffset + " shareHashes=" + shareHashesOffset + " uriExtension="
                + uriExtensionOffset + "]";
    }
}
