package org.lafsfs.sftp;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lafsfs.vfs.DirectoryListing;
import org.lafsfs.vfs.FileAttributes;
import org.lafsfs.vfs.FileHandle;
import org.lafsfs.vfs.Vfs;
import org.lafsfs.vfs.VfsException;

/**
 * java.nio over a {@link Vfs}: MINA's SFTP subsystem works on {@link Path}s,
 * and every operation it makes on them arrives here and goes, one to one, to
 * the VFS, which decides what it means. Failures are java.nio's exception
 * types with the {@link VfsException} as their cause.
 *
 * <p>Small on purpose: no symbolic links (the grid has none, and the VFS
 * refuses to make one), no ACLs, no watch service. Attributes the grid does
 * not keep (the access time, the creation time) are accepted and not kept,
 * as a noatime mount does.
 */
final class VfsFileSystemProvider extends FileSystemProvider {
    static final String SCHEME = "lafsfs";
    /** It keeps no state: every file system is its own VFS. */
    static final VfsFileSystemProvider INSTANCE = new VfsFileSystemProvider();

    private VfsFileSystemProvider() {
    }

    /** One session's view of {@code vfs}, files shown as owned by {@code owner}. */
    VfsFileSystem newFileSystem(Vfs vfs, VfsFileSystem.Owner owner) {
        return new VfsFileSystem(this, vfs, owner);
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
        throw new UnsupportedOperationException("lafsfs file systems are made by the SFTP server, one per session");
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        throw new UnsupportedOperationException("lafsfs file systems are made by the SFTP server, one per session");
    }

    @Override
    public Path getPath(URI uri) {
        throw new UnsupportedOperationException("lafsfs paths come from their file system");
    }

    static VfsPath vfsPath(Path path) {
        if (path instanceof VfsPath p) {
            return p;
        }
        throw new ProviderMismatchException("not a lafsfs path: " + path);
    }

    private static Vfs vfs(Path path) {
        return vfsPath(path).getFileSystem().vfs();
    }

    /** The VFS's attributes of {@code path}. */
    static FileAttributes stat(Path path) throws IOException {
        VfsPath p = vfsPath(path);
        try {
            return p.getFileSystem().vfs().stat(p.vfsPath());
        } catch (VfsException e) {
            throw NioErrors.of(e, p.vfsPath());
        }
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        Set<org.lafsfs.vfs.OpenOption> open = EnumSet.noneOf(org.lafsfs.vfs.OpenOption.class);
        for (OpenOption o : options) {
            if (o == StandardOpenOption.READ) {
                open.add(org.lafsfs.vfs.OpenOption.READ);
            } else if (o == StandardOpenOption.WRITE) {
                open.add(org.lafsfs.vfs.OpenOption.WRITE);
            } else if (o == StandardOpenOption.APPEND) {
                open.add(org.lafsfs.vfs.OpenOption.WRITE);
                open.add(org.lafsfs.vfs.OpenOption.APPEND);
            } else if (o == StandardOpenOption.CREATE) {
                open.add(org.lafsfs.vfs.OpenOption.CREATE);
            } else if (o == StandardOpenOption.CREATE_NEW) {
                open.add(org.lafsfs.vfs.OpenOption.CREATE);
                open.add(org.lafsfs.vfs.OpenOption.EXCLUSIVE);
            } else if (o == StandardOpenOption.TRUNCATE_EXISTING) {
                open.add(org.lafsfs.vfs.OpenOption.TRUNCATE);
            }
            // SPARSE, SYNC, DSYNC, DELETE_ON_CLOSE and NOFOLLOW_LINKS change nothing here
        }
        boolean writing = open.contains(org.lafsfs.vfs.OpenOption.WRITE);
        if (!writing) {
            open.add(org.lafsfs.vfs.OpenOption.READ);
            // As java.nio: without WRITE, CREATE and TRUNCATE_EXISTING are ignored.
            open.remove(org.lafsfs.vfs.OpenOption.CREATE);
            open.remove(org.lafsfs.vfs.OpenOption.EXCLUSIVE);
            open.remove(org.lafsfs.vfs.OpenOption.TRUNCATE);
        }
        VfsPath p = vfsPath(path);
        try {
            FileHandle handle = vfs(p).open(p.vfsPath(), open);
            return new VfsChannel(handle);
        } catch (VfsException e) {
            throw NioErrors.of(e, p.vfsPath());
        }
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        VfsPath p = vfsPath(dir);
        List<DirectoryListing> listing;
        try {
            listing = vfs(p).readdir(p.vfsPath());
        } catch (VfsException e) {
            throw NioErrors.of(e, p.vfsPath());
        }
        VfsPath base = p.toAbsolutePath().normalize();
        List<Path> entries = new ArrayList<>(listing.size());
        for (DirectoryListing entry : listing) {
            List<String> names = new ArrayList<>(base.getNameCount() + 1);
            base.forEach(n -> names.add(n.toString()));
            names.add(entry.name());
            Path child = new VfsPath(p.getFileSystem(), "/", List.copyOf(names), entry.attributes());
            if (filter == null || filter.accept(child)) {
                entries.add(child);
            }
        }
        return new DirectoryStream<>() {
            private boolean iterated;

            @Override
            public Iterator<Path> iterator() {
                if (iterated) {
                    throw new IllegalStateException("a directory stream is iterated once");
                }
                iterated = true;
                return entries.iterator();
            }

            @Override
            public void close() {
                // the listing is already in memory
            }
        };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        run(dir, (vfs, path) -> vfs.mkdir(path));
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        run(link, (vfs, path) -> vfs.symlink(target.toString(), path));
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
        String from = vfsPath(existing).vfsPath();
        run(link, (vfs, path) -> vfs.link(from, path));
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        stat(link);
        throw new NotLinkException(vfsPath(link).vfsPath(), null, "a Tahoe grid holds no symbolic links");
    }

    @Override
    public void delete(Path path) throws IOException {
        boolean directory = stat(path).isDirectory();
        run(path, (vfs, p) -> {
            if (directory) {
                vfs.rmdir(p);
            } else {
                vfs.unlink(p);
            }
        });
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        boolean replace = Arrays.asList(options).contains(StandardCopyOption.REPLACE_EXISTING);
        if (stat(source).isDirectory()) {
            if (!replace) {
                createDirectory(target);
                return;
            }
            throw new UnsupportedOperationException("copying a directory over an existing name");
        }
        Set<OpenOption> create = replace
                ? Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)
                : Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
        try (SeekableByteChannel in = newByteChannel(source, Set.of(StandardOpenOption.READ));
                SeekableByteChannel out = newByteChannel(target, create)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(128 * 1024);
            while (in.read(buffer) > 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                buffer.clear();
            }
        }
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        VfsPath from = vfsPath(source);
        VfsPath to = vfsPath(target);
        boolean replace = Arrays.asList(options).contains(StandardCopyOption.REPLACE_EXISTING);
        if (!replace && !from.vfsPath().equals(to.vfsPath())) {
            // Plain SFTP rename (v3, and v5+ without OVERWRITE) never replaces; posix-rename@openssh.com does.
            FileAttributes existing = null;
            try {
                existing = vfs(to).stat(to.vfsPath());
            } catch (VfsException e) {
                // nothing there (or no parent: rename will say so)
            }
            if (existing != null) {
                throw new FileAlreadyExistsException(to.vfsPath(), null, "the target exists");
            }
        }
        String fromPath = from.vfsPath();
        run(to, (vfs, path) -> vfs.rename(fromPath, path));
    }

    @Override
    public boolean isSameFile(Path path, Path path2) {
        return vfsPath(path).vfsPath().equals(vfsPath(path2).vfsPath())
                && vfsPath(path).getFileSystem().vfs() == vfsPath(path2).getFileSystem().vfs();
    }

    @Override
    public boolean isHidden(Path path) {
        return false;
    }

    @Override
    public FileStore getFileStore(Path path) {
        return new VfsFileStore(vfs(path));
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        FileAttributes a = stat(path);
        for (AccessMode mode : modes) {
            if (mode == AccessMode.WRITE && !a.writable()) {
                throw new AccessDeniedException(vfsPath(path).vfsPath(), null, "read-only");
            }
            if (mode == AccessMode.EXECUTE && !a.isDirectory()) {
                throw new AccessDeniedException(vfsPath(path).vfsPath(), null, "files on a grid are not executable");
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        if (type == BasicFileAttributeView.class || type == PosixFileAttributeView.class
                || type == FileOwnerAttributeView.class) {
            return (V) new View(vfsPath(path));
        }
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        if (type == BasicFileAttributes.class || type == PosixFileAttributes.class) {
            return (A) new VfsAttributes(stat(path), vfsPath(path).getFileSystem().owner());
        }
        throw new UnsupportedOperationException("no " + type.getSimpleName() + " here");
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
            throws IOException {
        int colon = attributes.indexOf(':');
        String view = colon < 0 ? "basic" : attributes.substring(0, colon);
        String names = colon < 0 ? attributes : attributes.substring(colon + 1);
        Map<String, Object> all = new VfsAttributes(stat(path), vfsPath(path).getFileSystem().owner()).view(view);
        if (names.equals("*")) {
            return all;
        }
        Map<String, Object> wanted = new java.util.HashMap<>();
        for (String name : names.split(",")) {
            if (!all.containsKey(name)) {
                throw new IllegalArgumentException("no attribute '" + name + "' in view '" + view + "'");
            }
            wanted.put(name, all.get(name));
        }
        return wanted;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        int colon = attribute.indexOf(':');
        String name = colon < 0 ? attribute : attribute.substring(colon + 1);
        View view = new View(vfsPath(path));
        switch (name) {
            case "lastModifiedTime" -> view.setTimes((FileTime) value, null, null);
            case "lastAccessTime", "creationTime" -> {
                // not kept on a grid
            }
            case "permissions" -> view.setPermissions((Set<PosixFilePermission>) value);
            case "owner" -> view.setOwner((UserPrincipal) value);
            case "group" -> view.setGroup((GroupPrincipal) value);
            case "uid", "gid" -> view.setIds(name.equals("uid") ? ((Number) value).intValue() : -1,
                    name.equals("gid") ? ((Number) value).intValue() : -1);
            default -> throw new UnsupportedOperationException("attribute '" + attribute + "' cannot be set here");
        }
    }

    /** A VFS call on one path, its failure translated. */
    @FunctionalInterface
    private interface Call {
        void on(Vfs vfs, String path) throws VfsException;
    }

    private static void run(Path path, Call call) throws IOException {
        VfsPath p = vfsPath(path);
        try {
            call.on(p.getFileSystem().vfs(), p.vfsPath());
        } catch (VfsException e) {
            throw NioErrors.of(e, p.vfsPath());
        }
    }

    /**
     * Basic, POSIX and owner attributes of one path. Only the modification
     * time and the owner write bit are kept (docs/semantics.md); a chown to
     * the owner every file is shown with changes nothing and succeeds, any
     * other is the VFS's refusal.
     */
    private static final class View implements PosixFileAttributeView {
        private final VfsPath path;

        View(VfsPath path) {
            this.path = path;
        }

        @Override
        public String name() {
            return "posix";
        }

        @Override
        public PosixFileAttributes readAttributes() throws IOException {
            return new VfsAttributes(stat(path), path.getFileSystem().owner());
        }

        @Override
        public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime)
                throws IOException {
            if (lastModifiedTime != null) {
                run(path, (vfs, p) -> vfs.setModified(p, lastModifiedTime.toInstant()));
            }
        }

        @Override
        public void setPermissions(Set<PosixFilePermission> perms) throws IOException {
            int mode = VfsAttributes.mode(perms);
            run(path, (vfs, p) -> vfs.chmod(p, mode));
        }

        @Override
        public UserPrincipal getOwner() {
            return path.getFileSystem().owner();
        }

        @Override
        public void setOwner(UserPrincipal owner) throws IOException {
            VfsFileSystem.Owner shown = path.getFileSystem().owner();
            if (!owner.getName().equals(shown.getName())) {
                setIds(number(owner.getName()), -1);
            }
        }

        @Override
        public void setGroup(GroupPrincipal group) throws IOException {
            VfsFileSystem.Owner shown = path.getFileSystem().owner();
            if (!group.getName().equals(shown.getName())) {
                setIds(-1, number(group.getName()));
            }
        }

        void setIds(int uid, int gid) throws IOException {
            VfsFileSystem.Owner shown = path.getFileSystem().owner();
            if ((uid == -1 || uid == shown.uid()) && (gid == -1 || gid == shown.gid())) {
                stat(path); // a chown(2) to the owner shown: nothing changes, as long as the name is there
                return;
            }
            run(path, (vfs, p) -> vfs.chown(p, uid, gid));
        }

        private static int number(String name) {
            try {
                return Integer.parseInt(name);
            } catch (NumberFormatException e) {
                return -2; // a name, not ours: the VFS refuses it like any other owner
            }
        }
    }
}
