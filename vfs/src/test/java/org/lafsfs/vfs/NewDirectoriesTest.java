package org.lafsfs.vfs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.lafsfs.core.cap.CapParser;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.dirnode.Dirnode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory made through the VFS has its cap at once and reaches the grid with its first publish, carrying
 * what was made in it meanwhile; on the grid a link never comes before the directory it links.
 */
class NewDirectoriesTest {
    /** Long enough that nothing is published unless a test asks for it. */
    private static final Duration HELD = Duration.ofHours(1);

    @TempDir
    Path dir;

    @Test
    void aNewDirectoryIsCreatedOnTheGridByOnePublishHoldingWhatWasMadeInIt() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client().with(config -> config.withEditWindow(HELD));
            try (LafsVfs vfs = LafsVfs.open(c.grid(), c.root(), c.config())) {
                vfs.mkdir("/d");
                write(vfs, "/d/a", "first");
                write(vfs, "/d/b", "second");
                assertThat(vfs.readdir("/d")).hasSize(2);

                vfs.sync();

                DirectoryCap d = child(fixture.rootDirnode(), "d");
                assertThat(fixture.seqnum(d)).as("publishes of the new directory").isEqualTo(1);
                assertThat(Dirnode.open(fixture.grid().client(), d).list()).containsOnlyKeys("a", "b");
            }
        }
    }

    @Test
    void publishingADirectoryFirstCreatesTheNewDirectoriesItLinks() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client().with(config -> config.withEditWindow(HELD));
            try (LafsVfs vfs = LafsVfs.open(c.grid(), c.root(), c.config())) {
                vfs.mkdir("/a");
                vfs.mkdir("/a/b");
                write(vfs, "/a/b/f", "deep");

                vfs.fsyncDirectory("/"); // only the root is asked for

                Dirnode a = Dirnode.open(fixture.grid().client(), child(fixture.rootDirnode(), "a"));
                Dirnode b = Dirnode.open(fixture.grid().client(), child(a, "b"));
                assertThat(b.list()).containsOnlyKeys("f");
                assertThat(vfs.status().directoriesWithPendingEdits()).isZero();
            }
        }
    }

    @Test
    void aDirectoryCreatedByARunThatStoppedBeforeItsJournalSaidSoIsEditedNotCreatedAgain() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client().with(config -> config.withEditWindow(HELD));
            Path edits = c.config().spoolDir().resolve("edits");
            Path saved = Files.createDirectories(dir.resolve("saved-edits"));
            try (LafsVfs vfs = LafsVfs.open(c.grid(), c.root(), c.config())) {
                vfs.mkdir("/d");
                write(vfs, "/d/x", "kept");
                copy(edits, saved); // the journal as it was before the publish
                vfs.sync();
            }
            assertThat(Files.list(edits).toList()).as("journal after the publish").isEmpty();
            copy(saved, edits); // as if the run had stopped between publishing and noting it

            try (LafsVfs restarted = LafsVfs.open(c.grid(), c.root(), c.config())) {
                restarted.sync();
                assertThat(restarted.status().failedUploads()).isEmpty();
                assertThat(restarted.status().directoriesWithPendingEdits()).isZero();
                DirectoryCap d = child(fixture.rootDirnode(), "d");
                assertThat(Dirnode.open(fixture.grid().client(), d).list()).containsOnlyKeys("x");
                assertThat(text(restarted, "/d/x")).isEqualTo("kept");
            }
        }
    }

    @Test
    void aDirectoryWhoseJournalWasMadeAheadComesBackAfterACrashAndTheJournalGoesOnceItIsPublished()
            throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client().with(config -> config.withEditWindow(HELD));
            Path edits = c.config().spoolDir().resolve("edits");
            LafsVfs first = LafsVfs.open(c.grid(), c.root(), c.config());
            try {
                for (int i = 0; i < 1000 && journals(edits).size() < FilesMadeAhead.AHEAD; i++) {
                    Thread.sleep(10);
                }
                assertThat(journals(edits)).as("empty journals made ahead").hasSize(FilesMadeAhead.AHEAD);
                Thread.sleep(1000); // and their names synced into the directory: then they are handed out
                first.mkdir("/d");
                write(first, "/d/x", "kept");
            } finally {
                first.abandon(); // as a crash would: nothing published
            }
            Path used = null;
            for (Path j : journals(edits)) {
                if (Files.readString(j).contains("\"create\"")) {
                    used = j;
                }
            }
            assertThat(used).as("the new directory's journal").isNotNull();
            String line = Files.readString(used).lines().findFirst().orElseThrow();
            DirectoryCap made = (DirectoryCap) CapParser.parse(
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("dir").asText());
            assertThat(used.getFileName().toString()).as("one made ahead, not named by its storage index")
                    .isNotEqualTo(Directories.key(made) + ".jsonl");
            Path unused = Files.createFile(edits.resolve("made-ahead-never-used.jsonl"));
            try (LafsVfs restarted = LafsVfs.open(c.grid(), c.root(), c.config())) {
                assertThat(unused).as("an empty journal is removed at the start").doesNotExist();
                restarted.sync();
                DirectoryCap d = child(fixture.rootDirnode(), "d");
                assertThat(Dirnode.open(fixture.grid().client(), d).list()).containsOnlyKeys("x");
                assertThat(text(restarted, "/d/x")).isEqualTo("kept");
            }
            assertThat(used).as("published: its journal gone, so no creation can be redone").doesNotExist();
        }
    }

    private static java.util.List<Path> journals(Path edits) throws IOException {
        try (var files = Files.list(edits)) {
            return files.filter(p -> p.toString().endsWith(".jsonl")).toList();
        }
    }

    @Test
    void aCreationCutShortBeforeKSharesWerePlacedIsFinishedByTheNextPublish() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client().with(config -> config.withEditWindow(HELD));
            try (LafsVfs vfs = LafsVfs.open(c.grid(), c.root(), c.config())) {
                vfs.mkdir("/d");
                write(vfs, "/d/x", "inside");
                var servers = fixture.grid().servers();
                // Servers vanish as the creation reaches them: only the first two writes land.
                java.util.concurrent.atomic.AtomicInteger landed = new java.util.concurrent.atomic.AtomicInteger();
                servers.forEach(server -> server.beforeNextMutableWrite(() -> {
                    if (landed.incrementAndGet() > 2) {
                        servers.forEach(org.lafsfs.storage.SimulatedGrid.Server::goDown);
                    }
                }));
                assertThatThrownBy(() -> vfs.fsyncDirectory("/d")).as("the creation is cut short")
                        .isInstanceOf(VfsException.class);
                fixture.serversUp();

                vfs.sync(); // seqnum 1 is on two servers, unreadable: the directory is published over it

                DirectoryCap d = child(fixture.rootDirnode(), "d");
                assertThat(Dirnode.open(fixture.grid().client(), d).list()).containsOnlyKeys("x");
                assertThat(fixture.seqnum(d)).as("published over the cut-short creation").isEqualTo(2);
                assertThat(vfs.status().failedUploads()).isEmpty();
            }
        }
    }

    private static void write(Vfs vfs, String path, String text) throws Exception {
        byte[] data = text.getBytes(UTF_8);
        FileHandle h = vfs.open(path, EnumSet.of(OpenOption.CREATE, OpenOption.WRITE));
        h.write(0, data, 0, data.length);
        h.close();
    }

    private static String text(Vfs vfs, String path) throws Exception {
        FileHandle h = vfs.open(path, EnumSet.of(OpenOption.READ));
        byte[] data = new byte[100];
        int n = h.read(0, data, 0, data.length);
        h.close();
        return new String(data, 0, n, UTF_8);
    }

    private static DirectoryCap child(Dirnode parent, String name) throws IOException {
        return (DirectoryCap) CapParser.parse(parent.get(name).orElseThrow().writeCap());
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
