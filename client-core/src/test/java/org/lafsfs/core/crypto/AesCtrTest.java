package org.lafsfs.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AesCtrTest {

    @Test
    void theKeyStreamIsAesOfABigEndianCounterFromZero() throws Exception {
        byte[] key = HexFormat.of().parseHex("2b7e151628aed2a6abf7158809cf4f3c");
        javax.crypto.Cipher ecb = javax.crypto.Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(key, "AES"));
        byte[] counters = new byte[48];
        counters[15] = 0;
        counters[31] = 1;
        counters[47] = 2;
        byte[] expected = ecb.doFinal(counters);
        assertThat(AesCtr.crypt(key, new byte[48])).isEqualTo(expected);
    }

    @Test
    void aStreamOpenedAtAnOffsetMatchesTheWholeStream() {
        byte[] key = new byte[16];
        new Random(3).nextBytes(key);
        byte[] plain = new byte[5000];
        new Random(4).nextBytes(plain);
        byte[] whole = AesCtr.crypt(key, plain);
        for (int offset : new int[] {1, 15, 16, 17, 4095, 4999}) {
            byte[] part = Arrays.copyOfRange(plain, offset, plain.length);
            AesCtr.at(key, offset).process(part);
            assertThat(part).as("offset %d", offset).isEqualTo(Arrays.copyOfRange(whole, offset, whole.length));
        }
    }

    @Test
    void processingInPiecesEqualsProcessingAtOnce() {
        byte[] key = new byte[16];
        byte[] plain = new byte[1000];
        new Random(5).nextBytes(plain);
        AesCtr stream = AesCtr.of(key);
        ByteBuffer out = ByteBuffer.allocate(plain.length);
        for (int at = 0; at < plain.length; at += 33) {
            stream.process(ByteBuffer.wrap(plain, at, Math.min(33, plain.length - at)), out);
        }
        assertThat(out.array()).isEqualTo(AesCtr.crypt(key, plain));
        assertThat(AesCtr.crypt(key, AesCtr.crypt(key, plain))).isEqualTo(plain);
    }
}
