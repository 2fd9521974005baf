package org.lafsfs.core.immutable;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** What an upload reads: its size, and its bytes from the start (twice, when the key is convergent). */
public interface UploadSource {
    long size() throws IOException;

    InputStream open() throws IOException;

    static UploadSource of(byte[] data) {
        byte[] copy = data.clone();
        return new UploadSource() {
            public long size() {
                return copy.length;
            }

            public InputStream open() {
                return new ByteArrayInputStream(copy);
            }
        };
    }

    static UploadSource of(Path file) {
        return new UploadSource() {
            public long size() throws IOException {
                return Files.size(file);
            }

            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }
        };
    }
}
