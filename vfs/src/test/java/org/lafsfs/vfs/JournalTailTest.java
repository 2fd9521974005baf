package org.lafsfs.vfs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine crash can leave a directory journal's last line cut short. That line was never acknowledged; the
 * lines before it and the ones appended after the restart are all kept.
 */
class JournalTailTest {
    @TempDir
    Path dir;

    @Test
    void aLineCutShortIsDroppedAndTheNextEditIsNotGluedToIt() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client().holdingEdits();
            Path edits = c.config().spoolDir().resolve("edits");
            c.mkdirThenCrash("/kept");
            List<Path> journals;
            try (var files = Files.list(edits)) {
                journals = files.filter(p -> p.toString().endsWith(".jsonl")).toList();
            }
            assertThat(journals).isNotEmpty();
            for (Path journal : journals) { // half a line with a name in two-byte characters, cut inside one
                byte[] half = ("{\"dir\":\"" + c.root().uri() + "\",\"name\":\"caf\u00e9\u00e9").getBytes(UTF_8);
                Files.write(journal, java.util.Arrays.copyOf(half, half.length - 1), StandardOpenOption.APPEND);
            }

            LafsVfs second = LafsVfs.open(c.grid(), c.root(), c.config());
            try {
                assertThat(second.stat("/kept").isDirectory()).isTrue();
                second.setModified("/kept", Instant.parse("2001-09-09T01:46:40Z"));
                second.mkdir("/after");
            } finally {
                second.abandon();
            }
            try (LafsVfs third = LafsVfs.open(c.grid(), c.root(), c.config())) {
                assertThat(third.stat("/after").isDirectory()).as("the edit appended after the torn line").isTrue();
                assertThat(third.stat("/kept").modified()).isEqualTo(Instant.parse("2001-09-09T01:46:40Z"));
                third.sync();
            }
            assertThat(fixture.rootDirnode().list()).containsKeys("kept", "after");
        }
    }
}
