package org.lafsfs.core.mutable;

import java.io.IOException;

/**
 * Another writer changed the file between our read and our write (Tahoe's
 * UncoordinatedWriteError). Nothing of theirs was overwritten; a
 * read-modify-write operation should read again and retry.
 */
public class UncoordinatedWriteException extends IOException {
    public UncoordinatedWriteException(String message) {
        super(message);
    }
}
