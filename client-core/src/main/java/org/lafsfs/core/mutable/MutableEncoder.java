package org.lafsfs.core.mutable;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.crypto.AesCtr;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.crypto.SigningKey;
import org.lafsfs.core.fec.Zfec;
import org.lafsfs.core.hashtree.HashTree;
import org.lafsfs.core.storage.TestWriteVectors.Write;

/**
 * Turns plaintext into the shares of one new version of a mutable file
 * (Tahoe's Publish encoding): per segment a fresh salt, AES-CTR with a key
 * from salt and readkey, zfec k-of-n; per share a block hash tree (MDMF hashes
 * salt and block together); over the shares a share hash tree whose root, in
 * the signed prefix, is what the RSA signature vouches for.
 *
 * <p>An update of an MDMF file re-encodes only the segments it changes and
 * reuses the other segments' block hashes, read from the current shares.
 */
public final class MutableEncoder {
    /** Tahoe's DEFAULT_MUTABLE_MAX_SEGMENT_SIZE. */
    public static final int MAX_SEGMENT_SIZE = 128 * 1024;

    private final MutableKeys keys;
    private final MutableFormat format;
    private final int k;
    private final int n;
    private final long dataLength;
    private final long segmentSize;
    private final Zfec fec;
    private final SecureRandom random;

    public MutableEncoder(MutableKeys keys, int k, int n, long dataLength, SecureRandom random) {
        this.keys = keys;
        this.format = keys.format();
        this.k = k;
        this.n = n;
        this.dataLength = dataLength;
        long wanted = format == MutableFormat.MDMF ? MAX_SEGMENT_SIZE : dataLength; // SDMF is one segment
        this.segmentSize = (wanted + k - 1) / k * k;
        this.fec = new Zfec(k, n);
        this.random = random;
    }

    /** The shape of the version this encoder makes (seqnum, root and salt still blank). */
    public SignedPrefix shape() {
        return new SignedPrefix(format, 0, new byte[32], format == MutableFormat.SDMF ? new byte[16] : null, k, n,
                segmentSize, dataLength);
    }

    /** One encoded segment: its salt, each share's block, and each block's leaf hash. */
    public record Segment(int number, byte[] salt, byte[][] blocks, byte[][] leafHashes) {
    }

    /** Encrypts and encodes segment {@code number}, whose plaintext is {@code plaintext} (its full length). */
    public Segment encodeSegment(int number, byte[] plaintext) {
        byte[] salt = new byte[SignedPrefix.SALT_LENGTH];
        random.nextBytes(salt);
        return encodeSegment(number, plaintext, salt);
    }

    Segment encodeSegment(int number, byte[] plaintext, byte[] salt) {
        SignedPrefix shape = shape();
        if (plaintext.length != shape.segmentLength(number)) {
            throw new IllegalArgumentException("segment " + number + " is " + shape.segmentLength(number)
                    + " bytes, not " + plaintext.length);
        }
        byte[] crypttext = AesCtr.crypt(Hashes.sskDataKey(salt, keys.readkey()), plaintext);
        int blockSize = shape.blockSize(number);
        byte[][] primary = new byte[k][];
        for (int i = 0; i < k; i++) {
            int from = Math.min(i * blockSize, crypttext.length);
            primary[i] = Arrays.copyOf(Arrays.copyOfRange(crypttext, from,
                    Math.min(from + blockSize, crypttext.length)), blockSize);
        }
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        byte[][] blocks = fec.encode(primary, all);
        byte[][] leaves = new byte[n][];
        for (int s = 0; s < n; s++) {
            leaves[s] = Hashes.blockHash(format == MutableFormat.MDMF ? concat(salt, blocks[s]) : blocks[s]);
        }
        return new Segment(number, salt, blocks, leaves);
    }

    /** A version ready to write: its prefix, and per share number the writes that put it on a server. */
    public record EncodedVersion(SignedPrefix prefix, Map<Integer, List<Write>> writes, long shareLength) {
    }

    /** Encodes a whole new version from its plaintext. */
    public EncodedVersion encode(long seqnum, byte[] plaintext) {
        if (plaintext.length != dataLength) {
            throw new IllegalArgumentException("plaintext is " + plaintext.length + " bytes, not " + dataLength);
        }
        SignedPrefix shape = shape();
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < shape.segmentCount(); i++) {
            long from = i * segmentSize;
            segments.add(encodeSegment(i, Arrays.copyOfRange(plaintext, (int) from,
                    (int) from + shape.segmentLength(i))));
        }
        byte[][][] leaves = new byte[n][segments.size()][];
        for (Segment segment : segments) {
            for (int s = 0; s < n; s++) {
                leaves[s][segment.number()] = segment.leafHashes()[s];
            }
        }
        byte[] sdmfSalt = segments.isEmpty() ? randomSalt() : segments.get(0).salt();
        return finish(seqnum, leaves, sdmfSalt, segments);
    }

    /**
     * Signs and lays out a version. {@code leaves[share][segment]} holds every
     * segment's leaf hash; {@code segments} are the ones whose blocks are written
     * (all of them for a new version, the changed ones for an MDMF update).
     */
    public EncodedVersion finish(long seqnum, byte[][][] leaves, byte[] sdmfSalt, List<Segment> segments) {
        SigningKey signer = keys.signingKey().orElseThrow(
                () -> new IllegalStateException("publishing needs the signing key"));
        List<HashTree> blockTrees = new ArrayList<>();
        List<byte[]> shareLeaves = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            HashTree tree = new HashTree(Arrays.asList(leaves[s]));
            blockTrees.add(tree);
            shareLeaves.add(tree.root());
        }
        HashTree shareTree = new HashTree(shareLeaves);
        SignedPrefix prefix = new SignedPrefix(format, seqnum, shareTree.root(),
                format == MutableFormat.SDMF ? sdmfSalt : null, k, n, segmentSize, dataLength);
        byte[] signature = signer.sign(prefix.bytes());
        byte[] pubkey = signer.verifyingKey().der();
        byte[] encPrivkey = keys.encryptedPrivateKey();
        Map<Integer, List<Write>> writes = new TreeMap<>();
        long shareLength = 0;
        for (int s = 0; s < n; s++) {
            Map<Integer, byte[]> chain = new HashMap<>();
            for (int node : shareTree.neededHashes(s, false)) {
                chain.put(node, shareTree.node(node));
            }
            HashTree blockTree = blockTrees.get(s);
            MutableShareLayout layout = MutableShareLayout.plan(prefix, pubkey.length, signature.length,
                    chain.size(), blockTree.size(), encPrivkey.length);
            List<Write> share = new ArrayList<>();
            for (Segment segment : segments) {
                byte[] block = segment.blocks()[s];
                share.add(format == MutableFormat.MDMF
                        ? new Write(layout.saltOffset(segment.number()), concat(segment.salt(), block))
                        : new Write(layout.blockOffset(segment.number()), block));
            }
            share.add(new Write(layout.pubkeyField().offset(), pubkey));
            share.add(new Write(layout.signatureField().offset(), signature));
            share.add(new Write(layout.shareHashChainField().offset(), MutableShareLayout.packChain(chain)));
            share.add(new Write(layout.blockHashTreeField().offset(), packTree(blockTree)));
            share.add(new Write(layout.encPrivkeyField().offset(), encPrivkey));
            share.add(new Write(0, layout.header())); // last, as Tahoe does: the header makes the share whole
            writes.put(s, share);
            shareLength = layout.eof();
        }
        return new EncodedVersion(prefix, writes, shareLength);
    }

    private byte[] randomSalt() {
        byte[] salt = new byte[SignedPrefix.SALT_LENGTH];
        random.nextBytes(salt);
        return salt;
    }

    private static byte[] packTree(HashTree tree) {
        byte[] packed = new byte[tree.size() * 32];
        for (int i = 0; i < tree.size(); i++) {
            System.arraycopy(tree.node(i), 0, packed, i * 32, 32);
        }
        return packed;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
