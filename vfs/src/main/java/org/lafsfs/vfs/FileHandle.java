package org.lafsfs.vfs;

import java.io.Closeable;

/**
 * An open file. Handles of one file in one VFS share its state: what one
 * handle writes, the others read at once. Other clients see it once it is
 * published: after the last handle is closed, or at fsync.
 */
public interface FileHandle extends Closeable {
    /** Reads up to {@code length} bytes at {@code offset} into {@code buffer}; returns the count, 0 at the end. */
    int read(long offset, byte[] buffer, int at, int length) throws VfsException;

    /** Writes {@code length} bytes at {@code offset} (beyond the end leaves a hole that reads as zeros). */
    void write(long offset, byte[] buffer, int at, int length) throws VfsException;

    void truncate(long size) throws VfsException;

    long size() throws VfsException;

    /**
     * Called on every close(2) of a descriptor (FUSE's flush): reports a failed
     * upload of this file's earlier data, if any.
     */
    void flush() throws VfsException;

    /** Makes what was written safe before returning: on the grid, or if that fails, says so. */
    void fsync() throws VfsException;

    /** Releases the handle; the last one publishes the file (and reports the outcome). */
    @Override
    void close() throws VfsException;

    /**
     * Releases the handle without publishing what it wrote (a copy that failed half-way must not become the
     * file's contents); other handles of the file keep theirs. Where a frontend cannot do that, it closes.
     */
    default void abort() throws VfsException {
        close();
    }
}
