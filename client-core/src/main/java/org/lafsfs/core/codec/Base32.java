package org.lafsfs.core.codec;

import java.io.ByteArrayOutputStream;

/**
 * Base32 as Tahoe-LAFS writes it in caps and storage-index paths: the RFC 3548
 * alphabet in lowercase, without padding.
 *
 * <p>Decoding is strict, like Tahoe's {@code could_be_base32_encoded}: only the
 * lowercase alphabet, a length that some byte count could have produced, and
 * zero bits in the unused tail of the last character. A cap that decodes is
 * therefore the only spelling of its bytes.
 */
public final class Base32 {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int[] VALUES = new int[128];

    static {
        java.util.Arrays.fill(VALUES, -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = i;
        }
    }

    private Base32() {
    }

    public static String encode(byte[] data) {
        StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }

    /** The number of characters {@link #encode} produces for {@code byteCount} bytes. */
    public static int encodedLength(int byteCount) {
        return (byteCount * 8 + 4) / 5;
    }

    /**
     * Decodes Tahoe base32.
     *
     * @throws IllegalArgumentException naming what is wrong: a character outside the
     *     alphabet, an impossible length, or non-zero padding bits
     */
    public static byte[] decode(CharSequence text) {
        int length = text.length();
        int byteCount = length * 5 / 8;
        if (encodedLength(byteCount) != length) {
            throw new IllegalArgumentException(
                    "base32 text of " + length + " characters cannot be the encoding of whole bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(byteCount);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            int v = c < 128 ? VALUES[c] : -1;
            if (v < 0) {
                throw new IllegalArgumentException(
                        "'" + c + "' at position " + i + " is not a base32 character (a-z, 2-7)");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >>> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0) {
            throw new IllegalArgumentException("base32 text has non-zero bits after its last byte");
        }
        return out.toByteArray();
    }

    /** Whether {@code text} is the encoding of exactly {@code byteCount} bytes. */
    public static boolean isEncodingOf(CharSequence text, int byteCount) {
        if (text.length() != encodedLength(byteCount)) {
            return false;
        }
        try {
            decode(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
