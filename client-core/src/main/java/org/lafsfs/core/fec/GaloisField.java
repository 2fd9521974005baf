package org.lafsfs.core.fec;

/**
 * Arithmetic in GF(2^8) with the primitive polynomial x^8+x^4+x^3+x^2+1 (0x11d),
 * the field zfec uses. Multiplication is a table lookup: {@link #MUL} holds
 * every product, row-major, so {@code MUL[(a << 8) | b] == a * b}.
 */
final class GaloisField {
    static final int[] EXP = new int[510];
    static final int[] LOG = new int[256];
    static final byte[] MUL = new byte[256 * 256];

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = x;
            LOG[x] = i;
            x <<= 1;
            if ((x & 0x100) != 0) {
                x ^= 0x11d;
            }
        }
        for (int i = 255; i < EXP.length; i++) {
            EXP[i] = EXP[i - 255];
        }
        for (int a = 1; a < 256; a++) {
            for (int b = 1; b < 256; b++) {
                MUL[(a << 8) | b] = (byte) EXP[LOG[a] + LOG[b]];
            }
        }
    }

    private GaloisField() {
    }

    static int mul(int a, int b) {
        return MUL[(a << 8) | b] & 0xff;
    }

    /** alpha^e for any e >= 0. */
    static int exp(int e) {
        return EXP[e % 255];
    }

    static int inverse(int a) {
        if (a == 0) {
            throw new ArithmeticException("0 has no inverse in GF(256)");
        }
        return EXP[255 - LOG[a]];
    }

    /**
     * Inverts a square matrix in place by Gauss-Jordan elimination.
     *
     * @throws ArithmeticException if the matrix is singular
     */
    static void invert(int[][] m) {
        int size = m.length;
        int[][] inv = new int[size][size];
        for (int i = 0; i < size; i++) {
            inv[i][i] = 1;
        }
        for (int col = 0; col < size; col++) {
            int pivot = col;
            while (pivot < size && m[pivot][col] == 0) {
                pivot++;
            }
            if (pivot == size) {
                throw new ArithmeticException("singular matrix");
            }
            swap(m, col, pivot);
            swap(inv, col, pivot);
            int scale = inverse(m[col][col]);
            for (int j = 0; j < size; j++) {
                m[col][j] = mul(m[col][j], scale);
                inv[col][j] = mul(inv[col][j], scale);
            }
            for (int row = 0; row < size; row++) {
                int factor = m[row][col];
                if (row == col || factor == 0) {
                    continue;
                }
                for (int j = 0; j < size; j++) {
                    m[row][j] ^= mul(factor, m[col][j]);
                    inv[row][j] ^= mul(factor, inv[col][j]);
                }
            }
        }
        for (int i = 0; i < size; i++) {
            m[i] = inv[i];
        }
    }

    private static void swap(int[][] m, int a, int b) {
        int[] t = m[a];
        m[a] = m[b];
        m[b] = t;
    }
}
