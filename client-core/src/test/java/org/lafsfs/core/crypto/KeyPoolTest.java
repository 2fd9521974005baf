package org.lafsfs.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Keys made ahead are real, distinct RSA-2048 keys, each handed out once. */
class KeyPoolTest {
    @Test
    void everyKeyTakenIsAFreshWorkingKey() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            SigningKey key = KeyPool.take();
            assertThat(seen.add(java.util.HexFormat.of().formatHex(key.der()))).as("key %d is new", i).isTrue();
            byte[] message = ("message " + i).getBytes();
            assertThat(key.verifyingKey().verify(message, key.sign(message))).isTrue();
        }
    }
}
