package org.lafsfs.vfs;

import java.time.Instant;

/**
 * What stat says about a name: kind, size, times (from Tahoe's link metadata)
 * and permission bits (from the cap's writability and the {@code no-write}
 * metadata). Owners are not something Tahoe records; frontends show the
 * mounting user. {@code links} counts the names in the file's directory that
 * link the same object (hard links made with link(2) there); names in other
 * directories are not counted, as no index of them exists.
 */
public record FileAttributes(Kind kind, long size, Instant modified, Instant created, int mode, boolean mutable,
        int links) {
    /** One link: a directory, or a file no other name in its directory links. */
    public FileAttributes(Kind kind, long size, Instant modified, Instant created, int mode, boolean mutable) {
        this(kind, size, modified, created, mode, mutable, 1);
    }

    public enum Kind {
        FILE,
        DIRECTORY
    }

    public boolean isDirectory() {
        return kind == Kind.DIRECTORY;
    }

    public boolean writable() {
        return (mode & 0200) != 0;
    }
}
