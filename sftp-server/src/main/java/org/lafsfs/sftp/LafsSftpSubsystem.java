package org.lafsfs.sftp;

import java.io.IOException;
import java.io.StreamCorruptedException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.BufferUtils;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHStatExtensionInfo;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.extensions.openssh.AbstractOpenSSHExtensionParser.OpenSSHExtension;
import org.apache.sshd.sftp.common.extensions.openssh.FstatVfsExtensionParser;
import org.apache.sshd.sftp.common.extensions.openssh.StatVfsExtensionParser;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemConfigurator;
import org.lafsfs.vfs.Errno;
import org.lafsfs.vfs.FileAttributes;
import org.lafsfs.vfs.FileSystemStats;
import org.lafsfs.vfs.VfsException;

/**
 * MINA's SFTP subsystem with the few answers only the VFS can give:
 * attributes (one VFS stat, or none for a name just listed, instead of MINA's
 * probing through java.nio, and the VFS's own errno for a missing name or a
 * path through a file), rmdir and remove as the VFS has them, the OpenSSH
 * statvfs@openssh.com and fstatvfs@openssh.com extensions (space on the grid,
 * for df and restic), and fsync@openssh.com of a directory handle (publishes
 * the directory's pending edits). It also refuses requests longer than
 * {@link #MAX_REQUEST}, which MINA would buffer whatever their size.
 */
final class LafsSftpSubsystem extends SftpSubsystem {
    LafsSftpSubsystem(ChannelSession channel, SftpSubsystemConfigurator configurator) {
        super(channel, configurator);
    }

    /**
     * The longest SFTP request accepted (OpenSSH's sftp-server takes 256 KiB;
     * clients write 32 to 256 KiB at a time). MINA buffers a request whole
     * before handling it, so a client announcing a huge one could otherwise
     * make the server hold whatever it sends.
     */
    static final int MAX_REQUEST = 1 << 20;

    private VfsFileSystem vfsFileSystem() {
        return (VfsFileSystem) fileSystem;
    }

    @Override
    public int data(ChannelSession channel, byte[] buf, int start, int len) throws IOException {
        int consumed = super.data(channel, buf, start, len);
        if (buffer.available() >= Integer.BYTES) {
            long announced = BufferUtils.getUInt(buffer.array(), buffer.rpos(), Integer.BYTES);
            if (announced > MAX_REQUEST) {
                throw new StreamCorruptedException("an SFTP request of " + announced + " bytes (at most "
                        + MAX_REQUEST + " are accepted)");
            }
        }
        return consumed;
    }

    private NavigableMap<String, Object> attributes(Path path) throws IOException {
        VfsPath p = VfsFileSystemProvider.vfsPath(path);
        FileAttributes a = p.listed() != null ? p.listed() : vfsFileSystem().vfs().stat(p.vfsPath());
        return new VfsAttributes(a, vfsFileSystem().owner()).sftpMap();
    }

    @Override
    protected NavigableMap<String, Object> resolveFileAttributes(Path path, int flags, boolean neverFollowSymLinks,
            LinkOption... options) throws IOException {
        return attributes(path);
    }

    @Override
    protected NavigableMap<String, Object> resolveReportedFileAttributes(Path file, int flags, LinkOption... options)
            throws IOException {
        return attributes(file);
    }

    /** fstat: the open file's own size (what this handle and its siblings wrote), whatever the name shows. */
    @Override
    protected Map<String, Object> doFStat(int id, String handle, int flags) throws IOException {
        Map<String, Object> attributes = super.doFStat(id, handle, flags);
        if (handles.get(handle) instanceof FileHandle f && f.getFileChannel() instanceof VfsChannel channel) {
            attributes.put("size", channel.size());
        }
        return attributes;
    }

    /**
     * A setstat the VFS refused is the client's answer, not the server's
     * trouble: MINA would log each one as a warning.
     */
    @Override
    protected void handleSetFileAttributeFailure(Path file, String view, String attribute, Object value,
            Collection<String> unsupported, Exception e) throws IOException {
        if (e instanceof UnsupportedOperationException) {
            unsupported.add(attribute);
        } else if (e instanceof IOException io) {
            throw io;
        } else {
            throw new IOException(e);
        }
    }

    /** The VFS says why a directory cannot be listed (missing, or a path through a file) before MINA looks. */
    @Override
    protected String doOpenDir(int id, String path, Path dir, LinkOption... options) throws IOException {
        VfsPath p = VfsFileSystemProvider.vfsPath(dir);
        if (!vfsFileSystem().vfs().stat(p.vfsPath()).isDirectory()) {
            throw new VfsException(Errno.ENOTDIR, "not a directory: " + p.vfsPath());
        }
        return super.doOpenDir(id, path, dir, options);
    }

    /**
     * rmdir(2) and unlink(2) as the VFS has them: MINA's own checks before
     * removing would call a path through a file missing, and a missing name
     * not a directory.
     */
    @Override
    protected void doRemoveDirectory(int id, String path) throws IOException {
        doRemove(id, resolveFile(path), true);
    }

    @Override
    protected void doRemoveFile(int id, String path) throws IOException {
        doRemove(id, resolveFile(path), false);
    }

    @Override
    protected void doOpenSSHFsync(int id, String handle) throws IOException {
        if (handles.get(handle) instanceof DirectoryHandle d) {
            vfsFileSystem().vfs().fsyncDirectory(VfsFileSystemProvider.vfsPath(d.getFile()).vfsPath());
            return;
        }
        super.doOpenSSHFsync(id, handle);
    }

    @Override
    protected List<OpenSSHExtension> resolveOpenSSHExtensions(ServerSession session) {
        List<OpenSSHExtension> extensions = new ArrayList<>(super.resolveOpenSSHExtensions(session));
        extensions.add(new OpenSSHExtension(StatVfsExtensionParser.NAME, "2"));
        extensions.add(new OpenSSHExtension(FstatVfsExtensionParser.NAME, "2"));
        return extensions;
    }

    @Override
    protected void executeExtendedCommand(Buffer buffer, int id, String extension) throws IOException {
        if (StatVfsExtensionParser.NAME.equals(extension) || FstatVfsExtensionParser.NAME.equals(extension)) {
            String target = StatVfsExtensionParser.NAME.equals(extension) ? buffer.getString()
                    : buffer.getString(java.nio.charset.StandardCharsets.ISO_8859_1);
            OpenSSHStatExtensionInfo info;
            try {
                if (FstatVfsExtensionParser.NAME.equals(extension)) {
                    validateHandle(target, handles.get(target), Handle.class);
                }
                info = statvfs();
            } catch (IOException | RuntimeException e) {
                sendStatus(prepareReply(buffer), id, e, SftpConstants.SSH_FXP_EXTENDED, extension, target);
                return;
            }
            Buffer reply = prepareReply(buffer);
            reply.putByte((byte) SftpConstants.SSH_FXP_EXTENDED_REPLY);
            reply.putInt(id);
            info.encode(reply);
            send(reply);
            return;
        }
        super.executeExtendedCommand(buffer, id, extension);
    }

    /** statvfs(3) of the grid: the VFS's statfs in its blocks; names are unlimited in number, 255 bytes long. */
    private OpenSSHStatExtensionInfo statvfs() throws IOException {
        FileSystemStats stats = vfsFileSystem().vfs().statfs();
        boolean readOnly = !vfsFileSystem().vfs().stat("/").writable();
        long block = Math.max(1, stats.blockSize());
        OpenSSHStatExtensionInfo info = new OpenSSHStatExtensionInfo();
        info.f_bsize = block;
        info.f_frsize = block;
        info.f_blocks = stats.totalBytes() / block;
        info.f_bfree = stats.freeBytes() / block;
        info.f_bavail = stats.availableBytes() / block;
        info.f_ffree = Integer.MAX_VALUE;
        info.f_favail = Integer.MAX_VALUE;
        info.f_files = stats.files() + Integer.MAX_VALUE;
        info.f_fsid = 0;
        info.f_flag = OpenSSHStatExtensionInfo.SSH_FXE_STATVFS_ST_NOSUID
                | (readOnly ? OpenSSHStatExtensionInfo.SSH_FXE_STATVFS_ST_RDONLY : 0);
        info.f_namemax = 255;
        return info;
    }
}
