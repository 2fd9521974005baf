package org.lafsfs.sftp;

import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.CopyMode;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHFsyncExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatExtensionInfo;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatPathExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.lafsfs.vfs.DirectoryListing;
import org.lafsfs.vfs.Errno;
import org.lafsfs.vfs.FileAttributes;
import org.lafsfs.vfs.FileHandle;
import org.lafsfs.vfs.FileSystemStats;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.OpenOption;
import org.lafsfs.vfs.Vfs;
import org.lafsfs.vfs.VfsException;
import org.lafsfs.vfs.VfsStatus;

/**
 * The {@link Vfs} interface answered by SFTP requests: what an SFTP client
 * sees of lafsfs's server. Every operation is one request (or the few an SFTP
 * client sends for it) over a real SSH connection, and every failure is the
 * errno read back from the SFTP status the server sent (version 6, which has
 * a status for each errno the VFS uses).
 *
 * <p>What SFTP has no request for is asked of the VFS the server serves, as
 * an operator would ({@code lafsfs status}): {@link #sync()},
 * {@link #status()}, and {@link FileAttributes#mutable()} in stat and readdir
 * (SFTP attributes have no such field). {@link #mknod} has no SFTP request at
 * all and fails here with ENOSYS, as an SFTP client cannot ask for it.
 */
final class SftpClientVfs implements Vfs {
    private final SftpServer server;
    private final LafsVfs served;
    private final SftpTesting.Connection connection;
    private final SftpClient sftp;

    SftpClientVfs(SftpServer server, LafsVfs served, SftpTesting.Connection connection) {
        this.server = server;
        this.served = served;
        this.connection = connection;
        this.sftp = connection.sftp();
    }

    /** The errno an SFTP status stands for (the reverse of the server's table in docs/sftp.md). */
    static Errno errno(int status) {
        return switch (status) {
            case SftpConstants.SSH_FX_NO_SUCH_FILE, SftpConstants.SSH_FX_NO_SUCH_PATH -> Errno.ENOENT;
            case SftpConstants.SSH_FX_PERMISSION_DENIED -> Errno.EACCES;
            case SftpConstants.SSH_FX_WRITE_PROTECT -> Errno.EROFS;
            case SftpConstants.SSH_FX_FILE_ALREADY_EXISTS -> Errno.EEXIST;
            case SftpConstants.SSH_FX_DIR_NOT_EMPTY -> Errno.ENOTEMPTY;
            case SftpConstants.SSH_FX_NOT_A_DIRECTORY -> Errno.ENOTDIR;
            case SftpConstants.SSH_FX_FILE_IS_A_DIRECTORY -> Errno.EISDIR;
            case SftpConstants.SSH_FX_INVALID_PARAMETER -> Errno.EINVAL;
            case SftpConstants.SSH_FX_INVALID_FILENAME -> Errno.ENAMETOOLONG;
            case SftpConstants.SSH_FX_INVALID_HANDLE -> Errno.EBADF;
            case SftpConstants.SSH_FX_NO_SPACE_ON_FILESYSTEM -> Errno.ENOSPC;
            case SftpConstants.SSH_FX_OP_UNSUPPORTED -> Errno.ENOTSUP;
            default -> Errno.EIO;
        };
    }

    private static VfsException failure(IOException e) {
        if (e instanceof SftpException s) {
            return new VfsException(errno(s.getStatus()), s.getMessage(), s);
        }
        return new VfsException(Errno.EIO, "SFTP connection: " + e, e);
    }

    @FunctionalInterface
    private interface Request<T> {
        T send() throws IOException;
    }

    @FunctionalInterface
    private interface Command {
        void send() throws IOException;
    }

    private static <T> T call(Request<T> request) throws VfsException {
        try {
            return request.send();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    private static void run(Command command) throws VfsException {
        try {
            command.send();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    private static FileAttributes attributes(Attributes a, boolean mutable) {
        FileTime modified = a.getModifyTime();
        FileTime created = a.getCreateTime();
        return new FileAttributes(a.isDirectory() ? FileAttributes.Kind.DIRECTORY : FileAttributes.Kind.FILE,
                a.isDirectory() ? 0 : a.getSize(), modified == null ? null : modified.toInstant(),
                created == null ? null : created.toInstant(), a.getPermissions() & 07777, mutable);
    }

    private boolean servedMutable(String path) {
        try {
            return served.stat(path).mutable();
        } catch (VfsException e) {
            return false;
        }
    }

    @Override
    public FileAttributes stat(String path) throws VfsException {
        Attributes a = call(() -> sftp.stat(path));
        return attributes(a, servedMutable(path));
    }

    @Override
    public List<DirectoryListing> readdir(String path) throws VfsException {
        List<DirectoryListing> listing = new ArrayList<>();
        Map<String, Boolean> mutable = new HashMap<>();
        try {
            served.readdir(path).forEach(e -> mutable.put(e.name(), e.attributes().mutable()));
        } catch (VfsException e) {
            // the SFTP listing below says what is wrong
        }
        run(() -> {
            try (CloseableHandle dir = sftp.openDir(path)) {
                for (List<DirEntry> batch; (batch = sftp.readDir(dir)) != null;) {
                    for (DirEntry entry : batch) {
                        String name = entry.getFilename();
                        if (!name.equals(".") && !name.equals("..")) {
                            listing.add(new DirectoryListing(name,
                                    attributes(entry.getAttributes(), mutable.getOrDefault(name, false))));
                        }
                    }
                }
            }
        });
        return listing;
    }

    @Override
    public void mkdir(String path) throws VfsException {
        run(() -> sftp.mkdir(path));
    }

    @Override
    public void rmdir(String path) throws VfsException {
        run(() -> sftp.rmdir(path));
    }

    @Override
    public void unlink(String path) throws VfsException {
        run(() -> sftp.remove(path));
    }

    /** SFTP v6 rename with OVERWRITE (POSIX rename(2), as posix-rename@openssh.com). */
    @Override
    public void rename(String from, String to) throws VfsException {
        run(() -> sftp.rename(from, to, CopyMode.Overwrite, CopyMode.Atomic));
    }

    @Override
    public void link(String existing, String newPath) throws VfsException {
        run(() -> sftp.link(newPath, existing, false));
    }

    @Override
    public FileHandle open(String path, Set<OpenOption> options) throws VfsException {
        Set<OpenMode> modes = EnumSet.noneOf(OpenMode.class);
        for (OpenOption o : options) {
            modes.add(switch (o) {
                case READ -> OpenMode.Read;
                case WRITE -> OpenMode.Write;
                case CREATE -> OpenMode.Create;
                case EXCLUSIVE -> OpenMode.Exclusive;
                case TRUNCATE -> OpenMode.Truncate;
                case APPEND -> OpenMode.Append;
                case LINK_WHEN_UPLOADED -> throw new VfsException(org.lafsfs.vfs.Errno.ENOTSUP,
                        "SFTP has no open flag for linking a file only once uploaded (drop-upload's own)");
            });
        }
        CloseableHandle handle = call(() -> sftp.open(path, modes));
        return new Handle(handle);
    }

    /** An SFTP file handle. */
    private final class Handle implements FileHandle {
        private final CloseableHandle handle;
        private boolean closed;

        Handle(CloseableHandle handle) {
            this.handle = handle;
        }

        @Override
        public int read(long offset, byte[] buffer, int at, int length) throws VfsException {
            int n = call(() -> sftp.read(handle, offset, buffer, at, length));
            return Math.max(n, 0);
        }

        @Override
        public void write(long offset, byte[] buffer, int at, int length) throws VfsException {
            run(() -> sftp.write(handle, offset, buffer, at, length));
        }

        @Override
        public void truncate(long size) throws VfsException {
            run(() -> sftp.setStat(handle, new Attributes().size(size)));
        }

        @Override
        public long size() throws VfsException {
            return call(() -> sftp.stat(handle)).getSize();
        }

        /** SFTP has no flush: a client learns of failures at fsync and close. */
        @Override
        public void flush() {
        }

        @Override
        public void fsync() throws VfsException {
            run(() -> sftp.getExtension(OpenSSHFsyncExtension.class).fsync(handle));
        }

        @Override
        public void close() throws VfsException {
            if (!closed) {
                closed = true;
                run(() -> sftp.close(handle));
            }
        }
    }

    @Override
    public void truncate(String path, long size) throws VfsException {
        run(() -> sftp.setStat(path, new Attributes().size(size)));
    }

    @Override
    public void setModified(String path, Instant modified) throws VfsException {
        run(() -> sftp.setStat(path, new Attributes().modifyTime(FileTime.from(modified))));
    }

    @Override
    public void chmod(String path, int mode) throws VfsException {
        run(() -> sftp.setStat(path, new Attributes().perms(mode)));
    }

    /** fsync@openssh.com on a directory handle: lafsfs publishes the directory's pending edits. */
    @Override
    public void fsyncDirectory(String path) throws VfsException {
        run(() -> {
            try (CloseableHandle dir = sftp.openDir(path)) {
                sftp.getExtension(OpenSSHFsyncExtension.class).fsync(dir);
            }
        });
    }

    @Override
    public FileSystemStats statfs() throws VfsException {
        OpenSSHStatExtensionInfo info = call(() -> sftp.getExtension(OpenSSHStatPathExtension.class).stat("/"));
        return new FileSystemStats(info.f_blocks * info.f_frsize, info.f_bfree * info.f_frsize,
                info.f_bavail * info.f_frsize, (int) info.f_frsize, info.f_files);
    }

    @Override
    public void symlink(String target, String linkPath) throws VfsException {
        run(() -> sftp.symLink(linkPath, target));
    }

    @Override
    public void chown(String path, int uid, int gid) throws VfsException {
        run(() -> sftp.setStat(path, new Attributes().owner(Integer.toString(uid)).group(Integer.toString(gid))));
    }

    @Override
    public void mknod(String path, int mode) throws VfsException {
        throw new VfsException(Errno.ENOSYS, "SFTP has no request that makes a device file or a pipe");
    }

    @Override
    public void sync() throws VfsException {
        served.sync();
    }

    @Override
    public VfsStatus status() {
        return served.status();
    }

    /** Logs out, stops the server and closes the VFS it served (which publishes what is pending). */
    @Override
    public void close() throws VfsException {
        try {
            connection.close();
            server.close();
        } catch (IOException e) {
            throw new VfsException(Errno.EIO, "closing the SFTP connection: " + e, e);
        } finally {
            served.close();
        }
    }

    /** As a crash: the served VFS stops at once, then the server and the connection drop. */
    void crash() throws IOException {
        served.abandon();
        connection.kill();
        server.kill();
    }
}
