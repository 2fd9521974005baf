package org.lafsfs.vfs;

/** statfs: the grid's space as the storage servers report it (bytes), shown as a filesystem of 4 KiB blocks. */
public record FileSystemStats(long totalBytes, long freeBytes, long availableBytes, int blockSize, long files) {
}
