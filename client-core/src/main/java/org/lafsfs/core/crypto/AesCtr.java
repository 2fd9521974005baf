package org.lafsfs.core.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES in counter mode as Tahoe-LAFS uses it: a 128-bit big-endian counter that
 * starts at zero at byte 0 of the stream. Encryption and decryption are the
 * same operation. Built on the JDK's own cipher, which uses the CPU's AES
 * instructions.
 *
 * <p>Random access: {@link #at(byte[], long)} positions the key stream at any
 * byte offset, so one segment of a file can be decrypted on its own.
 */
public final class AesCtr {
    private static final int BLOCK = 16;
    private static final int CHUNK = 8192;

    private final Cipher cipher;

    private AesCtr(Cipher cipher) {
        this.cipher = cipher;
    }

    /** A key stream positioned at byte 0. */
    public static AesCtr of(byte[] key) {
        return at(key, 0);
    }

    /** A key stream positioned at byte {@code offset} of the stream. */
    public static AesCtr at(byte[] key, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("negative stream offset " + offset);
        }
        byte[] counter = new byte[BLOCK];
        long block = offset / BLOCK;
        for (int i = 0; i < 8; i++) {
            counter[BLOCK - 1 - i] = (byte) (block >>> (8 * i));
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(counter));
            AesCtr stream = new AesCtr(cipher);
            int skip = (int) (offset % BLOCK);
            if (skip > 0) {
                stream.cipher.update(new byte[skip]);
            }
            return stream;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up AES-CTR with a " + key.length + "-byte key", e);
        }
    }

    /** XORs the next {@code length} bytes of key stream into {@code data} in place. */
    public void process(byte[] data, int offset, int length) {
        xorInPlace(cipher, data, offset, length);
    }

    private static void xorInPlace(Cipher cipher, byte[] data, int offset, int length) {
        try {
            // HotSpot swaps in its AES-NI counter-mode stub only where the call site is compiled; a few
            // megabyte-sized calls run the plain Java loop instead (about 400 MB/s here, against 4-5 GB/s
            // once the stub is used). Pieces of 8 KiB get the call site compiled within a few megabytes.
            for (int at = 0; at < length; at += CHUNK) {
                int piece = Math.min(CHUNK, length - at);
                int written = cipher.update(data, offset + at, piece, data, offset + at);
                if (written != piece) {
                    throw new IllegalStateException("AES-CTR returned " + written + " of " + piece + " bytes");
                }
            }
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    public void process(byte[] data) {
        process(data, 0, data.length);
    }

    /** XORs key stream over {@code in} into {@code out}; both advance by the bytes processed. */
    public void process(ByteBuffer in, ByteBuffer out) {
        int expected = in.remaining();
        try {
            int written = cipher.update(in, out);
            if (written != expected) {
                throw new IllegalStateException("AES-CTR returned " + written + " of " + expected + " bytes");
            }
        } catch (ShortBufferException e) {
            throw new IllegalArgumentException("output buffer too small for " + expected + " bytes", e);
        }
    }

    /** A copy of {@code data} encrypted (or decrypted) with a stream starting at byte 0. */
    public static byte[] crypt(byte[] key, byte[] data) {
        // Small one-shot calls (a directory's child caps, one per entry) would otherwise spend most of their
        // time looking the cipher up in the JCA provider tables; keep one per thread.
        try {
            Cipher cipher = ONE_SHOT.get();
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[BLOCK]));
            byte[] out = data.clone();
            xorInPlace(cipher, out, 0, out.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up AES-CTR with a " + key.length + "-byte key", e);
        }
    }

    private static final ThreadLocal<Cipher> ONE_SHOT = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/CTR/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR is unavailable", e);
        }
    });
}
