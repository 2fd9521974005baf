package org.lafsfs.core.crypto;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.lafsfs.core.codec.Netstring;

/**
 * SHA-256d (SHA-256 of SHA-256, Ferguson and Schneier's guard against length
 * extension) with Tahoe's netstring tag prefix, optionally truncated. Streaming,
 * so that a whole file can be hashed without holding it.
 */
public final class Sha256d {
    static final int FULL = 32;

    private final MessageDigest inner;
    private final int length;

    private Sha256d(int length) {
        if (length < 1 || length > FULL) {
            throw new IllegalArgumentException("a SHA-256d digest can be truncated to 1..32 bytes, not " + length);
        }
        this.inner = newSha256();
        this.length = length;
    }

    /** A hasher whose input starts with {@code netstring(tag)}; any tag bytes, as Tahoe allows. */
    public static Sha256d tagged(byte[] tag, int length) {
        Sha256d h = new Sha256d(length);
        h.update(Netstring.encode(tag));
        return h;
    }

    static byte[] taggedPair(byte[] tag, byte[] a, byte[] b, int length) {
        return tagged(tag, length).update(Netstring.encode(a)).update(Netstring.encode(b)).digest();
    }

    public Sha256d update(byte[] data) {
        inner.update(data);
        return this;
    }

    public Sha256d update(byte[] data, int offset, int count) {
        inner.update(data, offset, count);
        return this;
    }

    public Sha256d update(ByteBuffer data) {
        inner.update(data);
        return this;
    }

    /** Finishes the hash; the hasher cannot be used afterwards. */
    public byte[] digest() {
        byte[] outer = newSha256().digest(inner.digest());
        return length == FULL ? outer : java.util.Arrays.copyOf(outer, length);
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
