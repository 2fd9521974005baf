package org.lafsfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lafsfs.core.cap.MutableFormat;

/** The VFS's settings as tahoe.cfg's [lafsfs] section spells them. */
class VfsConfigTest {
    private static final Path SPOOL = Path.of("/tmp/spool");

    @Test
    void missingKeysKeepTheSafeDefaults() {
        VfsConfig c = VfsConfig.fromSettings(SPOOL, null, Map.of());
        assertThat(c.closeWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.editWindow()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.newFileFormat()).isNull();
    }

    @Test
    void closeWaitEditWindowAndNewFileFormatAreRead() {
        VfsConfig c = VfsConfig.fromSettings(SPOOL, null,
                Map.of("close-wait", "0", "edit-window", "1500ms", "new-files", "MDMF", "dir-cache-time", "2m"));
        assertThat(c.closeWait()).isZero();
        assertThat(c.editWindow()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.newFileFormat()).isEqualTo(MutableFormat.MDMF);
        assertThat(c.cache().dirCacheTime()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> VfsConfig.fromSettings(SPOOL, null, Map.of("close-wait", "soon")))
                .hasMessageContaining("close-wait");
        assertThatThrownBy(() -> VfsConfig.fromSettings(SPOOL, null, Map.of("edit-window", "5")))
                .hasMessageContaining("edit-window");
        assertThatThrownBy(() -> VfsConfig.fromSettings(SPOOL, null, Map.of("new-files", "chk")))
                .hasMessageContaining("new-files");
    }
}
