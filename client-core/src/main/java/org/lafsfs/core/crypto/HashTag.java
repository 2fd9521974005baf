package org.lafsfs.core.crypto;

import java.nio.charset.StandardCharsets;

/**
 * Every tag Tahoe-LAFS puts in front of a SHA-256d hash, in one place. The
 * strings are part of the compatibility contract: changing one changes every
 * cap and share that depends on it (values from Tahoe's hashutil and hashtree).
 */
public enum HashTag {
    // immutable files
    STORAGE_INDEX("allmydata_immutable_key_to_storage_index_v1"),
    BLOCK("allmydata_encoded_subshare_v1"),
    URI_EXTENSION("allmydata_uri_extension_v1"),
    PLAINTEXT("allmydata_plaintext_v1"),
    CRYPTTEXT("allmydata_crypttext_v1"),
    CRYPTTEXT_SEGMENT("allmydata_crypttext_segment_v1"),
    PLAINTEXT_SEGMENT("allmydata_plaintext_segment_v1"),
    CONVERGENT_ENCRYPTION("allmydata_immutable_content_to_key_with_added_secret_v1+"),

    // leases
    CLIENT_RENEWAL("allmydata_client_renewal_secret_v1"),
    CLIENT_CANCEL("allmydata_client_cancel_secret_v1"),
    FILE_RENEWAL("allmydata_file_renewal_secret_v1"),
    FILE_CANCEL("allmydata_file_cancel_secret_v1"),
    BUCKET_RENEWAL("allmydata_bucket_renewal_secret_v1"),
    BUCKET_CANCEL("allmydata_bucket_cancel_secret_v1"),

    // mutable files
    MUTABLE_WRITEKEY("allmydata_mutable_privkey_to_writekey_v1"),
    MUTABLE_WRITE_ENABLER_MASTER("allmydata_mutable_writekey_to_write_enabler_master_v1"),
    MUTABLE_WRITE_ENABLER("allmydata_mutable_write_enabler_master_and_nodeid_to_write_enabler_v1"),
    MUTABLE_PUBKEY("allmydata_mutable_pubkey_to_fingerprint_v1"),
    MUTABLE_READKEY("allmydata_mutable_writekey_to_readkey_v1"),
    MUTABLE_DATAKEY("allmydata_mutable_readkey_to_datakey_v1"),
    MUTABLE_STORAGE_INDEX("allmydata_mutable_readkey_to_storage_index_v1"),

    // directories
    DIRNODE_CHILD_WRITECAP("allmydata_mutable_writekey_and_salt_to_dirnode_child_capkey_v1"),
    DIRNODE_CHILD_SALT("allmydata_dirnode_child_rwcap_to_salt_v1"),

    // Merkle hash trees (block, share and crypttext hash trees)
    MERKLE_EMPTY_LEAF("Merkle tree empty leaf"),
    MERKLE_INTERNAL_NODE("Merkle tree internal node");

    private final byte[] bytes;

    HashTag(String tag) {
        this.bytes = tag.getBytes(StandardCharsets.US_ASCII);
    }

    /** The tag's bytes (a fresh copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** {@code SHA256d(netstring(tag) || value)}, the full 32 bytes. */
    public byte[] hash(byte[] value) {
        return hasher().update(value).digest();
    }

    /** {@code SHA256d(netstring(tag) || value)} truncated to {@code length} bytes. */
    public byte[] hash(byte[] value, int length) {
        return hasher(length).update(value).digest();
    }

    /** {@code SHA256d(netstring(tag) || netstring(a) || netstring(b))}. */
    public byte[] pairHash(byte[] a, byte[] b) {
        return pairHash(a, b, Sha256d.FULL);
    }

    public byte[] pairHash(byte[] a, byte[] b, int length) {
        return Sha256d.taggedPair(bytes, a, b, length);
    }

    public Sha256d hasher() {
        return Sha256d.tagged(bytes, Sha256d.FULL);
    }

    public Sha256d hasher(int length) {
        return Sha256d.tagged(bytes, length);
    }
}
