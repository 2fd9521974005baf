package org.lafsfs.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.types.dev_t;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uid_t;
import org.lafsfs.vfs.DirectoryListing;
import org.lafsfs.vfs.Errno;
import org.lafsfs.vfs.FileAttributes;
import org.lafsfs.vfs.FileHandle;
import org.lafsfs.vfs.FileSystemStats;
import org.lafsfs.vfs.OpenOption;
import org.lafsfs.vfs.Vfs;
import org.lafsfs.vfs.VfsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The grid as a drive: a FUSE filesystem (jnr-fuse, over libfuse 2's
 * multi-threaded loop) that is a thin adapter over a {@link Vfs}. Every
 * callback is one VFS call; a {@link VfsException} becomes its negated errno,
 * anything else EIO (and a log line). What each operation means is decided by
 * the VFS (docs/semantics.md); what is decided here is only how FUSE's calls
 * map onto it, written down in fuse-mount/README.md:
 * <ul>
 * <li>open files are a table from FUSE's file handle number to a VFS {@link FileHandle};
 * <li>close(2) reaches a filesystem as FUSE's flush, while the release that follows is asynchronous
 * and its result is lost; so the first flush after a handle changed the file closes the VFS handle
 * (which stages and publishes the file, waiting up to the VFS's closeWait, and reports a failure to
 * close(2)), and a later use of the same descriptor (a dup of it) opens it again;
 * <li>the kernel shows every name as owned by the mounting user (or {@link Options#uid}/{@link Options#gid})
 * with the VFS's permission bits, and enforces them ({@code default_permissions}).
 * </ul>
 * The VFS is thread-safe; callbacks run on libfuse's threads.
 */
public final class FuseMount extends FuseStubFS implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FuseMount.class);

    // Linux open(2) flags (x86_64 and aarch64 share them).
    private static final int O_ACCMODE = 03;
    private static final int O_WRONLY = 01;
    private static final int O_RDWR = 02;
    private static final int O_EXCL = 0200;
    private static final int O_TRUNC = 01000;
    private static final int O_APPEND = 02000;
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;
    private static final int EIO = Errno.EIO.value();
    /** The block size shown to programs: cp, dd and friends then move 128 KiB at a time, as FUSE writes do. */
    private static final int IO_BLOCK = 128 * 1024;
    /** How long a mount may take before it counts as failed. */
    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(30);
    /** How long close waits for libfuse's loop to end after the unmount. */
    private static final Duration LOOP_END_TIMEOUT = Duration.ofSeconds(15);

    /**
     * How a mount looks to the kernel and to its users.
     *
     * @param attrTimeout how long the kernel believes a getattr (kept short: the VFS caches directories itself,
     *     and another client's change shows after the VFS's dir-cache-time plus this)
     * @param entryTimeout how long the kernel believes a name lookup
     * @param maxWrite the largest write the kernel sends (libfuse 2 allows at most 128 KiB)
     * @param readOnly mount read-only: the kernel refuses every write with EROFS before it reaches the VFS
     *     (also chosen when the root itself is not writable, a read-only cap)
     * @param allowOther let other local users in (root may; others need user_allow_other in /etc/fuse.conf)
     * @param uid the owner shown for every name
     * @param gid the group shown for every name
     * @param umask bits cleared from every mode shown (and so enforced)
     * @param fsName what mount(8) and df show as the source ("lafsfs" or a more telling name)
     * @param debug libfuse's -d: every request on stderr
     */
    public record Options(Duration attrTimeout, Duration entryTimeout, int maxWrite, boolean readOnly,
            boolean allowOther, int uid, int gid, int umask, String fsName, boolean debug) {

        /** 1 s attribute and entry timeouts, 128 KiB writes, owned by the user running this process. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(1), Duration.ofSeconds(1), 128 * 1024, false, false,
                    currentUid(), currentGid(), 0, "lafsfs", false);
        }

        public Options withReadOnly(boolean ro) {
            return new Options(attrTimeout, entryTimeout, maxWrite, ro, allowOther, uid, gid, umask, fsName, debug);
        }

        public Options withAllowOther(boolean allow) {
            return new Options(attrTimeout, entryTimeout, maxWrite, readOnly, allow, uid, gid, umask, fsName, debug);
        }

        public Options withOwner(int newUid, int newGid) {
            return new Options(attrTimeout, entryTimeout, maxWrite, readOnly, allowOther, newUid, newGid, umask,
                    fsName, debug);
        }

        public Options withUmask(int newUmask) {
            return new Options(attrTimeout, entryTimeout, maxWrite, readOnly, allowOther, uid, gid,
                    newUmask & 0777, fsName, debug);
        }

        public Options withTimeouts(Duration attr, Duration entry) {
            return new Options(attr, entry, maxWrite, readOnly, allowOther, uid, gid, umask, fsName, debug);
        }

        public Options withFsName(String name) {
            return new Options(attrTimeout, entryTimeout, maxWrite, readOnly, allowOther, uid, gid, umask, name,
                    debug);
        }

        public Options withDebug(boolean on) {
            return new Options(attrTimeout, entryTimeout, maxWrite, readOnly, allowOther, uid, gid, umask, fsName,
                    on);
        }

        /** The -o options handed to libfuse; see fuse-mount/README.md for why each is there. */
        List<String> fuseOptions(boolean rootWritable) {
            List<String> o = new ArrayList<>();
            o.add("fsname=" + fsName.replaceAll("[,\\s\\\\]", "_"));
            o.add("subtype=lafsfs");
            o.add("big_writes");
            o.add("max_write=" + maxWrite);
            o.add("atomic_o_trunc");
            o.add("hard_remove");
            o.add("default_permissions");
            o.add("attr_timeout=" + seconds(attrTimeout));
            o.add("entry_timeout=" + seconds(entryTimeout));
            o.add("negative_timeout=0");
            if (readOnly || !rootWritable) {
                o.add("ro");
            }
            if (allowOther) {
                o.add("allow_other");
            }
            return o;
        }

        private static String seconds(Duration d) {
            return java.math.BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
        }
    }

    /** The filesystem served; dropped after {@link #close} (jnr-fuse's shutdown hook keeps this object). */
    private volatile Vfs vfs;
    private final Options options;
    private final Map<Long, OpenHandle> handles = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final CompletableFuture<Void> initialized = new CompletableFuture<>();
    private final CompletableFuture<Void> loopEnded = new CompletableFuture<>();
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[IO_BLOCK]);
    private final PageCachePolicy pageCache = new PageCachePolicy();
    private final AtomicLong readCalls = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean unmountStarted =
            new java.util.concurrent.atomic.AtomicBoolean();
    private final CompletableFuture<Void> unmountDone = new CompletableFuture<>();
    private volatile Path mountPoint;
    private volatile boolean abandoned;

    private FuseMount(Vfs vfs, Options options) {
        this.vfs = vfs;
        this.options = options;
        // libfuse 2 passes NULL paths to operations on files unlinked while open (hard_remove), and accepts
        // UTIME_NOW / UTIME_OMIT in utimens (touch -m): the two flags of fuse_operations' bit field.
        Pointer ops = Struct.getMemory(fuseOperations);
        long flags = flagsOffset(fuseOperations);
        ops.putByte(flags, (byte) (ops.getByte(flags) | 0b001 | 0b100));
    }

    /**
     * Where fuse_operations' bit field (flag_nullpath_ok, flag_nopath, flag_utime_omit_ok) starts: after the 38
     * function pointers getattr .. bmap. jnr-ffi knows the offset but keeps its accessor in a protected class.
     */
    private static long flagsOffset(ru.serce.jnrfuse.struct.FuseOperations ops) {
        try {
            Object member = ru.serce.jnrfuse.struct.FuseOperations.class.getField("flag_nullpath_ok").get(ops);
            java.lang.reflect.Method offset = member.getClass().getMethod("offset");
            offset.setAccessible(true);
            return ((Number) offset.invoke(member)).longValue();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 38L * Runtime.getSystemRuntime().addressSize();
        }
    }

    /** Mounts {@code vfs} at {@code mountPoint} with the {@link Options#defaults() default options}. */
    public static FuseMount mount(Vfs vfs, Path mountPoint) throws IOException {
        return mount(vfs, mountPoint, Options.defaults());
    }

    /**
     * Mounts {@code vfs} at {@code mountPoint} and returns once the kernel serves it. A FUSE mount left behind
     * there by a process that died is cleared first.
     *
     * @throws IOException with a one-line explanation when libfuse or /dev/fuse is missing, the mount point is
     *     unusable, or the kernel refuses the mount
     */
    public static FuseMount mount(Vfs vfs, Path mountPoint, Options options) throws IOException {
        requireFuseDevice();
        if (!Charset.defaultCharset().equals(StandardCharsets.UTF_8)) {
            log.warn("the JVM's default charset is {}, not UTF-8: names that are not ASCII will be garbled through"
                    + " the mount (run java with -Dfile.encoding=UTF-8, or in a UTF-8 locale)",
                    Charset.defaultCharset());
        }
        FuseMount fs;
        try {
            fs = new FuseMount(vfs, options);
        } catch (LinkageError | RuntimeException e) {
            throw new IOException("libfuse 2 cannot be loaded (install it: apt-get install libfuse2 fuse3): "
                    + e.getMessage(), e);
        }
        fs.start(mountPoint);
        return fs;
    }

    private static void requireFuseDevice() throws IOException {
        Path dev = Path.of("/dev/fuse");
        if (!Files.exists(dev)) {
            throw new IOException("/dev/fuse is missing: load the kernel module (modprobe fuse), or give a"
                    + " container the device (docker run --device /dev/fuse --cap-add SYS_ADMIN)");
        }
        if (!Files.isReadable(dev) || !Files.isWritable(dev)) {
            throw new IOException("/dev/fuse cannot be opened by this user: mount as root, or install fuse3 so"
                    + " that the setuid fusermount can mount for you");
        }
    }

    /** Whether a FUSE filesystem is mounted at {@code mountPoint} now (as the kernel's mount table says). */
    public static boolean isMounted(Path mountPoint) {
        return MountTable.at(mountPoint.toAbsolutePath().normalize()).isPresent();
    }

    /**
     * Clears a FUSE mount at {@code mountPoint} that a process left behind when it died (every access answers
     * "Transport endpoint is not connected"); returns whether there was one. {@link #mount} does this itself.
     */
    public static boolean clearStaleMount(Path mountPoint) {
        Path mp = mountPoint.toAbsolutePath().normalize();
        if (!MountTable.isStale(mp)) {
            return false;
        }
        log.warn("{}: clearing a FUSE mount left behind by a process that is gone", mp);
        MountTable.unmount(mp, true);
        return true;
    }

    private void start(Path where) throws IOException {
        Path mp = where.toAbsolutePath().normalize();
        clearStaleMount(mp);
        if (MountTable.at(mp).filter(MountTable.Mount::isFuse).isPresent()) {
            throw new IOException(mp + " is already a FUSE mount point (unmount it first: fusermount -u " + mp + ")");
        }
        if (!Files.isDirectory(mp)) {
            throw new IOException("mount point " + mp + " is not a directory");
        }
        boolean rootWritable;
        try {
            rootWritable = vfs.stat("/").writable();
        } catch (VfsException e) {
            throw new IOException("cannot read the root directory: " + e.getMessage(), e);
        }
        List<String> args = new ArrayList<>();
        args.add("-o");
        args.add(String.join(",", options.fuseOptions(rootWritable)));
        this.mountPoint = mp;
        Thread loop = new Thread(() -> {
            try {
                super.mount(mp, true, options.debug(), args.toArray(new String[0]));
                loopEnded.complete(null);
            } catch (Throwable t) {
                loopEnded.completeExceptionally(t);
            }
        }, "lafsfs-fuse-loop " + mp);
        loop.setDaemon(true);
        loop.start();
        try {
            CompletableFuture.anyOf(initialized, loopEnded).get(MOUNT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            MountTable.unmount(mp, true);
            throw new IOException("mounting at " + mp + " did not finish within " + MOUNT_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            MountTable.unmount(mp, true);
            throw new IOException("interrupted while mounting at " + mp);
        } catch (ExecutionException e) {
            throw new IOException("cannot mount at " + mp + ": " + rootMessage(e.getCause())
                    + " (libfuse says why on stderr)", e.getCause());
        }
        if (!initialized.isDone()) {
            throw new IOException("cannot mount at " + mp + ": libfuse stopped at once (it says why on stderr)");
        }
        log.info("mounted at {} with -o {}", mp, args.get(1));
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    /** Where this filesystem is mounted. */
    public Path mountPoint() {
        return mountPoint;
    }

    /** How many files are open through the mount (FUSE handles not yet released). */
    public int openFiles() {
        return handles.size();
    }

    /** Blocks until the mount ends (unmounted by {@link #close}, fusermount -u, or umount). */
    public void awaitUnmounted() throws InterruptedException {
        try {
            loopEnded.get();
        } catch (ExecutionException e) {
            // ended all the same
        }
    }

    /** True once libfuse's loop has ended: nothing is served any more. */
    public boolean isUnmounted() {
        return loopEnded.isDone();
    }

    /**
     * Unmounts (lazily if the mount point is busy: the kernel then detaches it at once and ends it when the
     * last open file is closed), waits for libfuse's loop to end, and closes every VFS handle whose release
     * never came. The VFS itself is left open: its owner closes it, which finishes pending uploads.
     */
    @Override
    public void close() {
        unmount();
        for (Long fh : List.copyOf(handles.keySet())) {
            OpenHandle h = handles.remove(fh);
            if (h != null) {
                try {
                    h.release();
                } catch (VfsException e) {
                    log.warn("{}: closing {} after the unmount: {}", mountPoint, h.path, e.getMessage());
                }
            }
        }
        abandoned = true; // what a detached mount still asks from now on is EIO
        vfs = null;
    }

    /** jnr-fuse's own shutdown hook and {@link #close} come here: unmount once, robustly. */
    @Override
    public void umount() {
        unmount();
    }

    /** The first caller unmounts; every other waits until that is done. */
    private void unmount() {
        if (mountPoint == null) {
            return;
        }
        if (!unmountStarted.compareAndSet(false, true)) {
            unmountDone.join();
            return;
        }
        try {
            if (!loopEnded.isDone()) {
                MountTable.Outcome out = MountTable.unmount(mountPoint, false);
                if (!out.unmounted()) {
                    log.warn("{} is busy ({}); detaching it lazily: it ends when the last file open in it is"
                            + " closed", mountPoint, out.message());
                    out = MountTable.unmount(mountPoint, true);
                    if (!out.unmounted()) {
                        log.error("cannot unmount {}: {}", mountPoint, out.message());
                    }
                }
            }
            loopEnded.get(LOOP_END_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("{}: files are still open in the detached mount; they are served until closed", mountPoint);
        } catch (ExecutionException e) {
            // the loop ended with an error; it has ended
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            unmountDone.complete(null);
        }
    }

    /**
     * Stops serving at once and detaches the mount, closing nothing: what a crash of this process would leave
     * (for tests of crash recovery). Every later callback fails with EIO.
     */
    public void abandon() {
        abandoned = true;
        if (mountPoint == null || !unmountStarted.compareAndSet(false, true)) {
            return;
        }
        try {
            MountTable.unmount(mountPoint, true);
            handles.clear();
            vfs = null;
        } finally {
            unmountDone.complete(null);
        }
    }

    @Override
    protected String getFSName() {
        return "lafsfs";
    }

    // ------------------------------------------------------------------------------------------ callbacks

    @FunctionalInterface
    private interface Call {
        int run() throws VfsException;
    }

    /** Runs one callback: its VFS errno, or EIO (logged) for anything unexpected. */
    private int call(String op, String path, Call body) {
        if (abandoned) {
            return -EIO;
        }
        try {
            return body.run();
        } catch (VfsException e) {
            if (log.isDebugEnabled()) {
                log.debug("{} {}: {} {}", op, path, e.errno(), e.getMessage());
            }
            return -e.errno().value();
        } catch (Throwable t) { // nothing may escape into libfuse's thread
            log.error("{} {} failed", op, path, t);
            return -EIO;
        }
    }

    @Override
    public Pointer init(Pointer conn) {
        initialized.complete(null);
        return null;
    }

    @Override
    public int getattr(String path, FileStat stat) {
        return call("getattr", path, () -> {
            fill(stat, vfs.stat(path));
            return 0;
        });
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        return call("fgetattr", path, () -> {
            if (path != null) {
                fill(stat, vfs.stat(path));
                return 0;
            }
            // Unlinked while open: only its handle knows it.
            OpenHandle h = handle(fi);
            long size = h.sizeIfOpen();
            Instant now = Instant.now();
            fill(stat, new FileAttributes(FileAttributes.Kind.FILE, size, now, now, 0644, false));
            stat.st_nlink.set(0);
            return 0;
        });
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        return call("readdir", path, () -> {
            List<DirectoryListing> listing = vfs.readdir(path);
            FileStat stat = FileStat.of(Memory.allocateDirect(Runtime.getSystemRuntime(), Struct.size(FileStat.class)));
            filler.apply(buf, cString("."), null, 0);
            filler.apply(buf, cString(".."), null, 0);
            for (DirectoryListing entry : listing) {
                clear(stat);
                fill(stat, entry.attributes());
                if (filler.apply(buf, cString(entry.name()), Struct.getMemory(stat), 0) != 0) {
                    break; // libfuse's buffer is full (it grows on demand; this does not happen with offset 0)
                }
            }
            return 0;
        });
    }

    @Override
    public int mkdir(String path, @mode_t long mode) {
        return call("mkdir", path, () -> {
            vfs.mkdir(path);
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return call("rmdir", path, () -> {
            vfs.rmdir(path);
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return call("unlink", path, () -> {
            vfs.unlink(path);
            pageCache.forget(path);
            return 0;
        });
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return call("rename", oldpath + " -> " + newpath, () -> {
            vfs.rename(oldpath, newpath);
            pageCache.forget(oldpath);
            pageCache.forget(newpath);
            return 0;
        });
    }

    @Override
    public int link(String oldpath, String newpath) {
        return call("link", oldpath + " -> " + newpath, () -> {
            vfs.link(oldpath, newpath);
            return 0;
        });
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return call("symlink", newpath, () -> {
            vfs.symlink(oldpath, newpath);
            return 0;
        });
    }

    @Override
    public int mknod(String path, @mode_t long mode, @dev_t long rdev) {
        return call("mknod", path, () -> {
            vfs.mknod(path, (int) mode);
            return 0;
        });
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        return call("chmod", path, () -> {
            vfs.chmod(path, (int) mode & 07777);
            return 0;
        });
    }

    @Override
    public int chown(String path, @uid_t long uid, @gid_t long gid) {
        return call("chown", path, () -> {
            int u = (int) uid;
            int g = (int) gid;
            // Owners are not stored; "change" to the owner every name already shows (cp -p, tar and rsync as that
            // user do it) is the one chown that holds. The VFS answers every other.
            if ((u == -1 || u == options.uid()) && (g == -1 || g == options.gid())) {
                vfs.stat(path);
                return 0;
            }
            vfs.chown(path, u, g);
            return 0;
        });
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return call("truncate", path, () -> {
            vfs.truncate(path, size);
            pageCache.forget(path);
            return 0;
        });
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return call("utimens", path, () -> {
            Timespec mtime = timespec[1];
            long nanos = mtime.tv_nsec.longValue();
            if (nanos == UTIME_OMIT) {
                vfs.stat(path); // only the access time, which is not kept
                return 0;
            }
            Instant when = nanos == UTIME_NOW ? Instant.now() : Instant.ofEpochSecond(mtime.tv_sec.get(), nanos);
            vfs.setModified(path, when);
            pageCache.forget(path);
            return 0;
        });
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        return call("statfs", path, () -> {
            FileSystemStats s = vfs.statfs();
            long block = Math.max(1, s.blockSize());
            stbuf.f_bsize.set(block);
            stbuf.f_frsize.set(block);
            stbuf.f_blocks.set(s.totalBytes() / block);
            stbuf.f_bfree.set(s.freeBytes() / block);
            stbuf.f_bavail.set(s.availableBytes() / block);
            // A grid has no inode table: show plenty free, as sshfs and rclone do.
            stbuf.f_files.set(s.files() + FREE_FILES);
            stbuf.f_ffree.set(FREE_FILES);
            stbuf.f_favail.set(FREE_FILES);
            stbuf.f_namemax.set(255);
            return 0;
        });
    }

    private static final long FREE_FILES = 1_000_000_000L;

    @Override
    public int fsyncdir(String path, FuseFileInfo fi) {
        return call("fsyncdir", path, () -> {
            if (path != null) {
                vfs.fsyncDirectory(path);
            }
            return 0;
        });
    }

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        return call("create", path, () -> {
            int flags = fi.flags.intValue();
            Set<OpenOption> opts = openOptions(flags);
            opts.add(OpenOption.CREATE);
            if ((flags & O_EXCL) != 0) {
                opts.add(OpenOption.EXCLUSIVE);
            }
            FileHandle h = vfs.open(path, opts);
            fi.fh.set(register(new OpenHandle(h, path, opts, true)));
            pageCache.forget(path);
            return 0;
        });
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return call("open", path, () -> {
            Set<OpenOption> opts = openOptions(fi.flags.intValue());
            FileHandle h = vfs.open(path, opts);
            fi.fh.set(register(new OpenHandle(h, path, opts, opts.contains(OpenOption.TRUNCATE))));
            if (!opts.equals(EnumSet.of(OpenOption.READ))) {
                pageCache.forget(path);
            } else if (pageCache.mayKeep(path, vfs.stat(path))) {
                keepCache(fi);
            }
            return 0;
        });
    }

    private static Set<OpenOption> openOptions(int flags) {
        Set<OpenOption> opts = EnumSet.noneOf(OpenOption.class);
        switch (flags & O_ACCMODE) {
            case O_WRONLY -> opts.add(OpenOption.WRITE);
            case O_RDWR -> {
                opts.add(OpenOption.READ);
                opts.add(OpenOption.WRITE);
            }
            default -> opts.add(OpenOption.READ);
        }
        if ((flags & O_APPEND) != 0) {
            opts.add(OpenOption.APPEND);
        }
        if ((flags & O_TRUNC) != 0) {
            opts.add(OpenOption.TRUNCATE);
        }
        return opts;
    }

    private long register(OpenHandle h) {
        long fh = nextHandle.getAndIncrement();
        handles.put(fh, h);
        return fh;
    }

    private OpenHandle handle(FuseFileInfo fi) throws VfsException {
        long fh = fi.fh.get();
        OpenHandle h = handles.get(fh);
        if (h == null) {
            throw new VfsException(Errno.EBADF, "no open file has handle " + fh);
        }
        return h;
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return call("read", path, () -> {
            readCalls.incrementAndGet();
            int want = (int) Math.min(size, Integer.MAX_VALUE);
            byte[] data = buffer(want);
            int got = handle(fi).use(path, false, h -> {
                int n = 0;
                // A FUSE read must be whole except at the end of the file.
                for (int r; n < want && (r = h.read(offset + n, data, n, want - n)) > 0; n += r) {
                    // reading
                }
                return n;
            });
            buf.put(0, data, 0, got);
            return got;
        });
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return call("write", path, () -> {
            int length = (int) Math.min(size, Integer.MAX_VALUE);
            byte[] data = buffer(length);
            buf.get(0, data, 0, length);
            return handle(fi).use(path, true, h -> {
                h.write(offset, data, 0, length);
                return length;
            });
        });
    }

    private byte[] buffer(int size) {
        byte[] b = buffers.get();
        if (b.length < size) {
            b = new byte[size];
            buffers.set(b);
        }
        return b;
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return call("ftruncate", path, () -> handle(fi).use(path, true, h -> {
            h.truncate(size);
            return 0;
        }));
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        return call("flush", path, () -> {
            handle(fi).flush();
            return 0;
        });
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return call("fsync", path, () -> handle(fi).use(path, false, h -> {
            h.fsync();
            return 0;
        }));
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return call("release", path, () -> {
            OpenHandle h = handles.remove(fi.fh.get());
            if (h != null) {
                try {
                    h.release();
                } catch (VfsException e) {
                    // The kernel does not report release's result to anyone: the VFS keeps a failed upload in
                    // its spool and retries it; say so here.
                    log.warn("closing {}: {}", h.path, e.getMessage());
                }
            }
            return 0;
        });
    }

    /** How many read callbacks reached the VFS (what the kernel's page cache did not answer): for tests. */
    long readCalls() {
        return readCalls.get();
    }

    /**
     * Sets fuse_file_info's keep_cache bit: the kernel keeps the pages it cached for this file at earlier
     * opens instead of dropping them. jnr-fuse models libfuse 2's bit field (after {@code int writepage}) as
     * padding; on 64-bit Linux the bits are the byte at offset 20, keep_cache its second bit.
     */
    private static void keepCache(FuseFileInfo fi) {
        if (Runtime.getSystemRuntime().addressSize() == 8 && jnr.ffi.Platform.getNativePlatform().getOS()
                == jnr.ffi.Platform.OS.LINUX) {
            Pointer p = Struct.getMemory(fi);
            p.putByte(20, (byte) (p.getByte(20) | 0b10));
        }
    }

    /**
     * When the kernel may keep a file's cached pages across opens: only for files that cannot change in place
     * (immutable: new contents are a new file linked under the name, with a new time), opened read-only, whose
     * size and modification time are what the previous open through this mount saw. Anything this mount does
     * to the name forgets it; another client's replacement shows as a new time (libfuse's auto_cache rule,
     * kept to immutable files).
     */
    private static final class PageCachePolicy {
        private static final int REMEMBERED = 10_000;
        private final Map<String, FileAttributes> seen = java.util.Collections.synchronizedMap(
                new java.util.LinkedHashMap<>(64, 0.75f, true) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, FileAttributes> eldest) {
                        return size() > REMEMBERED;
                    }
                });

        boolean mayKeep(String path, FileAttributes now) {
            if (now.mutable() || now.isDirectory()) {
                seen.remove(path);
                return false;
            }
            FileAttributes before = seen.put(path, now);
            return before != null && before.size() == now.size() && before.modified().equals(now.modified());
        }

        void forget(String path) {
            if (path != null) {
                seen.remove(path);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ attributes

    private void fill(FileStat stat, FileAttributes a) {
        int type = a.isDirectory() ? FileStat.S_IFDIR : FileStat.S_IFREG;
        stat.st_mode.set(type | (a.mode() & 07777 & ~options.umask()));
        // Directories show 1, as filesystems without subdirectory counts do (find then makes no assumption);
        // a file shows the names its directory links it under (hard links made there).
        stat.st_nlink.set(a.links());
        stat.st_uid.set(options.uid());
        stat.st_gid.set(options.gid());
        stat.st_size.set(a.size());
        stat.st_blksize.set(IO_BLOCK);
        stat.st_blocks.set((a.size() + 511) / 512);
        Instant modified = a.modified() == null ? Instant.EPOCH : a.modified();
        Instant created = a.created() == null ? modified : a.created();
        time(stat.st_mtim, modified);
        time(stat.st_atim, modified);
        time(stat.st_ctim, created);
    }

    private static void time(Timespec ts, Instant t) {
        ts.tv_sec.set(t.getEpochSecond());
        ts.tv_nsec.set(t.getNano());
    }

    private static void clear(FileStat stat) {
        Pointer p = Struct.getMemory(stat);
        p.setMemory(0, Struct.size(stat), (byte) 0);
    }

    /** A NUL-terminated UTF-8 name for libfuse's filler. */
    private static ByteBuffer cString(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(utf8.length + 1);
        b.put(utf8).put((byte) 0).flip();
        return b;
    }

    // ------------------------------------------------------------------------------------------ open files

    @FunctionalInterface
    private interface HandleCall<T> {
        T apply(FileHandle h) throws VfsException;
    }

    /**
     * One FUSE file handle: the VFS handle behind it, or none after a flush handed a changed file to the VFS
     * (then the next use of the descriptor opens the file again, without creating or truncating it).
     */
    private final class OpenHandle {
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private final Set<OpenOption> reopen;
        private volatile String path;
        private FileHandle handle;
        private volatile boolean changed;

        OpenHandle(FileHandle handle, String path, Set<OpenOption> opened, boolean changed) {
            this.handle = handle;
            this.path = path;
            Set<OpenOption> again = EnumSet.copyOf(opened);
            again.removeAll(EnumSet.of(OpenOption.CREATE, OpenOption.EXCLUSIVE, OpenOption.TRUNCATE));
            this.reopen = again;
            this.changed = changed;
        }

        <T> T use(String currentPath, boolean writes, HandleCall<T> call) throws VfsException {
            if (currentPath != null) {
                path = currentPath;
            }
            lock.readLock().lock();
            try {
                if (handle != null) {
                    if (writes) {
                        changed = true;
                    }
                    return call.apply(handle);
                }
            } finally {
                lock.readLock().unlock();
            }
            lock.writeLock().lock();
            try {
                if (handle == null) {
                    handle = vfs.open(path, reopen);
                }
                lock.readLock().lock();
            } finally {
                lock.writeLock().unlock();
            }
            try {
                if (writes) {
                    changed = true;
                }
                return call.apply(handle);
            } finally {
                lock.readLock().unlock();
            }
        }

        long sizeIfOpen() throws VfsException {
            lock.readLock().lock();
            try {
                return handle == null ? 0 : handle.size();
            } finally {
                lock.readLock().unlock();
            }
        }

        /** close(2) of a descriptor: a changed file goes to the VFS now, with its close's outcome. */
        void flush() throws VfsException {
            lock.writeLock().lock();
            try {
                if (handle == null) {
                    return;
                }
                if (changed) {
                    FileHandle closing = handle;
                    handle = null;
                    changed = false;
                    closing.close();
                } else {
                    handle.flush();
                }
            } finally {
                lock.writeLock().unlock();
            }
        }

        void release() throws VfsException {
            lock.writeLock().lock();
            try {
                if (handle != null) {
                    FileHandle closing = handle;
                    handle = null;
                    closing.close();
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    // ------------------------------------------------------------------------------------------ the user

    private static int currentUid() {
        try {
            return (int) new com.sun.security.auth.module.UnixSystem().getUid();
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }

    private static int currentGid() {
        try {
            return (int) new com.sun.security.auth.module.UnixSystem().getGid();
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }

    @Override
    public String toString() {
        return "FuseMount[" + mountPoint + "]";
    }
}
