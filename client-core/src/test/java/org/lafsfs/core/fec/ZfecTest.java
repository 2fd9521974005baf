package org.lafsfs.core.fec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks against vectors made with Debian's python3-zfec (the C library Tahoe
 * uses); see src/test/resources/zfec/generate_vectors.py.
 */
class ZfecTest {
    private static final HexFormat HEX = HexFormat.of();

    record Case(int k, int n, List<byte[]> in, List<byte[]> out, List<int[]> decodes) {
    }

    @Test
    void encodesEveryShareExactlyAsZfecDoes() throws IOException {
        List<Case> cases = vectors();
        assertThat(cases).hasSize(16);
        for (Case c : cases) {
            Zfec fec = new Zfec(c.k(), c.n());
            int[] all = new int[c.n()];
            Arrays.setAll(all, i -> i);
            byte[][] shares = fec.encode(c.in().toArray(byte[][]::new), all);
            for (int i = 0; i < c.n(); i++) {
                assertThat(shares[i]).as("k=%d n=%d share %d", c.k(), c.n(), i).isEqualTo(c.out().get(i));
            }
        }
    }

    @Test
    void decodesFromTheShareSubsetsZfecDecoded() throws IOException {
        int decoded = 0;
        for (Case c : vectors()) {
            Zfec fec = new Zfec(c.k(), c.n());
            for (int[] subset : c.decodes()) {
                byte[][] blocks = Arrays.stream(subset).mapToObj(c.out()::get).toArray(byte[][]::new);
                byte[][] primary = fec.decode(blocks, subset);
                for (int i = 0; i < c.k(); i++) {
                    assertThat(primary[i]).as("k=%d n=%d from %s", c.k(), c.n(), Arrays.toString(subset))
                            .isEqualTo(c.in().get(i));
                }
                decoded++;
            }
        }
        assertThat(decoded).isGreaterThan(80);
    }

    @Test
    void anyKSharesRebuildTheData() {
        Random random = new Random(42);
        int[][] params = {{1, 1}, {1, 5}, {3, 10}, {4, 4}, {7, 12}, {16, 32}, {30, 256}, {200, 256}};
        for (int[] p : params) {
            Zfec fec = new Zfec(p[0], p[1]);
            byte[][] primary = new byte[p[0]][37];
            for (byte[] block : primary) {
                random.nextBytes(block);
            }
            int[] all = new int[p[1]];
            Arrays.setAll(all, i -> i);
            byte[][] shares = fec.encode(primary, all);
            for (int trial = 0; trial < 5; trial++) {
                List<Integer> pool = new ArrayList<>();
                for (int i = 0; i < p[1]; i++) {
                    pool.add(i);
                }
                java.util.Collections.shuffle(pool, random);
                int[] chosen = pool.subList(0, p[0]).stream().mapToInt(Integer::intValue).toArray();
                byte[][] blocks = Arrays.stream(chosen).mapToObj(i -> shares[i]).toArray(byte[][]::new);
                assertThat(fec.decode(blocks, chosen)).isDeepEqualTo(primary);
            }
        }
    }

    @Test
    void longBlocksCodeAsTheirPiecesDo() {
        // Blocks of several stripes and a ragged end, against the same bytes coded 37 at a time (where most
        // of each piece is the tail that does not fill a long) and rebuilt from parity shares only.
        Random random = new Random(7);
        int[][] params = {{3, 10}, {16, 32}, {200, 256}};
        for (int[] p : params) {
            int k = p[0];
            int n = p[1];
            Zfec fec = new Zfec(k, n);
            int blockSize = 3 * 4096 + 13;
            byte[][] primary = new byte[k][blockSize];
            for (byte[] block : primary) {
                random.nextBytes(block);
            }
            int[] parity = new int[n - k];
            Arrays.setAll(parity, i -> k + i);
            byte[][] whole = fec.encode(primary, parity);
            byte[][] pieces = new byte[parity.length][blockSize];
            for (int at = 0; at < blockSize; at += 37) {
                fec.encode(primary, at, Math.min(37, blockSize - at), parity, pieces, at);
            }
            assertThat(whole).as("k=%d n=%d", k, n).isDeepEqualTo(pieces);
            int[] chosen = Arrays.copyOfRange(parity, parity.length - Math.min(k, parity.length), parity.length);
            if (chosen.length == k) {
                byte[][] blocks = Arrays.stream(chosen).mapToObj(i -> whole[i - k]).toArray(byte[][]::new);
                assertThat(fec.decode(blocks, chosen)).as("k=%d n=%d", k, n).isDeepEqualTo(primary);
            }
        }
    }

    @Test
    void rejectsImpossibleParametersAndInputs() {
        assertThatThrownBy(() -> new Zfec(0, 3)).hasMessageContaining("1 <= k <= N <= 256");
        assertThatThrownBy(() -> new Zfec(4, 3)).hasMessageContaining("k=4 N=3");
        assertThatThrownBy(() -> new Zfec(3, 257)).hasMessageContaining("N=257");
        Zfec fec = new Zfec(2, 4);
        assertThatThrownBy(() -> fec.decode(new byte[][] {new byte[4], new byte[4]}, new int[] {1, 1}))
                .hasMessageContaining("share 1 given twice");
        assertThatThrownBy(() -> fec.decode(new byte[][] {new byte[4]}, new int[] {1}))
                .hasMessageContaining("exactly 2 shares");
        assertThatThrownBy(() -> fec.decode(new byte[][] {new byte[4], new byte[4]}, new int[] {0, 4}))
                .hasMessageContaining("share number 4");
    }

    static List<Case> vectors() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                ZfecTest.class.getResourceAsStream("/zfec/zfec-vectors.txt"), StandardCharsets.US_ASCII))) {
            Case current = null;
            for (String line; (line = reader.readLine()) != null;) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "case" -> {
                        current = new Case(Integer.parseInt(f[1]), Integer.parseInt(f[2]), new ArrayList<>(),
                                new ArrayList<>(), new ArrayList<>());
                        cases.add(current);
                    }
                    case "in" -> current.in().add(HEX.parseHex(f[2]));
                    case "out" -> current.out().add(HEX.parseHex(f[2]));
                    case "decode" -> current.decodes().add(
                            Arrays.stream(f[1].split(",")).mapToInt(Integer::parseInt).toArray());
                    default -> throw new IllegalStateException("unexpected vector line: " + line);
                }
            }
        }
        return cases;
    }
}
