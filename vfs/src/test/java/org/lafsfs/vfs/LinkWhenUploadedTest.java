package org.lafsfs.vfs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OpenOption#LINK_WHEN_UPLOADED}: a new name appears only with its whole contents. */
class LinkWhenUploadedTest {
    @TempDir
    Path dir;

    @Test
    void aNewFileHasNoNameUntilItsUploadIsDoneAndAnOldFileKeepsItsContentsUntilThen() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client();
            try (LafsVfs vfs = LafsVfs.open(c.grid(), c.root(), c.config())) {
                FileHandle h = vfs.open("/new.txt", EnumSet.of(OpenOption.CREATE, OpenOption.WRITE,
                        OpenOption.LINK_WHEN_UPLOADED));
                h.write(0, "whole".getBytes(UTF_8), 0, 5);
                vfs.sync();
                assertThatThrownBy(() -> vfs.stat("/new.txt")).isInstanceOf(VfsException.class)
                        .satisfies(e -> assertThat(((VfsException) e).errno()).isEqualTo(Errno.ENOENT));
                assertThat(fixture.rootDirnode().list()).doesNotContainKey("new.txt");
                h.close();
                vfs.sync();
                assertThat(vfs.stat("/new.txt").size()).isEqualTo(5);
                assertThat(fixture.rootDirnode().list()).containsKey("new.txt");

                FileHandle again = vfs.open("/new.txt", EnumSet.of(OpenOption.WRITE, OpenOption.TRUNCATE,
                        OpenOption.LINK_WHEN_UPLOADED));
                again.write(0, "replaced".getBytes(UTF_8), 0, 8);
                vfs.sync();
                String before = fixture.rootDirnode().get("new.txt").orElseThrow().readCap();
                again.close();
                vfs.sync();
                assertThat(fixture.rootDirnode().get("new.txt").orElseThrow().readCap()).isNotEqualTo(before);
                assertThat(vfs.stat("/new.txt").size()).isEqualTo(8);
            }
        }
    }

    @Test
    void aNameDeletedOrRenamedWhileItsUploadIsStillFailingIsNeverLinkedUnderTheOldName() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client();
            try (LafsVfs vfs = LafsVfs.open(c.grid(), c.root(), c.config().withCloseWait(java.time.Duration.ZERO))) {
                fixture.grid().servers().forEach(org.lafsfs.storage.SimulatedGrid.Server::fill); // CHK fails
                for (String name : java.util.List.of("/deleted.bin", "/renamed.bin")) {
                    FileHandle h = vfs.open(name, EnumSet.of(OpenOption.CREATE, OpenOption.WRITE,
                            OpenOption.LINK_WHEN_UPLOADED));
                    byte[] data = new byte[5000];
                    h.write(0, data, 0, data.length);
                    h.close(); // staged; its upload fails while the servers are down, and is retried
                }
                long failing = System.nanoTime() + 30_000_000_000L;
                while (vfs.status().failedUploads().size() < 2 && System.nanoTime() < failing) {
                    Thread.sleep(20);
                }
                assertThat(vfs.status().failedUploads()).as("both uploads failing, neither name linked").hasSize(2);
                assertThat(fixture.rootDirnode().list()).isEmpty();
                vfs.unlink("/deleted.bin");
                vfs.rename("/renamed.bin", "/moved.bin");
                fixture.grid().servers().forEach(s -> s.backend().setReservedSpace(0)); // room again
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (!fixture.rootDirnode().list().containsKey("moved.bin") && System.nanoTime() < deadline) {
                    try {
                        vfs.sync();
                    } catch (VfsException retrying) {
                        Thread.sleep(200);
                    }
                }
                assertThat(fixture.rootDirnode().list()).containsOnlyKeys("moved.bin");
                assertThat(vfs.stat("/moved.bin").size()).isEqualTo(5000);
            }
        }
    }

    @Test
    void anAbortedHandleLinksNothingAndLeavesAnOldFileAsItWas() throws Exception {
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client();
            try (LafsVfs vfs = LafsVfs.open(c.grid(), c.root(), c.config())) {
                FileHandle fresh = vfs.open("/half.bin", EnumSet.of(OpenOption.CREATE, OpenOption.WRITE,
                        OpenOption.LINK_WHEN_UPLOADED));
                fresh.write(0, "half a copy".getBytes(UTF_8), 0, 11);
                fresh.abort();
                FileHandle old = vfs.open("/old.txt", EnumSet.of(OpenOption.CREATE, OpenOption.WRITE));
                old.write(0, "old".getBytes(UTF_8), 0, 3);
                old.close();
                FileHandle again = vfs.open("/old.txt", EnumSet.of(OpenOption.WRITE, OpenOption.TRUNCATE,
                        OpenOption.LINK_WHEN_UPLOADED));
                again.write(0, "new but broken".getBytes(UTF_8), 0, 14);
                again.abort();
                vfs.sync();
                assertThat(fixture.rootDirnode().list()).containsOnlyKeys("old.txt");
                assertThat(vfs.stat("/old.txt").size()).isEqualTo(3);
            }
        }
    }
}
