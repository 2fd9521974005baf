package org.lafsfs.core.mutable;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.immutable.LayoutInvalidException;

/**
 * Where each field of a mutable share lies (Tahoe's mutable/layout.py). Both
 * formats hold the same fields, in different orders:
 * <pre>
 * SDMF: prefix(75) offsets(32)  pubkey signature share-hash-chain block-hash-tree share-data enc-privkey
 * MDMF: prefix(59) offsets(64)  enc-privkey share-hash-chain signature pubkey [gap] share-data block-hash-tree
 * </pre>
 * MDMF reserves room before the share data for the largest key, signature and
 * chain, so its blocks can be written before those are known; the gap reads as zeros.
 * SDMF share data is one block; MDMF share data is, per segment, a 16-byte salt then the block.
 */
public final class MutableShareLayout {
    public static final int SDMF_HEADER_LENGTH = 107;
    public static final int MDMF_HEADER_LENGTH = 123;
    /** Enough of any share to hold its header, keys, signature and share hash chain (Tahoe's mapupdate reads 4000). */
    public static final int MAPUPDATE_READ_LENGTH = 4000;
    static final int MDMF_RESERVED_PRIVKEY = 1220;
    static final int MDMF_RESERVED_SIGNATURE = 260;
    static final int MDMF_RESERVED_PUBKEY = 292;
    static final int MDMF_RESERVED_CHAIN = 34 * 8;
    private static final int CHAIN_ENTRY = 2 + 32;

    private final SignedPrefix prefix;
    private final long pubkey;
    private final long pubkeyEnd;
    private final long signature;
    private final long signatureEnd;
    private final long shareHashChain;
    private final long shareHashChainEnd;
    private final long blockHashTree;
    private final long blockHashTreeEnd;
    private final long shareData;
    private final long encPrivkey;
    private final long encPrivkeyEnd;
    private final long eof;

    private MutableShareLayout(SignedPrefix prefix, long pubkey, long pubkeyEnd, long signature, long signatureEnd,
            long shareHashChain, long shareHashChainEnd, long blockHashTree, long blockHashTreeEnd, long shareData,
            long encPrivkey, long encPrivkeyEnd, long eof) {
        this.prefix = prefix;
        this.pubkey = pubkey;
        this.pubkeyEnd = pubkeyEnd;
        this.signature = signature;
        this.signatureEnd = signatureEnd;
        this.shareHashChain = shareHashChain;
        this.shareHashChainEnd = shareHashChainEnd;
        this.blockHashTree = blockHashTree;
        this.blockHashTreeEnd = blockHashTreeEnd;
        this.shareData = shareData;
        this.encPrivkey = encPrivkey;
        this.encPrivkeyEnd = encPrivkeyEnd;
        this.eof = eof;
    }

    /** Reads the prefix and offset table from the first bytes of a share (at least its header length). */
    public static MutableShareLayout parse(byte[] start) throws LayoutInvalidException {
        SignedPrefix prefix = SignedPrefix.parse(start);
        ByteBuffer b = ByteBuffer.wrap(start);
        MutableShareLayout layout;
        if (prefix.format() == MutableFormat.SDMF) {
            need(start, SDMF_HEADER_LENGTH);
            b.position(75);
            long sig = b.getInt() & 0xffffffffL;
            long chain = b.getInt() & 0xffffffffL;
            long tree = b.getInt() & 0xffffffffL;
            long data = b.getInt() & 0xffffffffL;
            long priv = b.getLong();
            long end = b.getLong();
            layout = new MutableShareLayout(prefix, SDMF_HEADER_LENGTH, sig, sig, chain, chain, tree, tree, data, data,
                    priv, end, end);
            layout.ordered(SDMF_HEADER_LENGTH, sig, chain, tree, data, priv, end);
        } else {
            need(start, MDMF_HEADER_LENGTH);
            b.position(59);
            long priv = b.getLong();
            long chain = b.getLong();
            long sig = b.getLong();
            long vk = b.getLong();
            long vkEnd = b.getLong();
            long data = b.getLong();
            long tree = b.getLong();
            long end = b.getLong();
            layout = new MutableShareLayout(prefix, vk, vkEnd, sig, vk, chain, sig, tree, end, data, priv, chain, end);
            layout.ordered(MDMF_HEADER_LENGTH, priv, chain, sig, vk, vkEnd, data, tree, end);
        }
        layout.checkDataSize();
        return layout;
    }

    /** The layout Publish writes for a version whose fields have these sizes. */
    public static MutableShareLayout plan(SignedPrefix prefix, int pubkeyLength, int signatureLength,
            int chainEntries, int treeNodes, int encPrivkeyLength) {
        long chainLength = (long) chainEntries * CHAIN_ENTRY;
        long treeLength = treeNodes * 32L;
        long dataLength = dataSize(prefix);
        if (prefix.format() == MutableFormat.SDMF) {
            long sig = SDMF_HEADER_LENGTH + pubkeyLength;
            long chain = sig + signatureLength;
            long tree = chain + chainLength;
            long data = tree + treeLength;
            long priv = data + dataLength;
            long end = priv + encPrivkeyLength;
            return new MutableShareLayout(prefix, SDMF_HEADER_LENGTH, sig, sig, chain, chain, tree, tree, data, data,
                    priv, end, end);
        }
        long data = MDMF_HEADER_LENGTH + MDMF_RESERVED_PRIVKEY + MDMF_RESERVED_SIGNATURE + MDMF_RESERVED_PUBKEY
                + MDMF_RESERVED_CHAIN;
        long priv = MDMF_HEADER_LENGTH;
        long chain = priv + encPrivkeyLength;
        long sig = chain + chainLength;
        long vk = sig + signatureLength;
        long vkEnd = vk + pubkeyLength;
        if (vkEnd > data) { // only the sum is bounded: a 294-byte public key uses some of the key's spare room
            throw new IllegalArgumentException("key, signature and hash chain exceed the room MDMF reserves");
        }
        long tree = data + dataLength;
        long end = tree + treeLength;
        return new MutableShareLayout(prefix, vk, vkEnd, sig, vk, chain, sig, tree, end, data, priv, chain, end);
    }

    /** The header: signed prefix then offset table. */
    public byte[] header() {
        byte[] signed = prefix.bytes();
        if (prefix.format() == MutableFormat.SDMF) {
            return ByteBuffer.allocate(SDMF_HEADER_LENGTH).put(signed).putInt((int) signature)
                    .putInt((int) shareHashChain).putInt((int) blockHashTree).putInt((int) shareData)
                    .putLong(encPrivkey).putLong(eof).array();
        }
        return ByteBuffer.allocate(MDMF_HEADER_LENGTH).put(signed).putLong(encPrivkey).putLong(shareHashChain)
                .putLong(signature).putLong(pubkey).putLong(pubkeyEnd).putLong(shareData).putLong(blockHashTree)
                .putLong(eof).array();
    }

    private static long dataSize(SignedPrefix p) {
        int segments = p.segmentCount();
        if (p.format() == MutableFormat.SDMF) {
            return segments == 0 ? 0 : p.blockSize(0);
        }
        return segments == 0 ? 0
                : (long) (segments - 1) * (p.fullBlockSize() + SignedPrefix.SALT_LENGTH)
                        + SignedPrefix.SALT_LENGTH + p.blockSize(segments - 1);
    }

    private static void need(byte[] start, int length) throws LayoutInvalidException {
        if (start.length < length) {
            throw new LayoutInvalidException("mutable share too short for its header: " + start.length + " bytes");
        }
    }

    private void ordered(long... offsets) throws LayoutInvalidException {
        for (int i = 1; i < offsets.length; i++) {
            if (offsets[i] < offsets[i - 1]) {
                throw new LayoutInvalidException("mutable share offsets out of order: " + Arrays.toString(offsets));
            }
        }
    }

    private void checkDataSize() throws LayoutInvalidException {
        long room = prefix.format() == MutableFormat.SDMF ? encPrivkey - shareData : blockHashTree - shareData;
        if (room != dataSize(prefix)) {
            throw new LayoutInvalidException("mutable share data is " + room + " bytes, its header implies "
                    + dataSize(prefix));
        }
        if ((shareHashChainEnd - shareHashChain) % CHAIN_ENTRY != 0 || (blockHashTreeEnd - blockHashTree) % 32 != 0) {
            throw new LayoutInvalidException("mutable share hash fields have odd lengths");
        }
    }

    public SignedPrefix prefix() {
        return prefix;
    }

    public long eof() {
        return eof;
    }

    /** Where segment {@code i}'s block starts (for MDMF, after its salt). */
    public long blockOffset(int i) {
        if (prefix.format() == MutableFormat.SDMF) {
            return shareData;
        }
        return shareData + (long) i * (prefix.fullBlockSize() + SignedPrefix.SALT_LENGTH) + SignedPrefix.SALT_LENGTH;
    }

    /** MDMF: where segment {@code i}'s salt is. */
    public long saltOffset(int i) {
        return blockOffset(i) - SignedPrefix.SALT_LENGTH;
    }

    public Field pubkeyField() {
        return new Field(pubkey, pubkeyEnd);
    }

    public Field signatureField() {
        return new Field(signature, signatureEnd);
    }

    public Field shareHashChainField() {
        return new Field(shareHashChain, shareHashChainEnd);
    }

    public Field blockHashTreeField() {
        return new Field(blockHashTree, blockHashTreeEnd);
    }

    public Field encPrivkeyField() {
        return new Field(encPrivkey, encPrivkeyEnd);
    }

    /** A byte range of the share. */
    public record Field(long offset, long end) {
        public int length() {
            return (int) (end - offset);
        }

        /** This field's bytes, from a buffer that holds the share from {@code base} on. */
        public byte[] in(byte[] part, long base) throws LayoutInvalidException {
            long from = offset - base;
            if (from < 0 || from + length() > part.length) {
                throw new LayoutInvalidException("mutable share field [" + offset + ", " + end + ") is beyond the "
                        + (base + part.length) + " bytes read");
            }
            return Arrays.copyOfRange(part, (int) from, (int) from + length());
        }
    }

    /** Packs a share hash chain: (2-byte node number, 32-byte hash) in node order. */
    public static byte[] packChain(Map<Integer, byte[]> chain) {
        ByteBuffer b = ByteBuffer.allocate(chain.size() * CHAIN_ENTRY);
        new TreeMap<>(chain).forEach((node, hash) -> b.putShort((short) (int) node).put(hash));
        return b.array();
    }

    public static Map<Integer, byte[]> unpackChain(byte[] packed) throws LayoutInvalidException {
        if (packed.length % CHAIN_ENTRY != 0) {
            throw new LayoutInvalidException("share hash chain of " + packed.length + " bytes");
        }
        Map<Integer, byte[]> chain = new TreeMap<>();
        ByteBuffer b = ByteBuffer.wrap(packed);
        while (b.hasRemaining()) {
            int node = b.getShort() & 0xffff;
            byte[] hash = new byte[32];
            b.get(hash);
            chain.put(node, hash);
        }
        return chain;
    }

    public static byte[][] unpackTree(byte[] packed) {
        byte[][] nodes = new byte[packed.length / 32][];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = Arrays.copyOfRange(packed, i * 32, i * 32 + 32);
        }
        return nodes;
    }
}
