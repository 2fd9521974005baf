package org.lafsfs.core.fec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One stripe of the input blocks and the linear combinations of it that
 * shares are made of, computed eight bytes at a time.
 *
 * <p>Multiplying by a constant c over GF(2^8) is linear over GF(2): c * x is
 * the XOR of x * 2^b over the bits b set in c. So {@link #load} computes each
 * input's eight multiples x * 2^b once per stripe, doubling the eight bytes of
 * a long at once (shift, and reduce the bytes that overflowed by 0x1d), and
 * {@link #combine} XORs together the multiples a row's coefficients name. No
 * table lookups, and loops over long arrays that the JIT turns into vector
 * instructions: three to four times the table-driven loop, which is kept for
 * the bytes of a stripe that do not fill a long. Not thread-safe: one per
 * encode or decode call.
 */
final class Stripe {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_SEVEN_BITS = 0x7f7f7f7f7f7f7f7fL;
    private static final long LOW_BIT = 0x0101010101010101L;
    /** The multiples of all inputs together stay within a core's L2 cache. */
    private static final int MULTIPLES_BUDGET = 128 * 1024;

    /** Bytes per stripe: a multiple of 8. */
    final int size;
    /** multiples[i][b][w] is word w of input i times 2^b. */
    private final long[][][] multiples;
    private final long[] sum;
    private byte[][] inputs;
    private int offset;
    private int length;
    private int words;

    /** For {@code inputCount} blocks of {@code blockSize} bytes (a stripe is no larger than a block). */
    Stripe(int inputCount, int blockSize) {
        int limit = Math.max(64, Math.min(4096, MULTIPLES_BUDGET / (8 * inputCount) & ~7));
        this.size = Math.max(8, Math.min(limit, (blockSize + 7) & ~7));
        this.multiples = new long[inputCount][8][size / 8];
        this.sum = new long[size / 8];
    }

    /** Takes bytes {@code [offset, offset + length)} of every input ({@code length <= size}). */
    void load(byte[][] inputs, int offset, int length) {
        this.inputs = inputs;
        this.offset = offset;
        this.length = length;
        this.words = length / 8;
        for (int i = 0; i < inputs.length; i++) {
            long[][] m = multiples[i];
            long[] x = m[0];
            byte[] in = inputs[i];
            for (int w = 0; w < words; w++) {
                x[w] = (long) LONGS.get(in, offset + 8 * w);
            }
            for (int b = 1; b < 8; b++) {
                twice(m[b - 1], m[b], words);
            }
        }
    }

    /** {@code to = 2 * from} in every byte: shift left, and reduce the bytes whose top bit fell out by 0x1d. */
    private static void twice(long[] from, long[] to, int words) {
        for (int w = 0; w < words; w++) {
            long v = from[w];
            long overflow = (v >>> 7) & LOW_BIT;
            to[w] = ((v & LOW_SEVEN_BITS) << 1) ^ (overflow << 4) ^ (overflow << 3) ^ (overflow << 2) ^ overflow;
        }
    }

    /** {@code out[outOffset ..]} = the sum over i of {@code coefficients[i]} times input i, over the loaded stripe. */
    void combine(int[] coefficients, byte[] out, int outOffset) {
        boolean first = true;
        for (int i = 0; i < coefficients.length; i++) {
            for (int b = 0; b < 8; b++) {
                if ((coefficients[i] >>> b & 1) == 0) {
                    continue;
                }
                long[] m = multiples[i][b];
                if (first) {
                    System.arraycopy(m, 0, sum, 0, words);
                    first = false;
                } else {
                    for (int w = 0; w < words; w++) {
                        sum[w] ^= m[w];
                    }
                }
            }
        }
        if (first) {
            Arrays.fill(sum, 0, words, 0L);
        }
        for (int w = 0; w < words; w++) {
            LONGS.set(out, outOffset + 8 * w, sum[w]);
        }
        for (int p = 8 * words; p < length; p++) {
            int v = 0;
            for (int i = 0; i < coefficients.length; i++) {
                v ^= GaloisField.mul(coefficients[i], inputs[i][offset + p] & 0xff);
            }
            out[outOffset + p] = (byte) v;
        }
    }
}
