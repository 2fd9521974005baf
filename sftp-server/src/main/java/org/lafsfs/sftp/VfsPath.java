package org.lafsfs.sftp;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.LinkOption;
import java.util.List;
import org.apache.sshd.common.file.util.BasePath;
import org.lafsfs.vfs.FileAttributes;

/**
 * A path in a {@link VfsFileSystem}: '/'-separated names under the account's
 * root cap. A path read from a directory listing carries the attributes the
 * listing gave it, so that listing a directory costs one readdir, not one stat
 * per name.
 */
final class VfsPath extends BasePath<VfsPath, VfsFileSystem> {
    private final FileAttributes listed;

    VfsPath(VfsFileSystem fileSystem, String root, List<String> names) {
        this(fileSystem, root, names, null);
    }

    VfsPath(VfsFileSystem fileSystem, String root, List<String> names, FileAttributes listed) {
        super(fileSystem, root, names);
        this.listed = listed;
    }

    /** The attributes readdir gave this path, or null if it did not come from a listing. */
    FileAttributes listed() {
        return listed;
    }

    /**
     * The path the VFS understands: absolute and normalized. A ".." above the
     * root stays at the root, so no path leaves the account's root cap.
     */
    String vfsPath() {
        return toAbsolutePath().normalize().toString();
    }

    @Override
    public VfsPath toRealPath(LinkOption... options) throws IOException {
        VfsPath real = toAbsolutePath().normalize();
        getFileSystem().vfs().stat(real.toString()); // it must exist (there are no links to follow)
        return real;
    }

    @Override
    public URI toUri() {
        try {
            return new URI(VfsFileSystemProvider.SCHEME, null, vfsPath(), null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
