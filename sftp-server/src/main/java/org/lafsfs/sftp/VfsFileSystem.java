package org.lafsfs.sftp;

import java.nio.file.FileStore;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Set;
import org.apache.sshd.common.file.util.BaseFileSystem;
import org.lafsfs.vfs.Vfs;

/**
 * One SFTP session's view of a {@link Vfs}: the account's root cap as "/".
 * The VFS is shared by every session of the same root and outlives this
 * object: closing the file system (MINA does at the end of a session) leaves
 * the VFS open.
 *
 * <p>Tahoe records no owners; files are shown as owned by the logged-in
 * account ({@link #owner()}), with the server process's uid and gid for
 * SFTP v3 clients, which want numbers.
 */
final class VfsFileSystem extends BaseFileSystem<VfsPath> {
    private final Vfs vfs;
    private final Owner owner;
    private volatile boolean open = true;

    /** Who files appear to belong to: a name for SFTP v4+ and numbers for v3. */
    record Owner(String name, int uid, int gid) implements UserPrincipal, GroupPrincipal {
        /** Someone else: a name a client asked for, which has no numbers here. */
        static Owner named(String name) {
            return new Owner(name, -1, -1);
        }

        @Override
        public String getName() {
            return name;
        }
    }

    VfsFileSystem(VfsFileSystemProvider provider, Vfs vfs, Owner owner) {
        super(provider);
        this.vfs = vfs;
        this.owner = owner;
    }

    Vfs vfs() {
        return vfs;
    }

    Owner owner() {
        return owner;
    }

    @Override
    protected VfsPath create(String root, List<String> names) {
        return new VfsPath(this, root, names);
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return Set.of("basic", "posix", "owner");
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return List.of(new VfsFileStore(vfs));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return new UserPrincipalLookupService() {
            @Override
            public UserPrincipal lookupPrincipalByName(String name) {
                return name.equals(owner.name()) ? owner : Owner.named(name);
            }

            @Override
            public GroupPrincipal lookupPrincipalByGroupName(String group) {
                return group.equals(owner.name()) ? owner : Owner.named(group);
            }
        };
    }
}
