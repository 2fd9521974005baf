package org.lafsfs.vfs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spool the VFS cannot read is refused with one clear error, left exactly as it was found (it may hold the only
 * record of an edit), and the refused open leaves no threads behind.
 */
class UnreadableSpoolTest {
    @TempDir
    Path dir;

    @Test
    void aJournalLineThatIsNotAnEditIsRefusedAndKept() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client().holdingEdits();
            c.mkdirThenCrash("/kept");
            Path journal = journals(c.config().spoolDir().resolve("edits")).get(0);
            Files.write(journal, "{\"name\":\"no directory\"}\n".getBytes(UTF_8), StandardOpenOption.APPEND);
            byte[] found = Files.readAllBytes(journal);
            int threadsBefore = vfsThreads();

            assertThatThrownBy(() -> LafsVfs.open(c.grid(), c.root(), c.config()))
                    .isInstanceOfSatisfying(VfsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO))
                    .hasMessageContaining(journal.toString())
                    .hasMessageContaining("is not a directory edit");

            assertThat(Files.readAllBytes(journal)).as("the journal as it was found").isEqualTo(found);
            assertThat(eventuallyVfsThreads(threadsBefore)).as("threads of the refused open")
                    .isLessThanOrEqualTo(threadsBefore);

            // Once the line is mended by hand, the edit before it is recovered.
            List<String> lines = Files.readAllLines(journal, UTF_8);
            Files.write(journal, lines.subList(0, lines.size() - 1), UTF_8);
            try (LafsVfs mended = LafsVfs.open(c.grid(), c.root(), c.config())) {
                assertThat(mended.stat("/kept").isDirectory()).isTrue();
                mended.sync();
            }
            assertThat(fixture.rootDirnode().list()).containsKey("kept");
        }
    }

    @Test
    void anUnreadableUploadRecordStopsTheRecoveryBeforeAnythingIsPublished() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client().holdingEdits();
            c.mkdirThenCrash("/pending");
            // A record file as versions before the staging log kept them, naming nothing.
            Path record = c.config().spoolDir().resolve("uploads").resolve("0123.json");
            Files.writeString(record, "{\"kind\":\"IMMUTABLE\"}");
            int threadsBefore = vfsThreads();

            assertThatThrownBy(() -> LafsVfs.open(c.grid(), c.root(), c.config()))
                    .isInstanceOfSatisfying(VfsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO))
                    .hasMessageContaining("record " + record)
                    .hasMessageContaining("cannot be recovered");
            assertThat(eventuallyVfsThreads(threadsBefore)).as("threads of the refused open")
                    .isLessThanOrEqualTo(threadsBefore);
            Thread.sleep(VfsFixture.DIR_CACHE_TIME.toMillis() * 2);
            assertThat(fixture.rootDirnode().list()).as("the recovered edit, not published by the refused open")
                    .doesNotContainKey("pending");
            assertThat(record).exists();

            Files.delete(record);
            try (LafsVfs mended = LafsVfs.open(c.grid(), c.root(), c.config())) {
                mended.sync();
            }
            assertThat(fixture.rootDirnode().list()).containsKey("pending");
        }
    }

    @Test
    void aSpoolThatCannotBeMadeIsRefusedWithoutThreadsLeft() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client();
            Files.createDirectories(c.config().spoolDir());
            Files.writeString(c.config().spoolDir().resolve("uploads"), "a file where a directory belongs");
            int threadsBefore = vfsThreads();

            assertThatThrownBy(() -> LafsVfs.open(c.grid(), c.root(), c.config()))
                    .isInstanceOfSatisfying(VfsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO))
                    .hasMessageContaining("cannot open the spool in " + c.config().spoolDir());
            assertThat(eventuallyVfsThreads(threadsBefore)).isLessThanOrEqualTo(threadsBefore);
        }
    }

    private static List<Path> journals(Path edits) throws Exception {
        try (var files = Files.list(edits)) {
            return files.filter(p -> p.toString().endsWith(".jsonl") && p.toFile().length() > 0).toList();
        }
    }

    private static int vfsThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && (t.getName().startsWith("lafsfs-vfs-")
                        || t.getName().equals("lafsfs-files-ahead"))).count();
    }

    /**
     * The count once it is down to {@code expected} or below (threads of VFSes abandoned earlier may still be on
     * their way out), or after five seconds: a pool's threads exit just after it terminates.
     */
    private static int eventuallyVfsThreads(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        int n = vfsThreads();
        while (n > expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
            n = vfsThreads();
        }
        return n;
    }
}
