package org.lafsfs.vfs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The staging log keeps every forced record until it is done, across restarts and whatever a crash tears. */
class StagingLogTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static Map<String, String> live(Path dir) throws Exception {
        try (StagingLog log = new StagingLog(dir)) {
            Map<String, String> all = new java.util.LinkedHashMap<>();
            log.takeRecovered().forEach((id, payload) -> all.put(id, new String(payload, UTF_8)));
            return all;
        }
    }

    private List<Path> logFiles() throws Exception {
        try (var files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    @Test
    void aRestartFindsWhatWasStagedAndNotDoneInTheOrderOfTheirNewestVersions() throws Exception {
        try (StagingLog log = new StagingLog(dir)) {
            log.stage("a", bytes("first a"), true);
            log.stage("b", bytes("b"), true);
            log.stage("c", bytes("c"), true);
            log.done("b");
            log.stage("a", bytes("a, renamed"), true);
        }
        assertThat(live(dir)).containsExactly(Map.entry("c", "c"), Map.entry("a", "a, renamed"));
    }

    @Test
    void aCrashTearingTheUnforcedTailLosesOnlyWhatWasNeverForced() throws Exception {
        Path file;
        long tornAt;
        try (StagingLog log = new StagingLog(dir)) {
            log.stage("kept", bytes("acknowledged"), true);
            file = logFiles().get(0);
            tornAt = sizeOfEntries(file);
            log.stage("torn", bytes("x".repeat(3000)), false);
            log.stage("after", bytes("also never forced"), false);
        }
        // A machine crash wrote part of the unforced entries' pages: half of the first one is zeros again.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1500), tornAt + 1000);
        }
        assertThat(live(dir)).containsOnlyKeys("kept");
        try (StagingLog again = new StagingLog(dir)) {
            assertThat(again.takeRecovered()).containsOnlyKeys("kept");
            again.stage("next", bytes("written after the restart"), true);
        }
        assertThat(live(dir)).containsOnlyKeys("kept", "next");
    }

    /** Bytes up to the first zero magic number: where the next entry would go. */
    private static long sizeOfEntries(Path file) throws Exception {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file));
        while (all.getInt(all.position()) != 0) {
            all.position(all.position() + 15 + all.getShort(all.position() + 5) + all.getInt(all.position() + 7));
        }
        return all.position();
    }

    @Test
    void filesAreLaidDownInAdvanceAndRemovedInOrderOnceEverythingInThemIsDone() throws Exception {
        try (StagingLog log = new StagingLog(dir, 4096)) {
            assertThat(logFiles()).as("none until the first entry").isEmpty();
            log.stage("long-upload", bytes("stays pending"), true);
            assertThat(logFiles()).hasSize(1);
            assertThat(Files.size(logFiles().get(0))).as("zeros laid down before any force").isEqualTo(4096);
            for (int i = 0; i < 100; i++) {
                log.stage("f" + i, bytes("y".repeat(500)), true);
                log.done("f" + i);
            }
            assertThat(logFiles().size()).as("a pending record's entry is copied on instead of keeping every file")
                    .isLessThanOrEqualTo(StagingLog.KEPT_BEHIND + 2);
            log.done("long-upload");
            log.stage("one-more", bytes("z".repeat(4000)), true); // the next roll removes the finished files
            assertThat(logFiles()).hasSizeLessThanOrEqualTo(2);
        }
        assertThat(live(dir)).containsOnlyKeys("one-more");
    }

    @Test
    void recordsCopiedOnToANewerFileComeBackOnceAfterARestartWithTheirPayload() throws Exception {
        try (StagingLog log = new StagingLog(dir, 4096)) {
            log.stage("stuck-1", bytes("first pending upload"), true);
            log.stage("stuck-2", bytes("second pending upload"), true);
            for (int i = 0; i < 60; i++) {
                log.stage("f" + i, bytes("z".repeat(700)), true);
                log.done("f" + i);
            }
        }
        assertThat(live(dir)).containsOnly(Map.entry("stuck-1", "first pending upload"),
                Map.entry("stuck-2", "second pending upload"));
    }

    @Test
    void aRecordLargerThanAFileGetsAFileOfItsOwn() throws Exception {
        String big = "r".repeat(20_000);
        try (StagingLog log = new StagingLog(dir, 4096)) {
            log.stage("many-ranges", bytes(big), true);
        }
        assertThat(live(dir)).containsExactly(Map.entry("many-ranges", big));
    }

    @Test
    void anInterruptedCallerNeitherFailsNorBreaksTheLogForOthers() throws Exception {
        try (StagingLog log = new StagingLog(dir)) {
            Thread.currentThread().interrupt();
            log.stage("while-interrupted", bytes("a cancelled request's close"), true);
            assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
            log.stage("afterwards", bytes("another"), true);
        }
        assertThat(live(dir)).containsOnlyKeys("while-interrupted", "afterwards");
    }

    @Test
    void concurrentClosesAllGetTheirRecordsForced() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try (StagingLog log = new StagingLog(dir, 64 * 1024)) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String id = "file" + i;
                all.add(threads.submit(() -> {
                    log.stage(id, bytes(id.repeat(50)), true);
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
        Map<String, String> live = live(dir);
        assertThat(live).hasSize(400);
        assertThat(live.get("file123")).isEqualTo("file123".repeat(50));
    }
}
