package org.lafsfs.core.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.lafsfs.core.codec.Netstring;

/**
 * The derivations Tahoe-LAFS builds from tagged hashes: storage indexes, keys,
 * write enablers and lease secrets. Each mirrors one function of Tahoe's
 * hashutil, with the same inputs, so that the same secrets give the same caps.
 */
public final class Hashes {
    /** AES key size and the truncation of storage indexes and mutable keys. */
    public static final int KEY_LENGTH = 16;
    /** Salt and IV size. */
    public static final int IV_LENGTH = 16;
    public static final int HASH_LENGTH = 32;
    /** Server ids in bucket lease secrets and write enablers are 20 bytes (a Foolscap tub id). */
    public static final int NODE_ID_LENGTH = 20;

    private Hashes() {
    }

    // ---- immutable files ----

    /** The storage index of a CHK file: its AES key hashed down to 16 bytes. */
    public static byte[] storageIndex(byte[] key) {
        return HashTag.STORAGE_INDEX.hash(key, KEY_LENGTH);
    }

    public static byte[] blockHash(byte[] block) {
        return HashTag.BLOCK.hash(block);
    }

    public static byte[] uriExtensionHash(byte[] ueb) {
        return HashTag.URI_EXTENSION.hash(ueb);
    }

    public static byte[] crypttextSegmentHash(byte[] segment) {
        return HashTag.CRYPTTEXT_SEGMENT.hash(segment);
    }

    /** Streaming hash of a whole crypttext (the UEB's {@code crypttext_hash}). */
    public static Sha256d crypttextHasher() {
        return HashTag.CRYPTTEXT.hasher();
    }

    /** Streaming hash of one crypttext segment (a leaf of the crypttext hash tree). */
    public static Sha256d crypttextSegmentHasher() {
        return HashTag.CRYPTTEXT_SEGMENT.hasher();
    }

    /**
     * The hasher whose digest of a file's plaintext is its convergent AES key.
     * The encoding parameters are part of the tag, so the same file uploaded with
     * different k, N or segment size gets a different key.
     *
     * @param segmentSize the segment size actually used for this file (the
     *     maximum segment size clipped to the file size and rounded up to k)
     */
    public static Sha256d convergenceHasher(int k, int n, long segmentSize, byte[] convergenceSecret) {
        if (k < 1 || n < 1 || k > n || n > 256) {
            throw new IllegalArgumentException("encoding parameters need 1 <= k <= n <= 256, got k=" + k + " n=" + n);
        }
        byte[] params = Netstring.encode((k + "," + n + "," + segmentSize).getBytes(StandardCharsets.US_ASCII));
        byte[] tag = concat(HashTag.CONVERGENT_ENCRYPTION.bytes(), Netstring.encode(convergenceSecret), params);
        return Sha256d.tagged(tag, KEY_LENGTH);
    }

    // ---- leases ----

    /** The client-wide renewal secret derived from the node's lease secret. */
    public static byte[] clientRenewalSecret(byte[] leaseSecret) {
        // Tahoe hashes the constant under the secret as tag, not the other way round.
        return Sha256d.tagged(leaseSecret, HASH_LENGTH).update(HashTag.CLIENT_RENEWAL.bytes()).digest();
    }

    public static byte[] clientCancelSecret(byte[] leaseSecret) {
        return Sha256d.tagged(leaseSecret, HASH_LENGTH).update(HashTag.CLIENT_CANCEL.bytes()).digest();
    }

    public static byte[] fileRenewalSecret(byte[] clientRenewalSecret, byte[] storageIndex) {
        return HashTag.FILE_RENEWAL.pairHash(clientRenewalSecret, storageIndex);
    }

    public static byte[] fileCancelSecret(byte[] clientCancelSecret, byte[] storageIndex) {
        return HashTag.FILE_CANCEL.pairHash(clientCancelSecret, storageIndex);
    }

    public static byte[] bucketRenewalSecret(byte[] fileRenewalSecret, byte[] nodeId) {
        return HashTag.BUCKET_RENEWAL.pairHash(fileRenewalSecret, requireNodeId(nodeId));
    }

    public static byte[] bucketCancelSecret(byte[] fileCancelSecret, byte[] nodeId) {
        return HashTag.BUCKET_CANCEL.pairHash(fileCancelSecret, requireNodeId(nodeId));
    }

    // ---- mutable files ----

    /** The writekey of a mutable file, from its serialized RSA private key. */
    public static byte[] sskWritekey(byte[] privateKey) {
        return HashTag.MUTABLE_WRITEKEY.hash(privateKey, KEY_LENGTH);
    }

    public static byte[] sskReadkey(byte[] writekey) {
        return HashTag.MUTABLE_READKEY.hash(writekey, KEY_LENGTH);
    }

    public static byte[] sskStorageIndex(byte[] readkey) {
        return HashTag.MUTABLE_STORAGE_INDEX.hash(readkey, KEY_LENGTH);
    }

    /** The fingerprint of a mutable file's public key (DER), the second half of its caps. */
    public static byte[] sskPubkeyFingerprint(byte[] publicKey) {
        return HashTag.MUTABLE_PUBKEY.hash(publicKey);
    }

    /** The AES key for one SDMF share's data or one MDMF segment, from its salt. */
    public static byte[] sskDataKey(byte[] salt, byte[] readkey) {
        return HashTag.MUTABLE_DATAKEY.pairHash(salt, readkey, KEY_LENGTH);
    }

    public static byte[] writeEnablerMaster(byte[] writekey) {
        return HashTag.MUTABLE_WRITE_ENABLER_MASTER.hash(writekey);
    }

    /** The per-server write enabler; {@code nodeId} is the server's 20-byte Foolscap tub id. */
    public static byte[] writeEnabler(byte[] writekey, byte[] nodeId) {
        return HashTag.MUTABLE_WRITE_ENABLER.pairHash(writeEnablerMaster(writekey), requireNodeId(nodeId));
    }

    // ---- directories ----

    /** The AES key that encrypts a child's write cap inside a directory entry. */
    public static byte[] dirnodeChildWritecapKey(byte[] iv, byte[] writekey) {
        return HashTag.DIRNODE_CHILD_WRITECAP.pairHash(iv, writekey, KEY_LENGTH);
    }

    /** The deterministic IV Tahoe derives from a child's write cap. */
    public static byte[] dirnodeChildSalt(byte[] writecap) {
        return HashTag.DIRNODE_CHILD_SALT.hash(writecap, IV_LENGTH);
    }

    // ---- server selection ----

    /**
     * The key that orders servers for a storage index (Tahoe's permuted ring):
     * plain SHA-1 of the storage index followed by the server's permutation seed.
     */
    public static byte[] permutedServerKey(byte[] storageIndex, byte[] permutationSeed) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(storageIndex);
            return sha1.digest(permutationSeed);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
    }

    private static byte[] requireNodeId(byte[] nodeId) {
        if (nodeId.length != NODE_ID_LENGTH) {
            throw new IllegalArgumentException("a node id is " + NODE_ID_LENGTH + " bytes, not " + nodeId.length);
        }
        return nodeId;
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
