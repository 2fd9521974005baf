package org.lafsfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spool files and journals are made ahead, off the writer's path; whatever is not taken goes at close. */
class FilesMadeAheadTest {
    @TempDir
    Path dir;

    private static void awaitReady(FilesMadeAhead files, int n) throws InterruptedException {
        for (int i = 0; i < 1000 && files.ready() < n; i++) {
            Thread.sleep(10);
        }
        assertThat(files.ready()).isGreaterThanOrEqualTo(n);
    }

    private long filesOnDisk() throws Exception {
        try (var list = Files.list(dir)) {
            return list.count();
        }
    }

    @Test
    void aTakenPathIsAnEmptyFileMadeAheadAndEveryOneIsDistinct() throws Exception {
        try (FilesMadeAhead files = new FilesMadeAhead(dir, ".data", false)) {
            awaitReady(files, FilesMadeAhead.AHEAD);
            Set<Path> taken = new HashSet<>();
            for (int i = 0; i < 3 * FilesMadeAhead.AHEAD; i++) {
                Path p = files.take();
                assertThat(taken.add(p)).as("handed out once: " + p).isTrue();
                if (Files.exists(p)) {
                    assertThat(Files.size(p)).isZero();
                }
            }
            assertThat(taken.stream().filter(Files::exists).count()).as("most made ahead")
                    .isGreaterThanOrEqualTo(FilesMadeAhead.AHEAD);
            awaitReady(files, FilesMadeAhead.AHEAD / 2); // refilled after the run on them
        }
    }

    @Test
    void durableOnesAreNamedWithTheirSuffixAndHandedOutOnlyOnceMade() throws Exception {
        try (FilesMadeAhead journals = new FilesMadeAhead(dir, ".jsonl", true)) {
            awaitReady(journals, FilesMadeAhead.AHEAD);
            Path made = journals.takeMade().orElseThrow();
            assertThat(made.getFileName().toString()).endsWith(".jsonl");
            assertThat(Files.exists(made)).isTrue();
        }
    }

    @Test
    void closingRemovesTheFilesNotTakenAndLaterTakesAreFreshNames() throws Exception {
        FilesMadeAhead files = new FilesMadeAhead(dir, ".data", false);
        awaitReady(files, FilesMadeAhead.AHEAD);
        Path kept = files.take();
        files.close();
        assertThat(filesOnDisk()).as("only the one taken").isEqualTo(1);
        assertThat(Files.exists(kept)).isTrue();
        Path fresh = files.take();
        assertThat(fresh.getParent()).isEqualTo(dir);
        assertThat(Files.exists(fresh)).as("a name; OpenFile creates it").isFalse();
    }
}
