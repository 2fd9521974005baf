package org.lafsfs.core.cap;

import org.lafsfs.core.codec.Base32;

/** Checks and decodes the fields of a cap, with errors that name the field and what is wrong. */
final class CapFields {
    private CapFields() {
    }

    static void requireLength(String field, byte[] value, int length) {
        if (value.length != length) {
            throw new IllegalArgumentException("the " + field + " is " + length + " bytes, not " + value.length);
        }
    }

    static void requireEncoding(int neededShares, int totalShares, long size) {
        if (neededShares < 1 || neededShares > totalShares || totalShares > 256) {
            throw new IllegalArgumentException(
                    "k=" + neededShares + " N=" + totalShares + " is not an encoding (need 1 <= k <= N <= 256)");
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative file size " + size);
        }
    }

    /** Decodes a base32 field that must hold exactly {@code length} bytes. */
    static byte[] bytes(String kind, String field, String text, int length) {
        if (text.length() != Base32.encodedLength(length)) {
            throw malformed(kind, "its " + field + " must be " + Base32.encodedLength(length)
                    + " base32 characters (" + length + " bytes), not " + text.length());
        }
        try {
            return Base32.decode(text);
        } catch (IllegalArgumentException e) {
            throw malformed(kind, "its " + field + " is not valid base32: " + e.getMessage());
        }
    }

    static int shares(String kind, String field, String text) {
        long value = number(kind, field, text);
        if (value < 1 || value > 256) {
            throw malformed(kind, "its " + field + " must be between 1 and 256, not " + value);
        }
        return (int) value;
    }

    static long number(String kind, String field, String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw malformed(kind, "its " + field + " '" + text + "' is not a decimal number");
        }
        return Long.parseLong(text);
    }

    static MalformedCapException malformed(String kind, String problem) {
        return new MalformedCapException("not a valid URI:" + kind + " cap: " + problem);
    }
}
