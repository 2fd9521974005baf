package org.lafsfs.vfs;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A Tahoe-LAFS grid seen as a POSIX filesystem, rooted at one directory cap.
 * Paths are absolute and '/'-separated ("/", "/a/b.txt"). Every failure is a
 * {@link VfsException} carrying the errno every frontend reports; what each
 * operation means on a grid is written down in docs/semantics.md.
 */
public interface Vfs extends AutoCloseable {
    FileAttributes stat(String path) throws VfsException;

    /** The names in a directory with their attributes, without "." and "..". */
    List<DirectoryListing> readdir(String path) throws VfsException;

    void mkdir(String path) throws VfsException;

    /** Removes an empty directory (ENOTEMPTY otherwise). */
    void rmdir(String path) throws VfsException;

    /** Removes a file's name (a directory gets EISDIR). */
    void unlink(String path) throws VfsException;

    /**
     * Renames, replacing an existing target as POSIX rename does (a file over a
     * file, a directory over an empty directory), within or across directories.
     */
    void rename(String from, String to) throws VfsException;

    /** Links the same object under a second name (a hard link). */
    void link(String existing, String newPath) throws VfsException;

    FileHandle open(String path, Set<OpenOption> options) throws VfsException;

    void truncate(String path, long size) throws VfsException;

    /** Sets the modification time (kept in the link's metadata). */
    void setModified(String path, Instant modified) throws VfsException;

    /** Only the owner write bit means anything: cleared, it sets Tahoe's {@code no-write} metadata. */
    void chmod(String path, int mode) throws VfsException;

    /** Publishes the directory's pending edits (fsync of a directory). */
    void fsyncDirectory(String path) throws VfsException;

    FileSystemStats statfs() throws VfsException;

    /** What Tahoe cannot express fails the same way in every frontend. */
    void symlink(String target, String linkPath) throws VfsException;

    void chown(String path, int uid, int gid) throws VfsException;

    void mknod(String path, int mode) throws VfsException;

    /**
     * The read cap of what a name links now, as this client sees it (what {@code tahoe ls --uri} shows), or
     * empty where the frontend cannot say (SFTP and FUSE have no request for it).
     */
    default java.util.Optional<String> readCap(String path) throws VfsException {
        return java.util.Optional.empty();
    }

    /** Publishes everything pending and waits for it; returns when all is on the grid or has failed. */
    void sync() throws VfsException;

    /** Cache counts, pending uploads and their outcomes. */
    VfsStatus status();

    @Override
    void close() throws VfsException;
}
