package org.lafsfs.vfs;

import java.nio.file.Path;
import java.time.Duration;
import org.lafsfs.cache.CacheConfig;
import org.lafsfs.core.cap.MutableFormat;

/**
 * How a VFS behaves where the grid leaves a choice.
 *
 * @param spoolDir where written files and unpublished directory edits wait, crash-safe, until they are on the grid
 * @param cache cache sizes and times
 * @param newFileFormat null: new files are immutable (CHK/LIT); SDMF or MDMF: new files are mutable
 * @param closeWait how long a close waits for the upload before handing it to the spool (Duration.ZERO: write-back)
 * @param editWindow how long edits to one directory are gathered before one publish carries them all
 * @param convergenceSecret the node's convergence secret for immutable uploads (null: random keys)
 */
public record VfsConfig(Path spoolDir, CacheConfig cache, MutableFormat newFileFormat, Duration closeWait,
        Duration editWindow, byte[] convergenceSecret) {

    /** Safe defaults: immutable new files, close waits up to 10 s for the upload, edits gathered for 200 ms. */
    public static VfsConfig defaults(Path spoolDir, byte[] convergenceSecret) {
        return new VfsConfig(spoolDir, CacheConfig.DEFAULT, null, Duration.ofSeconds(10), Duration.ofMillis(200),
                convergenceSecret);
    }

    public VfsConfig withCache(CacheConfig newCache) {
        return new VfsConfig(spoolDir, newCache, newFileFormat, closeWait, editWindow, convergenceSecret);
    }

    public VfsConfig withNewFileFormat(MutableFormat format) {
        return new VfsConfig(spoolDir, cache, format, closeWait, editWindow, convergenceSecret);
    }

    public VfsConfig withCloseWait(Duration wait) {
        return new VfsConfig(spoolDir, cache, newFileFormat, wait, editWindow, convergenceSecret);
    }

    public VfsConfig withEditWindow(Duration window) {
        return new VfsConfig(spoolDir, cache, newFileFormat, closeWait, window, convergenceSecret);
    }

    public VfsConfig withSpoolDir(Path dir) {
        return new VfsConfig(dir, cache, newFileFormat, closeWait, editWindow, convergenceSecret);
    }
}
