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

    @Test
    void keysAreClaimedFromTheStashAheadOfTheTakerAndEachIsHandedOutOnce(@TempDir Path dir) throws Exception {
        KeyStash stash = new KeyStash(dir.resolve("keys"), 0, 0);
        for (int i = 0; i < 20; i++) {
            stash.addOne();
        }
        awaitNotFilling();
        long madeBefore = KeyPool.madeAhead();
        KeyPool.use(stash);
        try {
            Set<String> seen = new HashSet<>();
            seen.add(java.util.HexFormat.of().formatHex(KeyPool.take().der()));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (KeyPool.claimedAhead() < 8 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(KeyPool.claimedAhead()).as("claimed ahead, in memory").isEqualTo(8);
            assertThat(stash.size()).as("left on disk").isEqualTo(20 - 1 - 8);
            for (int i = 1; i < 12; i++) {
                assertThat(seen.add(java.util.HexFormat.of().formatHex(KeyPool.take().der()))).isTrue();
            }
            assertThat(KeyPool.madeAhead()).as("nothing made while the stash had keys").isEqualTo(madeBefore);
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
