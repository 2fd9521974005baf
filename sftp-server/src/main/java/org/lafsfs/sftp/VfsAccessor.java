package org.lafsfs.sftp;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.FileLock;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;
import org.lafsfs.vfs.VfsException;

/**
 * Where MINA's SFTP subsystem touches files, for a {@link VfsFileSystem}:
 * MINA's defaults assume the local disk (FileChannel, secure directory
 * streams, file locks); these go to the VFS instead. Everything else MINA does
 * through java.nio reaches {@link VfsFileSystemProvider}.
 */
final class VfsAccessor implements SftpFileSystemAccessor {
    static final VfsAccessor INSTANCE = new VfsAccessor();

    private static final VfsFileSystemProvider PROVIDER = VfsFileSystemProvider.INSTANCE;

    /**
     * Opens through the VFS. The attributes of an SFTP open (the mode a client
     * asks for a new file) are not applied: only the owner write bit means
     * anything on a grid, and a file created read-only could not be written
     * through the handle that created it. A later setstat applies them.
     */
    @Override
    public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file,
            String handle, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        return PROVIDER.newByteChannel(file, options);
    }

    @Override
    public FileLock tryLock(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
            Channel channel, long position, long size, boolean shared) {
        throw new UnsupportedOperationException("byte-range locks are not supported on a Tahoe grid");
    }

    /** fsync@openssh.com: the file's data is on the grid (and its directory published) when this returns. */
    @Override
    public void syncFileData(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
            Channel channel) throws IOException {
        ((VfsChannel) channel).fsync();
    }

    /** Closing publishes the file; a failed upload is the close's failure, which the client sees. */
    @Override
    public void closeFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
            Channel channel, Set<? extends OpenOption> options) throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public DirectoryStream<Path> openDirectory(SftpSubsystemProxy subsystem, DirectoryHandle dirHandle, Path dir,
            String handle, LinkOption... linkOptions) throws IOException {
        return PROVIDER.newDirectoryStream(dir, null);
    }

    @Override
    public void setFilePermissions(SftpSubsystemProxy subsystem, Path file, Set<PosixFilePermission> perms,
            LinkOption... options) throws IOException {
        PROVIDER.setAttribute(file, "posix:permissions", perms);
    }

    @Override
    public UserPrincipal resolveFileOwner(SftpSubsystemProxy subsystem, Path file, UserPrincipal name) {
        return name;
    }

    @Override
    public GroupPrincipal resolveGroupOwner(SftpSubsystemProxy subsystem, Path file, GroupPrincipal name) {
        return name;
    }

    @Override
    public void setFileOwner(SftpSubsystemProxy subsystem, Path file, java.security.Principal value,
            LinkOption... options) throws IOException {
        PROVIDER.setAttribute(file, "posix:owner", VfsFileSystem.Owner.named(value.getName()));
    }

    @Override
    public void setGroupOwner(SftpSubsystemProxy subsystem, Path file, java.security.Principal value,
            LinkOption... options) throws IOException {
        PROVIDER.setAttribute(file, "posix:group", VfsFileSystem.Owner.named(value.getName()));
    }

    @Override
    public void setFileAccessControl(SftpSubsystemProxy subsystem, Path file, List<AclEntry> acl,
            LinkOption... options) {
        throw new UnsupportedOperationException("ACLs are not kept on a Tahoe grid");
    }

    @Override
    public void copyFile(SftpSubsystemProxy subsystem, Path src, Path dst, Collection<CopyOption> opts)
            throws IOException {
        PROVIDER.copy(src, dst, opts.stream().filter(o -> o != LinkOption.NOFOLLOW_LINKS)
                .toArray(CopyOption[]::new));
    }

    /** SSH_FXP_REMOVE and SSH_FXP_RMDIR: unlink(2) and rmdir(2), MINA having checked which it is. */
    @Override
    public void removeFile(SftpSubsystemProxy subsystem, Path path, boolean isDirectory) throws IOException {
        VfsPath p = VfsFileSystemProvider.vfsPath(path);
        try {
            if (isDirectory) {
                p.getFileSystem().vfs().rmdir(p.vfsPath());
            } else {
                p.getFileSystem().vfs().unlink(p.vfsPath());
            }
        } catch (VfsException e) {
            throw NioErrors.of(e, p.vfsPath());
        }
    }
}
