package org.lafsfs.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys made ahead are real, distinct RSA-2048 keys, each handed out once; while the disk stash has keys, a
 * burst takes those and nothing is made meanwhile.
 */
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

    @Test
    void whileTheDiskStashHasKeysNoneAreMadeInMemory(@TempDir Path dir) throws Exception {
        KeyStash stash = new KeyStash(dir.resolve("keys"), 0, 0);
        for (int i = 0; i < 3; i++) {
            stash.addOne();
        }
        KeyPool.take(); // with no stash: the pool makes keys ahead in memory
        awaitNotFilling();
        KeyPool.use(stash);
        try {
            long made = KeyPool.madeAhead();
            for (int i = 0; i < 3; i++) {
                KeyPool.take();
            }
            assertThat(stash.size()).as("keys left on disk").isZero();
            assertThat(KeyPool.filling()).as("making keys in memory").isFalse();
            assertThat(KeyPool.madeAhead()).isEqualTo(made);
        } finally {
            KeyPool.use(null);
        }
    }

    private static void awaitNotFilling() throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (KeyPool.filling() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(KeyPool.filling()).as("making keys ahead, a minute on").isFalse();
    }
}
