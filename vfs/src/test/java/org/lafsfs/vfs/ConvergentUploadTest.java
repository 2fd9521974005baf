package org.lafsfs.vfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.CapParser;
import org.lafsfs.core.immutable.ChkUploader;
import org.lafsfs.core.immutable.UploadSource;

/**
 * A file closed through the VFS gets the cap Tahoe would give the same bytes under the same convergence secret,
 * whether its key was hashed while it was written (front to back) or by the upload (any other order).
 */
class ConvergentUploadTest {
    private static final EnumSet<OpenOption> CREATE_WRITE = EnumSet.of(OpenOption.CREATE, OpenOption.WRITE);

    @TempDir
    Path dir;

    @Test
    void frontToBackOrNotAFileGetsTheCapOfItsBytesPutWhole() throws Exception {
        byte[] data = new byte[(5 << 20) + 12345];
        new Random(11).nextBytes(data);
        try (VfsFixture fixture = new VfsFixture(dir)) {
            VfsFixture.Client c = fixture.client();
            Cap expected = new ChkUploader(c.grid().servers(), c.grid().params(), c.config().convergenceSecret(),
                    c.grid().secrets()).upload(UploadSource.of(data)).cap();
            try (LafsVfs vfs = LafsVfs.open(c.grid(), c.root(), c.config())) {
                try (FileHandle h = vfs.open("/in-order.bin", CREATE_WRITE)) {
                    for (int at = 0; at < data.length; at += 128 * 1024) {
                        h.write(at, data, at, Math.min(128 * 1024, data.length - at));
                    }
                }
                try (FileHandle h = vfs.open("/back-to-front.bin", CREATE_WRITE)) {
                    int half = data.length / 2;
                    h.write(half, data, half, data.length - half);
                    h.write(0, data, 0, half);
                }
                try (FileHandle h = vfs.open("/rewritten.bin", CREATE_WRITE)) {
                    h.write(0, new byte[data.length], 0, data.length);
                    h.write(0, data, 0, data.length);
                }
                vfs.sync();
                for (String name : new String[] {"in-order.bin", "back-to-front.bin", "rewritten.bin"}) {
                    assertThat(vfs.readCap("/" + name).map(CapParser::parse)).as(name).contains(expected);
                }
            }
        }
    }
}
