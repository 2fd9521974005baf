package org.lafsfs.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Work done for later runs at nice 19, and only the thread that asked for it does. */
@EnabledOnOs(OS.LINUX)
class IdlePriorityTest {
    private static String currentTid() throws java.io.IOException {
        return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    }

    @Test
    void aThreadThatAsksRunsAtNice19AndTheOthersKeepTheirs() throws Exception {
        String mine = currentTid();
        Integer before = IdlePriority.niceOf(mine);
        assumeTrue(before != null && before != IdlePriority.NICE, "the tests already run at nice 19");
        AtomicReference<String> tid = new AtomicReference<>();
        AtomicBoolean lowered = new AtomicBoolean();
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch looked = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                tid.set(currentTid());
                lowered.set(IdlePriority.lowerCurrentThread());
                asked.countDown();
                looked.await(30, TimeUnit.SECONDS); // stays alive to be looked at
            } catch (java.io.IOException | InterruptedException e) {
                asked.countDown();
            }
        });
        t.start();
        try {
            assertThat(asked.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(lowered.get()).isTrue();
            assertThat(IdlePriority.niceOf(tid.get())).isEqualTo(IdlePriority.NICE);
            assertThat(IdlePriority.niceOf(mine)).isEqualTo(before);
        } finally {
            looked.countDown();
            t.join();
        }
    }

    @Test
    void theKeyStashFillsAtNice19(@TempDir Path dir) throws Exception {
        // A long quiet time: the filler lowers itself, then sleeps instead of making a key in the temp dir.
        KeyStash stash = new KeyStash(dir, 1, 3_600_000);
        try {
            stash.startFilling();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!stash.fillsAtLowestPriority() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(stash.fillsAtLowestPriority()).isTrue();
        } finally {
            stash.close();
        }
    }
}
