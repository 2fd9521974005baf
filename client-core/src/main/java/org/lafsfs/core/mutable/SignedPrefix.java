package org.lafsfs.core.mutable;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.immutable.LayoutInvalidException;

/**
 * One version of a mutable file, as its shares' signed header states it:
 * sequence number, share-hash-tree root, (SDMF) the salt, encoding parameters
 * and length. Two shares belong to the same version exactly when their signed
 * prefixes are equal, which is what Tahoe's "verinfo" compares.
 */
public final class SignedPrefix implements Comparable<SignedPrefix> {
    public static final int SALT_LENGTH = 16;
    /** The longest checkstring (SDMF's): what a read vector asks for to learn a share's version. */
    public static final int MAX_CHECKSTRING_LENGTH = 57;

    private final MutableFormat format;
    private final long seqnum;
    private final byte[] rootHash;
    private final byte[] salt;
    private final int k;
    private final int n;
    private final long segmentSize;
    private final long dataLength;

    public SignedPrefix(MutableFormat format, long seqnum, byte[] rootHash, byte[] salt, int k, int n,
            long segmentSize, long dataLength) {
        if (rootHash.length != 32) {
            throw new IllegalArgumentException("a root hash is 32 bytes");
        }
        if ((format == MutableFormat.SDMF) != (salt != null) || (salt != null && salt.length != SALT_LENGTH)) {
            throw new IllegalArgumentException("SDMF prefixes carry a 16-byte salt, MDMF ones none");
        }
        if (k < 1 || n < k || n > 255 || segmentSize < 0 || dataLength < 0 || segmentSize % k != 0) {
            throw new IllegalArgumentException("bad encoding parameters k=" + k + " n=" + n + " segsize="
                    + segmentSize + " datalen=" + dataLength);
        }
        this.format = format;
        this.seqnum = seqnum;
        this.rootHash = rootHash.clone();
        this.salt = salt == null ? null : salt.clone();
        this.k = k;
        this.n = n;
        this.segmentSize = segmentSize;
        this.dataLength = dataLength;
    }

    /** Reads the signed prefix at the start of a share (SDMF 75 bytes, MDMF 59). */
    public static SignedPrefix parse(byte[] share) throws LayoutInvalidException {
        if (share.length < 1) {
            throw new LayoutInvalidException("empty mutable share");
        }
        MutableFormat format = formatOf(share[0]);
        if (share.length < length(format)) {
            throw new LayoutInvalidException("mutable share too short for its header: " + share.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(share);
        b.get();
        long seqnum = b.getLong();
        byte[] root = new byte[32];
        b.get(root);
        byte[] salt = null;
        if (format == MutableFormat.SDMF) {
            salt = new byte[SALT_LENGTH];
            b.get(salt);
        }
        int k = b.get() & 0xff;
        int n = b.get() & 0xff;
        long segsize = b.getLong();
        long datalen = b.getLong();
        try {
            return new SignedPrefix(format, seqnum, root, salt, k, n, segsize, datalen);
        } catch (IllegalArgumentException e) {
            throw new LayoutInvalidException("invalid mutable share header: " + e.getMessage());
        }
    }

    static MutableFormat formatOf(byte version) throws LayoutInvalidException {
        return switch (version) {
            case 0 -> MutableFormat.SDMF;
            case 1 -> MutableFormat.MDMF;
            default -> throw new LayoutInvalidException("unknown mutable share version " + (version & 0xff));
        };
    }

    static int length(MutableFormat format) {
        return format == MutableFormat.SDMF ? 75 : 59;
    }

    /** The bytes the signature covers, as they start every share. */
    public byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(length(format));
        b.put((byte) (format == MutableFormat.SDMF ? 0 : 1)).putLong(seqnum).put(rootHash);
        if (salt != null) {
            b.put(salt);
        }
        b.put((byte) k).put((byte) n).putLong(segmentSize).putLong(dataLength);
        return b.array();
    }

    /**
     * The leading bytes that identify this version on a server (version byte,
     * seqnum, root hash and, for SDMF, salt): what test vectors compare.
     */
    public byte[] checkstring() {
        return Arrays.copyOf(bytes(), format == MutableFormat.SDMF ? 57 : 41);
    }

    public MutableFormat format() {
        return format;
    }

    public long seqnum() {
        return seqnum;
    }

    public byte[] rootHash() {
        return rootHash.clone();
    }

    /** The SDMF salt (Tahoe's IV); MDMF keeps one salt per segment in the share data instead. */
    public byte[] salt() {
        return salt == null ? null : salt.clone();
    }

    public int k() {
        return k;
    }

    public int n() {
        return n;
    }

    public long segmentSize() {
        return segmentSize;
    }

    public long dataLength() {
        return dataLength;
    }

    public int segmentCount() {
        return segmentSize == 0 ? 0 : (int) ((dataLength + segmentSize - 1) / segmentSize);
    }

    /** Plaintext bytes in segment {@code i} (the last one may be short). */
    public int segmentLength(int i) {
        return (int) Math.min(segmentSize, dataLength - i * segmentSize);
    }

    /** Bytes of each share's block for segment {@code i}: the segment, padded to a multiple of k, over k. */
    public int blockSize(int i) {
        int length = segmentLength(i);
        return (length + k - 1) / k;
    }

    /** Bytes of a full segment's block; the MDMF share data is laid out in steps of this (plus a salt). */
    public int fullBlockSize() {
        return (int) (segmentSize / k);
    }

    /** Newer versions sort later; equal sequence numbers are ordered by root hash so every client agrees. */
    @Override
    public int compareTo(SignedPrefix other) {
        int c = Long.compare(seqnum, other.seqnum);
        return c != 0 ? c : Arrays.compareUnsigned(rootHash, other.rootHash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedPrefix p && Arrays.equals(bytes(), p.bytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes());
    }

    @Override
    public String toString() {
        return format + " seq" + seqnum + "-" + Base32.encode(rootHash).substring(0, 4) + " (" + k + "-of-" + n + ", "
                + dataLength + " bytes)";
    }
}
