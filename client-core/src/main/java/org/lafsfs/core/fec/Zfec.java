package org.lafsfs.core.fec;

import java.util.Arrays;

/**
 * Reed-Solomon erasure coding byte-compatible with zfec, the coder Tahoe-LAFS
 * uses: k primary blocks become N shares, of which any k rebuild the primary
 * blocks. The code is systematic (shares 0..k-1 are the primary blocks
 * themselves) and its matrix is zfec's: a Vandermonde matrix on the points 0,
 * alpha^0, alpha^1, ... made systematic by multiplying with the inverse of its
 * top k rows. Instances are immutable and safe to share between threads.
 */
public final class Zfec {
    private final int k;
    private final int n;
    /** Row j holds the coefficients that make share j from the k primary blocks. */
    private final int[][] encodeMatrix;

    public Zfec(int k, int n) {
        if (k < 1 || n < k || n > 256) {
            throw new IllegalArgumentException("zfec needs 1 <= k <= N <= 256, got k=" + k + " N=" + n);
        }
        this.k = k;
        this.n = n;
        this.encodeMatrix = buildEncodeMatrix(k, n);
    }

    public int k() {
        return k;
    }

    public int n() {
        return n;
    }

    private static int[][] buildEncodeMatrix(int k, int n) {
        int[][] vandermonde = new int[n][k];
        vandermonde[0][0] = 1; // the point 0: 0^0 = 1, 0^c = 0
        for (int row = 1; row < n; row++) {
            for (int col = 0; col < k; col++) {
                vandermonde[row][col] = GaloisField.exp((row - 1) * col);
            }
        }
        int[][] topInverse = new int[k][];
        for (int i = 0; i < k; i++) {
            topInverse[i] = vandermonde[i].clone();
        }
        GaloisField.invert(topInverse);
        int[][] matrix = new int[n][k];
        for (int row = 0; row < n; row++) {
            for (int col = 0; col < k; col++) {
                int sum = 0;
                for (int i = 0; i < k; i++) {
                    sum ^= GaloisField.mul(vandermonde[row][i], topInverse[i][col]);
                }
                matrix[row][col] = sum;
            }
        }
        return matrix;
    }

    /**
     * Computes share {@code shareNumber} from the k primary blocks, all of
     * {@code blockSize} bytes at {@code offset} in their arrays.
     */
    public void encode(byte[][] primary, int offset, int blockSize, int shareNumber, byte[] out, int outOffset) {
        encode(primary, offset, blockSize, new int[] {shareNumber}, new byte[][] {out}, outOffset);
    }

    /**
     * Computes several shares at once, stripe by stripe, so that each stripe of the primary blocks is
     * read and multiplied out once for all the shares made from it.
     */
    public void encode(byte[][] primary, int offset, int blockSize, int[] shareNumbers, byte[][] out, int outOffset) {
        if (primary.length != k) {
            throw new IllegalArgumentException("encoding needs " + k + " primary blocks, got " + primary.length);
        }
        for (int shareNumber : shareNumbers) {
            if (shareNumber < 0 || shareNumber >= n) {
                throw new IllegalArgumentException("share number " + shareNumber + " is not in 0.." + (n - 1));
            }
        }
        Stripe stripe = null;
        for (int i = 0; i < shareNumbers.length; i++) {
            if (shareNumbers[i] < k) {
                if (out[i] != primary[shareNumbers[i]] || outOffset != offset) {
                    System.arraycopy(primary[shareNumbers[i]], offset, out[i], outOffset, blockSize);
                }
            } else if (stripe == null) {
                stripe = new Stripe(k, blockSize);
            }
        }
        if (stripe == null) {
            return;
        }
        for (int at = 0; at < blockSize; at += stripe.size) {
            stripe.load(primary, offset + at, Math.min(stripe.size, blockSize - at));
            for (int i = 0; i < shareNumbers.length; i++) {
                if (shareNumbers[i] >= k) {
                    stripe.combine(encodeMatrix[shareNumbers[i]], out[i], outOffset + at);
                }
            }
        }
    }

    /**
     * Encodes the shares named in {@code shareNumbers}.
     *
     * @return each share's block: for a primary share its primary block itself, not a copy (callers hand
     *     over fresh blocks and must not change them afterwards), for a check share a new array
     */
    public byte[][] encode(byte[][] primary, int[] shareNumbers) {
        int blockSize = primary.length == 0 ? 0 : primary[0].length;
        for (byte[] block : primary) {
            if (block.length != blockSize) {
                throw new IllegalArgumentException("primary blocks must all be " + blockSize + " bytes");
            }
        }
        byte[][] shares = new byte[shareNumbers.length][];
        for (int i = 0; i < shareNumbers.length; i++) {
            int s = shareNumbers[i];
            shares[i] = s >= 0 && s < k && s < primary.length ? primary[s] : new byte[blockSize];
        }
        encode(primary, 0, blockSize, shareNumbers, shares, 0);
        return shares;
    }

    /**
     * Rebuilds the k primary blocks from any k distinct shares.
     *
     * @param shareNumbers the share number of each block in {@code blocks}, in any order
     * @return the primary blocks 0..k-1 (received primary blocks are returned as they are)
     */
    public byte[][] decode(byte[][] blocks, int[] shareNumbers) {
        if (blocks.length != k || shareNumbers.length != k) {
            throw new IllegalArgumentException("decoding needs exactly " + k + " shares, got " + blocks.length);
        }
        int blockSize = blocks[0].length;
        boolean[] seen = new boolean[n];
        for (int i = 0; i < k; i++) {
            int s = shareNumbers[i];
            if (s < 0 || s >= n) {
                throw new IllegalArgumentException("share number " + s + " is not in 0.." + (n - 1));
            }
            if (seen[s]) {
                throw new IllegalArgumentException("share " + s + " given twice");
            }
            if (blocks[i].length != blockSize) {
                throw new IllegalArgumentException("shares must all be " + blockSize + " bytes");
            }
            seen[s] = true;
        }
        byte[][] primary = new byte[k][];
        int[][] rows = new int[k][];
        for (int i = 0; i < k; i++) {
            rows[i] = encodeMatrix[shareNumbers[i]].clone();
            if (shareNumbers[i] < k) {
                primary[shareNumbers[i]] = blocks[i];
            }
        }
        boolean missing = Arrays.stream(primary).anyMatch(p -> p == null);
        if (!missing) {
            return primary;
        }
        GaloisField.invert(rows);
        Stripe stripe = new Stripe(k, blockSize);
        boolean[] rebuilt = new boolean[k];
        for (int j = 0; j < k; j++) {
            if (primary[j] == null) {
                primary[j] = new byte[blockSize];
                rebuilt[j] = true;
            }
        }
        for (int at = 0; at < blockSize; at += stripe.size) {
            stripe.load(blocks, at, Math.min(stripe.size, blockSize - at));
            for (int j = 0; j < k; j++) {
                if (rebuilt[j]) {
                    stripe.combine(rows[j], primary[j], at);
                }
            }
        }
        return primary;
    }
}
