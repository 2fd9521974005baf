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
}
