package org.lafsfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A metadata change that changes nothing (tar's chmod to the mode a file has) costs no directory edit; one that
 * changes something is journaled without forcing it (it is published within the edit window): it survives a
 * crash of lafsfs, and a machine crash may take it, as a local filesystem may lose metadata not fsynced.
 */
class MetadataEditsTest {
    @TempDir
    Path dir;

    @Test
    void onlyAChangeOfMetadataIsJournaledAndPublished() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client().holdingEdits();
            try (LafsVfs vfs = LafsVfs.open(c.grid(), c.root(), c.config())) {
                FileHandle h = vfs.open("/f", EnumSet.of(OpenOption.CREATE, OpenOption.WRITE));
                h.write(0, new byte[100], 0, 100);
                h.close();
                Instant when = Instant.parse("2001-09-09T01:46:40Z");
                vfs.setModified("/f", when);
                vfs.sync();
                assertThat(vfs.status().directoriesWithPendingEdits()).isZero();

                vfs.chmod("/f", 0644); // writable already
                vfs.setModified("/f", when);
                assertThat(vfs.status().directoriesWithPendingEdits()).as("edits for no change").isZero();

                vfs.chmod("/f", 0444);
                assertThat(vfs.status().directoriesWithPendingEdits()).isEqualTo(1);
                vfs.sync();
                assertThat(fixture.rootDirnode().get("f").orElseThrow().metadata().path("no-write").asBoolean())
                        .isTrue();
            }
        }
    }

    @Test
    void aChangeOfTimesOrModeSurvivesACrashOfLafsfsBeforeItsPublish() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client().holdingEdits();
            Instant when = Instant.parse("2001-09-09T01:46:40Z");
            LafsVfs first = LafsVfs.open(c.grid(), c.root(), c.config());
            try {
                FileHandle h = first.open("/f", EnumSet.of(OpenOption.CREATE, OpenOption.WRITE));
                h.write(0, new byte[100], 0, 100);
                h.close();
                first.sync();
                first.setModified("/f", when);
                first.chmod("/f", 0444);
            } finally {
                first.abandon(); // the process dies; what it wrote to its files is kept by the OS
            }
            try (LafsVfs restarted = LafsVfs.open(c.grid(), c.root(), c.config())) {
                restarted.sync();
            }
            var meta = fixture.rootDirnode().get("f").orElseThrow().metadata();
            assertThat(meta.path("no-write").asBoolean()).isTrue();
            assertThat(meta.path("mtime").asDouble()).isEqualTo(when.getEpochSecond());
        }
    }
}
