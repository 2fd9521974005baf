package org.lafsfs.vfs;

import java.time.Instant;

/**
 * What stat says about a name: kind, size, times (from Tahoe's link metadata)
 * and permission bits (from the cap's writability and the {@code no-write}
 * metadata). Owners are not something Tahoe records; frontends show the
 * mounting user.
 */
public record FileAttributes(Kind kind, long size, Instant modified, Instant created, int mode, boolean mutable) {
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
