package org.lafsfs.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys made ahead and kept on disk: each handed out once, whoever asks, and private to their owner. */
class KeyStashTest {
    @TempDir
    Path dir;

    private static String id(SigningKey key) {
        return java.util.HexFormat.of().formatHex(key.der());
    }

    @Test
    void everyKeyIsHandedOutOnceEvenToTakersRacingInTwoStashesOverOneDirectory() throws Exception {
        KeyStash one = new KeyStash(dir.resolve("keys"), 0, 0);
        KeyStash two = new KeyStash(dir.resolve("keys"), 0, 0);
        for (int i = 0; i < 6; i++) {
            one.addOne();
        }
        assertThat(two.size()).isEqualTo(6);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<java.util.Optional<SigningKey>>> taken = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            KeyStash s = i % 2 == 0 ? one : two;
            taken.add(pool.submit(s::take));
        }
        Set<String> got = new HashSet<>();
        int empty = 0;
        for (Future<java.util.Optional<SigningKey>> f : taken) {
            java.util.Optional<SigningKey> k = f.get();
            if (k.isPresent()) {
                assertThat(got.add(id(k.get()))).as("handed out twice").isTrue();
            } else {
                empty++;
            }
        }
        pool.shutdown();
        assertThat(got).hasSize(6);
        assertThat(empty).isEqualTo(4);
        assertThat(one.size()).isZero();
        try (var left = Files.list(dir.resolve("keys"))) {
            assertThat(left.toList()).as("nothing left behind").isEmpty();
        }
    }

    @Test
    void keysArePrivateAndSignLikeFreshOnes() throws Exception {
        KeyStash stash = new KeyStash(dir.resolve("keys"), 0, 0);
        stash.addOne();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keys"))))
                .isEqualTo("rwx------");
        try (var files = Files.list(dir.resolve("keys"))) {
            Path key = files.findFirst().orElseThrow();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        }
        SigningKey key = stash.take().orElseThrow();
        byte[] message = "signed by a stashed key".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(key.verifyingKey().verify(message, key.sign(message))).isTrue();
        assertThat(stash.take()).isEmpty();
    }

    @Test
    void aDamagedKeyFileIsDroppedNotHandedOut() throws Exception {
        KeyStash stash = new KeyStash(dir.resolve("keys"), 0, 0);
        Files.write(dir.resolve("keys/broken.key"), new byte[] {1, 2, 3});
        assertThat(stash.take()).isEmpty();
        assertThat(stash.problem()).contains("unreadable");
        assertThat(stash.size()).isZero();
    }

    @Test
    void fillingWaitsForAQuietMomentThenKeepsTheTargetReady() throws Exception {
        KeyStash stash = new KeyStash(dir.resolve("keys"), 2, 200);
        stash.startFilling();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (stash.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(1500); // it stops at the target
        assertThat(stash.size()).isEqualTo(2);
        stash.close();
    }

    @Test
    void aKeyATakerDiedHoldingIsNeverHandedOutAgain() throws Exception {
        KeyStash stash = new KeyStash(dir.resolve("keys"), 0, 0);
        stash.addOne();
        try (var files = Files.list(dir.resolve("keys"))) {
            Path key = files.findFirst().orElseThrow();
            Files.move(key, key.resolveSibling(key.getFileName() + ".taken-crashed")); // taken, then the crash
        }
        KeyStash restarted = new KeyStash(dir.resolve("keys"), 0, 0);
        assertThat(restarted.take()).isEmpty();
        try (var left = Files.list(dir.resolve("keys"))) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void fillingWaitsWhileTheRestOfTheProcessIsBusy() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong cpu = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
        // While busy, every look finds another second of CPU used by other threads: far over a tenth of a core.
        KeyStash stash = new KeyStash(dir.resolve("keys"), 2, 0, () -> {
            looks.incrementAndGet();
            return busy.get() ? cpu.addAndGet(1_000_000_000_000L) : cpu.get();
        });
        stash.startFilling();
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (looks.get() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(looks.get()).as("the filler looked at the process's load").isGreaterThanOrEqualTo(4);
            assertThat(stash.size()).as("no key made while the process was busy").isZero();
            busy.set(false);
            while (stash.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(stash.size()).as("keys made once it was idle").isEqualTo(2);
        } finally {
            stash.close();
        }
    }
}
