package org.lafsfs.core.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Netstrings ({@code <decimal length>:<bytes>,}), which Tahoe uses inside hash
 * inputs, the URI extension block and directory entries.
 */
public final class Netstring {
    private Netstring() {
    }

    public static byte[] encode(byte[] value) {
        byte[] prefix = (value.length + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[prefix.length + value.length + 1];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(value, 0, out, prefix.length, value.length);
        out[out.length - 1] = ',';
        return out;
    }

    /**
     * Reads consecutive netstrings from a byte array, checking every length and
     * separator so that a truncated or corrupted input fails instead of being
     * misread.
     */
    public static final class Reader {
        private final byte[] data;
        private final int end;
        private int position;

        public Reader(byte[] data) {
            this(data, 0, data.length);
        }

        public Reader(byte[] data, int offset, int length) {
            this.data = data;
            this.position = offset;
            this.end = offset + length;
        }

        public boolean hasMore() {
            return position < end;
        }

        public int position() {
            return position;
        }

        public byte[] next() {
            int start = position;
            long length = 0;
            int i = position;
            while (i < end && data[i] != ':') {
                byte b = data[i];
                if (b < '0' || b > '9' || i - start >= 10) {
                    throw new IllegalArgumentException("malformed netstring length at offset " + start);
                }
                length = length * 10 + (b - '0');
                i++;
            }
            if (i == start || i >= end) {
                throw new IllegalArgumentException("netstring at offset " + start + " has no length prefix");
            }
            if (i - start > 1 && data[start] == '0') {
                throw new IllegalArgumentException("netstring length at offset " + start + " has a leading zero");
            }
            int valueStart = i + 1;
            if (length > end - valueStart - 1) {
                throw new IllegalArgumentException("netstring at offset " + start + " runs past the end of its data");
            }
            int valueEnd = valueStart + (int) length;
            if (data[valueEnd] != ',') {
                throw new IllegalArgumentException("netstring at offset " + start + " is not terminated by ','");
            }
            position = valueEnd + 1;
            byte[] value = new byte[(int) length];
            System.arraycopy(data, valueStart, value, 0, value.length);
            return value;
        }

        /** Reads exactly {@code count} netstrings. */
        public List<byte[]> next(int count) {
            List<byte[]> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                values.add(next());
            }
            return values;
        }
    }
}
