package org.lafsfs.dropupload;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.vfs.DirectoryListing;
import org.lafsfs.vfs.FileHandle;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.OpenOption;
import org.lafsfs.vfs.Vfs;
import org.lafsfs.vfs.VfsException;
import org.lafsfs.vfs.VfsFixture;

/**
 * A real local folder mirrored onto a real (simulated, in-process) grid
 * through the VFS, with what another client of the grid then sees.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DropUploaderTest {
    private static final Duration SETTLE = Duration.ofMillis(150);
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path dir;
    private VfsFixture fixture;
    private Path local;
    private Path stateFile;
    private LafsVfs vfs;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void grid() throws Exception {
        fixture = new VfsFixture(dir.resolve("fixture"));
        local = Files.createDirectories(dir.resolve("local"));
        stateFile = dir.resolve("state/drop-upload.json");
        VfsFixture.Client c = fixture.client();
        vfs = LafsVfs.open(c.grid(), c.root(), c.config());
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        vfs.close();
        fixture.close();
    }

    private DropUploadConfig config() {
        return DropUploadConfig.defaults(local, stateFile).withSettle(SETTLE, Duration.ofSeconds(30));
    }

    private DropUploader start(DropUploadConfig config) throws Exception {
        DropUploader uploader = DropUploader.start(vfs, config);
        open.add(uploader);
        return uploader;
    }

    /** Waits until the uploader is idle and its directory edits are published. */
    private void settle(DropUploader uploader) throws Exception {
        Thread.sleep(SETTLE.toMillis() * 3); // notifications of the last changes arrive
        assertThat(uploader.awaitIdle(DEADLINE)).as("idle: " + uploader.status()).isTrue();
        vfs.sync();
    }

    /** What a different client of the grid reads at {@code path}. */
    private static byte[] read(Vfs reader, String path) throws VfsException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FileHandle h = reader.open(path, EnumSet.of(OpenOption.READ))) {
            byte[] buffer = new byte[1 << 16];
            long at = 0;
            int n;
            while ((n = h.read(at, buffer, 0, buffer.length)) > 0) {
                out.write(buffer, 0, n);
                at += n;
            }
        }
        return out.toByteArray();
    }

    private Vfs reader() throws Exception {
        VfsFixture.Client c = fixture.client();
        LafsVfs r = LafsVfs.open(c.grid(), c.root(), c.config());
        open.add(r);
        return r;
    }

    private static List<String> names(Vfs v, String path) throws VfsException {
        return v.readdir(path).stream().map(DirectoryListing::name).sorted().toList();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aTreeWithSubfoldersAndUnicodeNamesIsMirroredAsGridDirectories() throws Exception {
        Files.createDirectories(local.resolve("docs/2026/café"));
        Files.write(local.resolve("readme.txt"), "hello".getBytes(UTF_8));
        Files.write(local.resolve("docs/report.bin"), random(300_000, 1)); // CHK, several segments of 128 KiB
        Files.write(local.resolve("docs/2026/café/naïve ü.txt"), "unicode".getBytes(UTF_8));
        Files.write(local.resolve("日本語.txt"), random(70, 2));
        Files.createDirectories(local.resolve("empty"));
        DropUploader uploader = start(config());
        settle(uploader);

        Vfs other = reader();
        assertThat(names(other, "/")).containsExactly("docs", "empty", "readme.txt", "日本語.txt");
        assertThat(read(other, "/docs/report.bin")).isEqualTo(random(300_000, 1));
        assertThat(new String(read(other, "/docs/2026/café/naïve ü.txt"), UTF_8)).isEqualTo("unicode");
        assertThat(read(other, "/日本語.txt")).isEqualTo(random(70, 2));
        assertThat(other.stat("/empty").isDirectory()).isTrue();
        assertThat(uploader.status().failed()).isEmpty();
        assertThat(uploader.status().uploaded()).isEqualTo(4);

        // What was uploaded is remembered with the cap it is linked under.
        com.fasterxml.jackson.databind.JsonNode remembered = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(stateFile.toFile()).path("entries");
        assertThat(remembered.path("docs/report.bin").path("cap").asText())
                .isEqualTo(other.readCap("/docs/report.bin").orElseThrow()).startsWith("URI:CHK:");
        assertThat(remembered.path("readme.txt").path("sha256").asText())
                .isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"); // sha256("hello")
        assertThat(remembered.path("docs").path("dir").asBoolean()).isTrue();
    }

    @Test
    void changesMadeWhileStoppedAreFoundAtStartAndNothingElseIsUploadedAgain() throws Exception {
        for (int i = 0; i < 20; i++) {
            Files.write(local.resolve("f" + i + ".bin"), random(1000 + i, i));
        }
        DropUploader first = start(config());
        settle(first);
        first.close();

        Files.write(local.resolve("f3.bin"), random(5000, 33)); // changed
        Files.write(local.resolve("new.bin"), random(4000, 44)); // added
        Files.delete(local.resolve("f7.bin")); // deleted
        Files.setLastModifiedTime(local.resolve("f9.bin"), // touched only: same contents
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));

        DropUploader second = start(config());
        settle(second);
        DropUploader.Status s = second.status();
        assertThat(s.uploaded()).as("f3 and new.bin only: " + s).isEqualTo(2);
        assertThat(s.deleted()).isEqualTo(1);
        assertThat(s.unchanged()).as("f9's contents are compared, not uploaded").isEqualTo(1);

        Vfs other = reader();
        assertThat(names(other, "/")).hasSize(20).contains("new.bin").doesNotContain("f7.bin");
        assertThat(read(other, "/f3.bin")).isEqualTo(random(5000, 33));
    }

    @Test
    void aBurstOfTenThousandFilesIsUploadedCompletely() throws Exception {
        DropUploader uploader = start(config().withParallelUploads(8));
        for (int d = 0; d < 10; d++) {
            Path sub = Files.createDirectories(local.resolve("d" + d));
            for (int i = 0; i < 1000; i++) {
                Files.writeString(sub.resolve("n" + i + ".txt"), "note " + d + "/" + i);
            }
        }
        settle(uploader);
        assertThat(uploader.status().uploaded()).isEqualTo(10_000);
        assertThat(uploader.status().failed()).isEmpty();
        Vfs other = reader();
        for (int d = 0; d < 10; d++) {
            assertThat(other.readdir("/d" + d)).as("d" + d).hasSize(1000);
        }
        assertThat(new String(read(other, "/d7/n999.txt"), UTF_8)).isEqualTo("note 7/999");
    }

    @Test
    void renamesAreRenamesOnTheGridNotNewUploads() throws Exception {
        for (int i = 0; i < 300; i++) {
            Files.write(local.resolve("a" + i), random(2000, 100 + i));
        }
        DropUploader uploader = start(config());
        settle(uploader);
        long uploadedBefore = uploader.status().uploaded();
        for (int i = 0; i < 300; i++) { // a rename storm
            Files.move(local.resolve("a" + i), local.resolve("b" + i));
        }
        settle(uploader);
        DropUploader.Status s = uploader.status();
        assertThat(s.renamed()).as(s.toString()).isEqualTo(300);
        assertThat(s.uploaded()).isEqualTo(uploadedBefore);
        Vfs other = reader();
        assertThat(names(other, "/")).hasSize(300).allMatch(n -> n.startsWith("b"));
        assertThat(read(other, "/b17")).isEqualTo(random(2000, 117));
    }

    private DropUploader startedAndSettled(Duration settle) throws Exception {
        DropUploader uploader = start(config().withSettle(settle, Duration.ofSeconds(30)));
        settle(uploader);
        return uploader;
    }

    /** A rename whose creation is seen a third of a settle after its deletion (moved out, then back in). */
    private void renameInTwoSteps(String from, String to, Duration settle) throws Exception {
        Path outside = Files.createDirectories(dir.resolve("elsewhere")).resolve(from);
        Files.move(local.resolve(from), outside); // the deletion settles first...
        Thread.sleep(settle.toMillis() / 3);
        Files.move(outside, local.resolve(to)); // ...and the creation a third of a settle later
    }

    @Test
    void aRenameWhoseCreationIsSeenLaterThanItsDeletionIsStillARename() throws Exception {
        Duration settle = Duration.ofMillis(600);
        Files.write(local.resolve("report.pdf"), random(3000, 7));
        DropUploader uploader = startedAndSettled(settle);
        renameInTwoSteps("report.pdf", "final.pdf", settle);
        Thread.sleep(settle.toMillis() * 3);
        settle(uploader);
        DropUploader.Status s = uploader.status();
        assertThat(s.renamed()).as(s.toString()).isEqualTo(1);
        assertThat(s.deleted()).as(s.toString()).isZero();
        assertThat(s.uploaded()).as(s.toString()).isEqualTo(1);
        assertThat(names(reader(), "/")).containsExactly("final.pdf");
    }

    @Test
    void aRenameIsStillARenameWhileAnotherFileKeepsChanging() throws Exception {
        Duration settle = Duration.ofMillis(300);
        Files.write(local.resolve("photo.jpg"), random(4000, 9));
        DropUploader uploader = startedAndSettled(settle);
        Path busy = local.resolve("busy.log");
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 40; i++) { // keeps a later settling time than the rename's halves throughout
                    Files.writeString(busy, "line " + i);
                    Thread.sleep(50);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        Thread.sleep(300);
        renameInTwoSteps("photo.jpg", "renamed.jpg", settle);
        writer.join();
        Thread.sleep(settle.toMillis() * 3);
        settle(uploader);
        DropUploader.Status s = uploader.status();
        assertThat(s.renamed()).as(s.toString()).isEqualTo(1);
        assertThat(s.deleted()).as(s.toString()).isZero();
        assertThat(names(reader(), "/")).containsExactlyInAnyOrder("renamed.jpg", "busy.log");
    }

    @Test
    void aFileRewrittenAHundredTimesASecondIsUploadedOnceItIsQuiet() throws Exception {
        DropUploader uploader = start(config());
        Path hot = local.resolve("hot.log");
        for (int i = 0; i < 150; i++) {
            Files.writeString(hot, "version " + i);
            Thread.sleep(10);
        }
        settle(uploader);
        assertThat(uploader.status().uploaded()).as("coalesced").isLessThanOrEqualTo(3);
        assertThat(new String(read(reader(), "/hot.log"), UTF_8)).isEqualTo("version 149");
    }

    @Test
    void deletionsAreMirroredAndWithArchivingKeptInArchives() throws Exception {
        Files.createDirectories(local.resolve("sub"));
        Files.writeString(local.resolve("sub/x.txt"), "x");
        Files.writeString(local.resolve("keep.txt"), "keep");
        Files.writeString(local.resolve("gone.txt"), "gone");
        DropUploader uploader = start(config().withArchiveDeletions(true));
        settle(uploader);
        Files.delete(local.resolve("gone.txt"));
        Files.delete(local.resolve("sub/x.txt"));
        Files.delete(local.resolve("sub"));
        settle(uploader);
        Vfs other = reader();
        assertThat(names(other, "/")).containsExactly("Archives", "keep.txt");
        List<String> archived = names(other, "/Archives");
        assertThat(archived).hasSize(2).anyMatch(n -> n.startsWith("gone.txt~")).anyMatch(n -> n.startsWith("sub~"));
        String gone = archived.stream().filter(n -> n.startsWith("gone.txt~")).findFirst().orElseThrow();
        assertThat(new String(read(other, "/Archives/" + gone), UTF_8)).isEqualTo("gone");
    }

    @Test
    void withoutArchivingADeletedFolderIsUnlinkedWithEverythingInIt() throws Exception {
        Files.createDirectories(local.resolve("tree/deeper"));
        Files.writeString(local.resolve("tree/deeper/y.txt"), "y");
        Files.writeString(local.resolve("tree/z.txt"), "z");
        DropUploader uploader = start(config());
        settle(uploader);
        assertThat(names(reader(), "/")).containsExactly("tree");
        Files.delete(local.resolve("tree/deeper/y.txt"));
        Files.delete(local.resolve("tree/deeper"));
        Files.delete(local.resolve("tree/z.txt"));
        Files.delete(local.resolve("tree"));
        settle(uploader);
        assertThat(names(reader(), "/")).isEmpty();
    }

    @Test
    void anExistingMutableFileInTheTargetIsUpdatedInPlace() throws Exception {
        MutableFileNode node = MutableFileNode.create(fixture.grid().client(), MutableFormat.MDMF,
                "old contents".getBytes(UTF_8));
        org.lafsfs.core.cap.Cap cap = node.writeCap();
        Dirnode.open(fixture.grid().client(), fixture.root()).link("notes.txt", cap, null, false);
        Files.writeString(local.resolve("notes.txt"), "new contents, written locally");
        DropUploader uploader = start(config());
        settle(uploader);

        assertThat(Dirnode.open(fixture.grid().client(), fixture.root()).get("notes.txt").orElseThrow().writeCap())
                .isEqualTo(cap.uri());
        assertThat(new String(new MutableFileNode(fixture.grid().client(), cap).read(), UTF_8))
                .isEqualTo("new contents, written locally");
    }

    @Test
    void aServerOutageMidSyncIsReportedByNameAndNothingIsLostWhenTheyReturn() throws Exception {
        DropUploader uploader = start(config());
        fixture.serversDown();
        for (int i = 0; i < 5; i++) {
            Files.write(local.resolve("during-outage-" + i + ".bin"), random(10_000, 500 + i));
        }
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (uploader.status().failed().size() < 5 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(uploader.status().failed()).containsOnlyKeys("during-outage-0.bin", "during-outage-1.bin",
                "during-outage-2.bin", "during-outage-3.bin", "during-outage-4.bin");
        fixture.serversUp();
        while (!uploader.status().failed().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        settle(uploader);
        assertThat(uploader.status().failed()).isEmpty();
        Vfs other = reader();
        for (int i = 0; i < 5; i++) {
            assertThat(read(other, "/during-outage-" + i + ".bin")).isEqualTo(random(10_000, 500 + i));
        }
    }

    @Test
    void aLargeFileAppearsToOtherReadersOnlyWhenComplete() throws Exception {
        fixture.slowServers(20); // the upload takes a while
        DropUploader uploader = start(config());
        byte[] big = random(1_500_000, 7);
        Files.write(local.resolve("big.bin"), big);
        Vfs other = reader();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        boolean seen = false;
        while (!seen && System.nanoTime() < deadline) {
            vfs.fsyncDirectory("/"); // whatever the uploader's VFS has linked is published now
            Vfs fresh = reader();
            if (names(fresh, "/").contains("big.bin")) {
                assertThat(fresh.stat("/big.bin").size()).as("never seen partial").isEqualTo(big.length);
                assertThat(read(fresh, "/big.bin")).isEqualTo(big);
                seen = true;
            }
            Thread.sleep(100);
        }
        assertThat(seen).isTrue();
        fixture.serversUp();
        settle(uploader);
        assertThat(read(other, "/big.bin")).isEqualTo(big);
    }

    @Test
    void aFolderRemovedFromTheGridBySomeoneElseIsMadeAgain() throws Exception {
        Files.createDirectories(local.resolve("docs"));
        Files.writeString(local.resolve("docs/a.txt"), "a");
        DropUploader uploader = start(config());
        settle(uploader);
        Vfs other = reader();
        other.unlink("/docs/a.txt");
        other.rmdir("/docs");
        other.sync();
        Thread.sleep(VfsFixture.DIR_CACHE_TIME.toMillis() * 2); // the uploader's VFS sees it gone
        Files.writeString(local.resolve("docs/b.txt"), "b");
        settle(uploader);
        assertThat(uploader.status().failed()).isEmpty();
        assertThat(new String(read(reader(), "/docs/b.txt"), UTF_8)).isEqualTo("b");
    }

    @Test
    void aDamagedStateFileMeansEverythingIsComparedAgainNotAFailure() throws Exception {
        Files.writeString(local.resolve("a.txt"), "contents of a");
        Files.createDirectories(stateFile.getParent());
        Files.writeString(stateFile, "{ this is not json");
        DropUploader uploader = start(config());
        settle(uploader);
        assertThat(new String(read(reader(), "/a.txt"), UTF_8)).isEqualTo("contents of a");
        assertThat(Files.readString(stateFile)).contains("\"a.txt\"");
    }

    @Test
    void aDeletedFolderTakesItsWholeSubtreeEvenBesideNamesThatSortBetween() throws Exception {
        Files.createDirectories(local.resolve("photos/2026"));
        Files.writeString(local.resolve("photos/a.jpg"), "a");
        Files.writeString(local.resolve("photos/2026/b.jpg"), "b");
        Files.writeString(local.resolve("photos.zip"), "zip");
        Files.writeString(local.resolve("photos-old"), "old");
        DropUploader uploader = start(config());
        settle(uploader);
        for (Path p : List.of(local.resolve("photos/2026/b.jpg"), local.resolve("photos/2026"),
                local.resolve("photos/a.jpg"), local.resolve("photos"))) {
            Files.delete(p);
        }
        settle(uploader);
        assertThat(names(reader(), "/")).containsExactly("photos-old", "photos.zip");
        assertThat(uploader.status().failed()).isEmpty();
    }

    @Test
    void archivingKeepsArchivesOutOfWhatIsMirroredAcrossRescans() throws Exception {
        Files.writeString(local.resolve("gone.txt"), "gone");
        DropUploader uploader = start(config().withArchiveDeletions(true).withRescanInterval(Duration.ofMillis(300)));
        settle(uploader);
        Files.delete(local.resolve("gone.txt"));
        settle(uploader);
        Thread.sleep(1000); // several rescans
        settle(uploader);
        assertThat(uploader.status().failed()).isEmpty();
        Vfs other = reader();
        assertThat(names(other, "/")).containsExactly("Archives");
        assertThat(names(other, "/Archives")).hasSize(1).allMatch(n -> n.startsWith("gone.txt~"));
    }

    @Test
    void aFileThatBecameAFolderWhileStoppedIsReplacedOnTheGrid() throws Exception {
        Files.writeString(local.resolve("thing"), "a file at first");
        DropUploader first = start(config());
        settle(first);
        first.close();
        Files.delete(local.resolve("thing"));
        Files.createDirectories(local.resolve("thing"));
        Files.writeString(local.resolve("thing/inside.txt"), "now a folder");
        DropUploader second = start(config());
        settle(second);
        assertThat(second.status().failed()).isEmpty();
        Vfs other = reader();
        assertThat(other.stat("/thing").isDirectory()).isTrue();
        assertThat(new String(read(other, "/thing/inside.txt"), UTF_8)).isEqualTo("now a folder");
    }

    @Test
    void anEmptyFolderAtStartDeletesNothingOnTheGridAndSaysWhy() throws Exception {
        Files.writeString(local.resolve("precious.txt"), "keep me");
        DropUploader first = start(config());
        settle(first);
        first.close();
        Files.delete(local.resolve("precious.txt")); // as if the disk were not mounted
        DropUploader second = start(config());
        settle(second);
        assertThat(names(reader(), "/")).containsExactly("precious.txt");
        assertThat(second.status().failed()).containsKey("").extractingByKey("").asString()
                .contains("folder is empty at start");
    }

    @Test
    void aFileDeletedWhileItsUploadIsFailingNeverAppearsOnTheGrid() throws Exception {
        DropUploader uploader = start(config());
        fixture.grid().servers().forEach(org.lafsfs.storage.SimulatedGrid.Server::fill); // CHK uploads fail
        Files.write(local.resolve("short-lived.bin"), random(20_000, 77));
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!uploader.status().failed().containsKey("short-lived.bin") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(uploader.status().failed()).containsKey("short-lived.bin");
        Files.delete(local.resolve("short-lived.bin"));
        Thread.sleep(SETTLE.toMillis() * 4);
        fixture.grid().servers().forEach(s -> s.backend().setReservedSpace(0));
        settle(uploader);
        Thread.sleep(6000); // longer than the VFS's own retry of a failed upload (5 s)
        vfs.sync();
        assertThat(names(reader(), "/")).isEmpty();
    }
}
