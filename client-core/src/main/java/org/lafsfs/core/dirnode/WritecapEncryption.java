package org.lafsfs.core.dirnode;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.lafsfs.core.crypto.AesCtr;
import org.lafsfs.core.crypto.Hashes;

/**
 * How a child's write cap is hidden inside a mutable directory, so that holders
 * of the directory's read cap see only read caps (transitive read-only-ness).
 * The stored form is {@code salt(16) || AES-CTR(key, rw_uri) || mac(32)} where
 * <ul>
 * <li>salt = tagged hash of the write cap itself (deterministic, so that
 *     repacking an unchanged directory gives the same bytes),
 * <li>key = tagged hash of salt and the directory's writekey,
 * <li>mac = {@link #mac}(key, salt || crypttext).
 * </ul>
 * Tahoe 1.20 writes the MAC but no longer checks it; it is checked here, which
 * costs nothing for directories any Tahoe wrote and catches a wrong writekey.
 */
final class WritecapEncryption {
    static final int SALT_LENGTH = Hashes.IV_LENGTH;
    static final int MAC_LENGTH = 32;

    private WritecapEncryption() {
    }

    /** The rwcapdata field for a child write cap ({@code rwUri} may be empty: Tahoe encrypts "" too). */
    static byte[] encrypt(byte[] writekey, byte[] rwUri) {
        requireWritekey(writekey);
        byte[] salt = Hashes.dirnodeChildSalt(rwUri);
        byte[] key = Hashes.dirnodeChildWritecapKey(salt, writekey);
        byte[] crypttext = AesCtr.crypt(key, rwUri);
        byte[] out = new byte[SALT_LENGTH + crypttext.length + MAC_LENGTH];
        System.arraycopy(salt, 0, out, 0, SALT_LENGTH);
        System.arraycopy(crypttext, 0, out, SALT_LENGTH, crypttext.length);
        byte[] mac = mac(key, Arrays.copyOf(out, SALT_LENGTH + crypttext.length));
        System.arraycopy(mac, 0, out, SALT_LENGTH + crypttext.length, MAC_LENGTH);
        return out;
    }

    /**
     * The write cap inside a rwcapdata field, after checking its MAC.
     *
     * @throws CorruptDirnodeException if the field is too short or the MAC does
     *     not match (a corrupted directory, or the wrong writekey)
     */
    static byte[] decrypt(byte[] writekey, byte[] rwcapdata) {
        requireWritekey(writekey);
        if (rwcapdata.length < SALT_LENGTH + MAC_LENGTH) {
            throw new CorruptDirnodeException("an encrypted write cap is " + rwcapdata.length
                    + " bytes, shorter than its " + (SALT_LENGTH + MAC_LENGTH) + " bytes of salt and MAC");
        }
        int macAt = rwcapdata.length - MAC_LENGTH;
        byte[] salt = Arrays.copyOf(rwcapdata, SALT_LENGTH);
        byte[] key = Hashes.dirnodeChildWritecapKey(salt, writekey);
        byte[] expected = mac(key, Arrays.copyOf(rwcapdata, macAt));
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(rwcapdata, macAt, rwcapdata.length))) {
            throw new CorruptDirnodeException("the MAC of an encrypted write cap does not match:"
                    + " the directory is corrupted or the writekey is not this directory's");
        }
        return AesCtr.crypt(key, Arrays.copyOfRange(rwcapdata, SALT_LENGTH, macAt));
    }

    /**
     * Tahoe's hashutil.hmac: {@code SHA256((key ^ 0x5c..) || SHA256((key ^ 0x36..) || data))}
     * with the key XORed as it is, not zero-padded to SHA-256's 64-byte block.
     * For the 16-byte keys used here that is NOT RFC 2104 HMAC-SHA256, so the
     * JDK's HmacSHA256 would give a different value.
     */
    static byte[] mac(byte[] key, byte[] data) {
        byte[] inner = new byte[key.length];
        byte[] outer = new byte[key.length];
        for (int i = 0; i < key.length; i++) {
            inner[i] = (byte) (key[i] ^ 0x36);
            outer[i] = (byte) (key[i] ^ 0x5c);
        }
        MessageDigest sha256 = sha256();
        sha256.update(inner);
        byte[] h1 = sha256.digest(data);
        sha256.update(outer);
        return sha256.digest(h1);
    }

    private static void requireWritekey(byte[] writekey) {
        if (writekey.length != Hashes.KEY_LENGTH) {
            throw new IllegalArgumentException("a writekey is " + Hashes.KEY_LENGTH + " bytes, not " + writekey.length);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
