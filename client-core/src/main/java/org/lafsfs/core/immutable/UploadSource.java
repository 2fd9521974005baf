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

    /** The convergent key hashed while the file was written, if anyone did; null: none. */
    default KeyAhead keyAhead() {
        return null;
    }

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
        return of(file, null);
    }

    /** A file whose convergent key may have been hashed while it was written ({@code keyAhead} may be null). */
    static UploadSource of(Path file, KeyAhead keyAhead) {
        return new UploadSource() {
            public KeyAhead keyAhead() {
                return keyAhead;
            }

            public long size() throws IOException {
                return Files.size(file);
            }

            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }
        };
    }
}
