package org.lafsfs.vfs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lafsfs.cache.CacheConfig;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a close forces is the staged record: for a small file it holds the contents and the close's time, so a
 * machine crash that loses the unforced spool file and journal lines (a new name, the close's time stamp) loses
 * nothing the close acknowledged.
 */
class StagedRecordTest {
    @TempDir
    Path dir;

    @Test
    void aSmallClosedFileComesBackFromItsRecordAloneAfterAMachineCrash() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            CacheConfig d = CacheConfig.DEFAULT;
            CacheConfig remembering = new CacheConfig(Duration.ofHours(1), d.maxDirectories(), d.maxImmutableEntries(),
                    d.segmentCacheBytes(), Duration.ofHours(1), d.maxServermaps());
            VfsFixture.Client c = fixture.client().writeBack()
                    .with(config -> config.withEditWindow(Duration.ofHours(1)).withCache(remembering));
            Path spool = c.config().spoolDir();
            byte[] small = "a small file, kept in its record".repeat(100).getBytes(UTF_8);
            Instant beforeClose;
            LafsVfs first = LafsVfs.open(c.grid(), c.root(), c.config());
            try {
                first.readdir("/"); // remembered, for the open below
                fixture.serversDown(); // the upload stays pending
                FileHandle h = first.open("/small.txt", EnumSet.of(OpenOption.CREATE, OpenOption.WRITE));
                h.write(0, small, 0, small.length);
                beforeClose = Instant.now().minusMillis(1);
                h.close();
            } finally {
                first.abandon();
            }
            // What a machine crash may take: everything the close did not force (its record is in the staging
            // log, forced).
            for (String unforced : List.of("files", "edits")) {
                try (var files = Files.list(spool.resolve(unforced))) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
            }
            fixture.serversUp();

            try (LafsVfs restarted = LafsVfs.open(c.grid(), c.root(), c.config())) {
                restarted.sync();
                assertThat(restarted.status().failedUploads()).isEmpty();
                FileHandle h = restarted.open("/small.txt", EnumSet.of(OpenOption.READ));
                byte[] back = new byte[small.length + 10];
                assertThat(h.read(0, back, 0, back.length)).isEqualTo(small.length);
                h.close();
                assertThat(java.util.Arrays.copyOf(back, small.length)).isEqualTo(small);
                assertThat(restarted.stat("/small.txt").modified()).as("the close's time, kept in the record")
                        .isBetween(beforeClose, Instant.now());
            }
            assertThat(fixture.rootDirnode().list()).containsKey("small.txt");
            try (StagingLog left = new StagingLog(spool.resolve("uploads"))) {
                assertThat(left.takeRecovered()).as("records left to redo at the next start").isEmpty();
            }
        }
    }
}
