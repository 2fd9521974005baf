package org.lafsfs.fuse;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.LibraryLoader;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
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
 * The {@link Vfs} interface answered by system calls on a mounted directory:
 * what a program sees through the FUSE mount. Every filesystem operation is
 * one system call on a path under the mount point (stat and readdir through
 * java.nio, the rest through libc via jnr-posix, so that rmdir is rmdir(2) and
 * not Java's stat-then-delete, and ftruncate can grow a file), and every
 * failure is the errno the kernel returned.
 *
 * <p>Three things have no system call through a FUSE 2 mount and are asked of
 * the VFS the mount serves instead: {@link #sync()} (FUSE 2 never sees
 * sync(2); this waits for the kernel's asynchronous RELEASEs of descriptors
 * already closed, then syncs the VFS), {@link #status()}, and
 * {@link FileAttributes#mutable()} in stat (POSIX has no field for it).
 */
final class MountedPathVfs implements Vfs {
    /** libc through jnr-posix, answering failures with -1 and errno (its default handler throws for some calls). */
    static final POSIX posix = POSIXFactory.getNativePOSIX(new jnr.posix.util.DefaultPOSIXHandler() {
        @Override
        public void error(jnr.constants.platform.Errno error, String extraData) {
            // the caller reads errno
        }

        @Override
        public void error(jnr.constants.platform.Errno error, String methodName, String extraData) {
            // the caller reads errno
        }
    });
    private static final LibC libc = LibraryLoader.create(LibC.class).load("c");
    private static final Map<String, Errno> BY_REASON = new HashMap<>();
    private static final Map<Integer, Errno> BY_VALUE = new HashMap<>();

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 01;
    static final int O_RDWR = 02;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_TRUNC = 01000;
    private static final int O_APPEND = 02000;
    private static final int O_DIRECTORY = 0200000;
    static final int AT_FDCWD = -100;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    static {
        for (Errno e : Errno.values()) {
            BY_VALUE.put(e.value(), e);
            BY_REASON.put(posix.strerror(e.value()), e);
        }
    }

    /** What jnr-posix lacks. */
    public interface LibC {
        int mknod(String path, int mode, long dev);

        int statvfs(String path, jnr.ffi.Pointer buf);
    }

    private final Path mountPoint;
    private final FuseMount fuse;
    private final LafsVfs served;
    private final AtomicInteger openHere = new AtomicInteger();
    private final List<PosixHandle> handles = new ArrayList<>();

    MountedPathVfs(FuseMount fuse, LafsVfs served) {
        this.mountPoint = fuse.mountPoint();
        this.fuse = fuse;
        this.served = served;
    }

    Path mountPoint() {
        return mountPoint;
    }

    FuseMount fuse() {
        return fuse;
    }

    LafsVfs served() {
        return served;
    }

    /** The path under the mount point for a VFS path ("/a/b" is MOUNT/a/b). */
    Path local(String path) {
        String relative = path.replaceAll("^/+", "");
        return relative.isEmpty() ? mountPoint : mountPoint.resolve(relative);
    }

    private String os(String path) {
        return local(path).toString();
    }

    // ---------------------------------------------------------------- errors

    private static VfsException errno(String what) {
        int value = posix.errno();
        Errno e = BY_VALUE.get(value);
        String reason = posix.strerror(value);
        return new VfsException(e == null ? Errno.EIO : e, what + ": " + reason + (e == null ? " (errno " + value
                + ")" : ""));
    }

    private static void check(int rc, String what) throws VfsException {
        if (rc < 0) {
            throw errno(what);
        }
    }

    /** A java.nio failure as the errno behind it. */
    static VfsException fromNio(IOException e, String what) {
        Errno errno;
        if (e instanceof NoSuchFileException) {
            errno = Errno.ENOENT;
        } else if (e instanceof FileAlreadyExistsException) {
            errno = Errno.EEXIST;
        } else if (e instanceof DirectoryNotEmptyException) {
            errno = Errno.ENOTEMPTY;
        } else if (e instanceof NotDirectoryException) {
            errno = Errno.ENOTDIR;
        } else if (e instanceof AccessDeniedException a) {
            errno = String.valueOf(a.getReason()).contains("Read-only") ? Errno.EROFS : Errno.EACCES;
        } else if (e instanceof FileSystemException f && f.getReason() != null) {
            errno = BY_REASON.getOrDefault(f.getReason(), Errno.EIO);
        } else {
            errno = Errno.EIO;
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return new VfsException(errno, what + ": " + message, e);
    }

    // ---------------------------------------------------------------- stat & readdir

    @Override
    public FileAttributes stat(String path) throws VfsException {
        return attributes(local(path), path);
    }

    private FileAttributes attributes(Path p, String path) throws VfsException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw fromNio(e, "stat " + path);
        }
        boolean dir = (Boolean) a.get("isDirectory");
        Instant modified = ((FileTime) a.get("lastModifiedTime")).toInstant();
        Instant changed = ((FileTime) a.get("ctime")).toInstant();
        int mode = (Integer) a.get("mode") & 07777;
        return new FileAttributes(dir ? FileAttributes.Kind.DIRECTORY : FileAttributes.Kind.FILE,
                dir ? 0 : (Long) a.get("size"), modified, changed, mode, mutable(path), (Integer) a.get("nlink"));
    }

    /** Whether the VFS holds it as a mutable file: not something stat(2) can say. */
    private boolean mutable(String path) {
        try {
            return served.stat(path).mutable();
        } catch (VfsException e) {
            return false;
        }
    }

    @Override
    public List<DirectoryListing> readdir(String path) throws VfsException {
        List<DirectoryListing> listing = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(local(path))) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                String child = path.endsWith("/") ? path + name : path + "/" + name;
                listing.add(new DirectoryListing(name, attributes(entry, child)));
            }
        } catch (IOException e) {
            throw fromNio(e, "readdir " + path);
        }
        listing.sort(Comparator.comparing(DirectoryListing::name));
        return listing;
    }

    // ---------------------------------------------------------------- namespace

    @Override
    public void mkdir(String path) throws VfsException {
        check(posix.mkdir(os(path), 0755), "mkdir " + path);
    }

    @Override
    public void rmdir(String path) throws VfsException {
        check(posix.rmdir(os(path)), "rmdir " + path);
    }

    @Override
    public void unlink(String path) throws VfsException {
        check(posix.unlink(os(path)), "unlink " + path);
    }

    @Override
    public void rename(String from, String to) throws VfsException {
        check(posix.rename(os(from), os(to)), "rename " + from + " " + to);
    }

    @Override
    public void link(String existing, String newPath) throws VfsException {
        check(posix.link(os(existing), os(newPath)), "link " + existing + " " + newPath);
    }

    @Override
    public void truncate(String path, long size) throws VfsException {
        check(posix.truncate(os(path), size), "truncate " + path);
    }

    @Override
    public void setModified(String path, Instant modified) throws VfsException {
        long[] atime = {0, UTIME_OMIT};
        long[] mtime = {modified.getEpochSecond(), modified.getNano()};
        check(posix.utimensat(AT_FDCWD, os(path), atime, mtime, 0), "utimensat " + path);
    }

    @Override
    public void chmod(String path, int mode) throws VfsException {
        check(posix.chmod(os(path), mode), "chmod " + path);
    }

    @Override
    public void fsyncDirectory(String path) throws VfsException {
        int fd = posix.open(os(path), O_RDONLY | O_DIRECTORY, 0);
        check(fd, "open " + path);
        try {
            check(posix.fsync(fd), "fsync " + path);
        } finally {
            posix.close(fd);
        }
    }

    @Override
    public FileSystemStats statfs() throws VfsException {
        // One statvfs(2), so that the numbers belong together (java.nio's FileStore makes one call per number).
        jnr.ffi.Runtime runtime = jnr.ffi.Runtime.getSystemRuntime();
        ru.serce.jnrfuse.struct.Statvfs st = ru.serce.jnrfuse.struct.Statvfs.of(
                jnr.ffi.Memory.allocateDirect(runtime, jnr.ffi.Struct.size(ru.serce.jnrfuse.struct.Statvfs.class)));
        if (libc.statvfs(mountPoint.toString(), jnr.ffi.Struct.getMemory(st)) < 0) {
            int value = runtime.getLastError();
            Errno e = BY_VALUE.get(value);
            throw new VfsException(e == null ? Errno.EIO : e, "statvfs: " + posix.strerror(value));
        }
        long frsize = st.f_frsize.longValue();
        return new FileSystemStats(st.f_blocks.get() * frsize, st.f_bfree.get() * frsize,
                st.f_bavail.get() * frsize, (int) st.f_bsize.longValue(), st.f_files.get());
    }

    @Override
    public void symlink(String target, String linkPath) throws VfsException {
        check(posix.symlink(target, os(linkPath)), "symlink " + linkPath);
    }

    @Override
    public void chown(String path, int uid, int gid) throws VfsException {
        check(posix.chown(os(path), uid, gid), "chown " + path);
    }

    @Override
    public void mknod(String path, int mode) throws VfsException {
        check(libc.mknod(os(path), mode, 0), "mknod " + path);
    }

    // ---------------------------------------------------------------- files

    @Override
    public FileHandle open(String path, Set<OpenOption> options) throws VfsException {
        boolean write = options.contains(OpenOption.WRITE) || options.contains(OpenOption.APPEND)
                || options.contains(OpenOption.TRUNCATE);
        boolean read = options.contains(OpenOption.READ);
        int flags = write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
        if (options.contains(OpenOption.CREATE)) {
            flags |= O_CREAT;
            if (options.contains(OpenOption.EXCLUSIVE)) {
                flags |= O_EXCL;
            }
        }
        if (options.contains(OpenOption.TRUNCATE)) {
            flags |= O_TRUNC;
        }
        if (options.contains(OpenOption.APPEND)) {
            flags |= O_APPEND;
        }
        int fd = posix.open(os(path), flags, 0644);
        check(fd, "open " + path);
        PosixHandle h = new PosixHandle(fd, path);
        synchronized (handles) {
            handles.add(h);
        }
        openHere.incrementAndGet();
        return h;
    }

    /** An open(2) file descriptor on the mount. */
    private final class PosixHandle implements FileHandle {
        private final int fd;
        private final String path;
        private boolean closed;

        PosixHandle(int fd, String path) {
            this.fd = fd;
            this.path = path;
        }

        private void requireOpen() throws VfsException {
            if (closed) {
                throw new VfsException(Errno.EBADF, "closed: " + path);
            }
        }

        @Override
        public int read(long offset, byte[] buffer, int at, int length) throws VfsException {
            requireOpen();
            byte[] into = at == 0 ? buffer : new byte[length];
            long n = posix.pread(fd, into, (long) length, offset);
            if (n < 0) {
                throw errno("pread " + path);
            }
            if (into != buffer) {
                System.arraycopy(into, 0, buffer, at, (int) n);
            }
            return (int) n;
        }

        @Override
        public void write(long offset, byte[] buffer, int at, int length) throws VfsException {
            requireOpen();
            byte[] from = at == 0 ? buffer : java.util.Arrays.copyOfRange(buffer, at, at + length);
            long done = 0;
            while (done < length) {
                byte[] rest = done == 0 ? from : java.util.Arrays.copyOfRange(from, (int) done, length);
                long n = posix.pwrite(fd, rest, (long) (length - done), offset + done);
                if (n < 0) {
                    throw errno("pwrite " + path);
                }
                done += n;
            }
        }

        @Override
        public void truncate(long size) throws VfsException {
            requireOpen();
            check(posix.ftruncate(fd, size), "ftruncate " + path);
        }

        @Override
        public long size() throws VfsException {
            requireOpen();
            jnr.posix.FileStat st = posix.allocateStat();
            check(posix.fstat(fd, st), "fstat " + path);
            return st.st_size();
        }

        /** What close(2) of one descriptor does to the file: close a duplicate of it. */
        @Override
        public void flush() throws VfsException {
            requireOpen();
            int dup = posix.dup(fd);
            check(dup, "dup " + path);
            check(posix.close(dup), "close " + path);
        }

        @Override
        public void fsync() throws VfsException {
            requireOpen();
            check(posix.fsync(fd), "fsync " + path);
        }

        @Override
        public void close() throws VfsException {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (handles) {
                handles.remove(this);
            }
            openHere.decrementAndGet();
            check(posix.close(fd), "close " + path);
        }
    }

    // ---------------------------------------------------------------- what no system call reaches

    /**
     * sync(2) does not reach a FUSE 2 filesystem. Waits until the kernel has released every descriptor closed
     * here (RELEASE is asynchronous), then syncs the VFS the mount serves.
     */
    @Override
    public void sync() throws VfsException {
        awaitReleases();
        served.sync();
    }

    @Override
    public VfsStatus status() {
        awaitReleases();
        return served.status();
    }

    private void awaitReleases() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fuse.openFiles() > openHere.get() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Closes descriptors the test left open, unmounts, closes the VFS and removes the mount point. */
    @Override
    public void close() throws VfsException {
        List<PosixHandle> left;
        synchronized (handles) {
            left = new ArrayList<>(handles);
        }
        for (PosixHandle h : left) {
            try {
                h.close();
            } catch (VfsException e) {
                // closing what the test forgot
            }
        }
        try {
            fuse.close();
            served.close();
        } finally {
            FuseTesting.removeMountPoint(mountPoint);
        }
    }

    /** As a crash: the process serving the mount is gone, nothing pending is finished. */
    void crash() {
        served.abandon(); // first: a crash stops the VFS at once; detaching the mount takes a fusermount
        fuse.abandon();
        List<PosixHandle> left;
        synchronized (handles) {
            left = new ArrayList<>(handles);
            handles.clear();
        }
        for (PosixHandle h : left) {
            posix.close(h.fd);
        }
        FuseTesting.removeMountPoint(mountPoint);
    }

    @Override
    public String toString() {
        return "MountedPathVfs[" + mountPoint + "]";
    }
}
