package org.lafsfs.vfs;

/**
 * The POSIX error numbers the VFS answers with (Linux values), so every
 * frontend reports the same failure the same way: FUSE returns them negated,
 * SFTP maps them to its status codes.
 */
public enum Errno {
    EPERM(1),
    ENOENT(2),
    EIO(5),
    EBADF(9),
    EACCES(13),
    EEXIST(17),
    EXDEV(18),
    ENOTDIR(20),
    EISDIR(21),
    EINVAL(22),
    EFBIG(27),
    ENOSPC(28),
    EROFS(30),
    ENAMETOOLONG(36),
    ENOSYS(38),
    ENOTEMPTY(39),
    ENOTSUP(95);

    private final int value;

    Errno(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }
}
