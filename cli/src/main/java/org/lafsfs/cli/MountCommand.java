package org.lafsfs.cli;

import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.lafsfs.cache.CacheConfig;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.fuse.FuseMount;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.VfsConfig;
import org.lafsfs.vfs.VfsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lafsfs mount [--root PATH] MOUNTPOINT}: the grid as a drive, in the foreground until it is unmounted
 * (Ctrl-C, SIGTERM, or {@code fusermount -u MOUNTPOINT}); then pending uploads are finished before it exits.
 */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = {"Mount a grid directory as a FUSE filesystem and serve it until unmounted.",
            "Unmount with Ctrl-C, kill (SIGTERM) or fusermount -u MOUNTPOINT; uploads still pending are finished"
                + " first (what cannot reach the grid stays in NODEDIR/private/spool and resumes at the next"
                + " mount). Needs libfuse 2 and /dev/fuse (apt-get install libfuse2 fuse3)."})
final class MountCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "an existing, empty directory")
    Path mountPoint;

    @Option(names = "--root", paramLabel = "PATH", defaultValue = "tahoe:",
            description = "the directory to mount: ALIAS:[DIRS], DIRCAP[/DIRS] (default: ${DEFAULT-VALUE})")
    String root;

    @Option(names = "--read-only", description = "refuse every write with EROFS (a read-only cap always is)")
    boolean readOnly;

    @Option(names = "--allow-other", description = "let other local users in (non-root: user_allow_other in"
            + " /etc/fuse.conf)")
    boolean allowOther;

    @Option(names = "--uid", paramLabel = "UID", description = "the owner the kernel shows (default: yours)")
    Integer uid;

    @Option(names = "--gid", paramLabel = "GID", description = "the group the kernel shows (default: yours)")
    Integer gid;

    @Option(names = "--umask", paramLabel = "OCTAL", description = "mode bits cleared from everything shown, e.g."
            + " 022 or 077 (default 000); with default_permissions the kernel enforces the result")
    String umask;

    @Option(names = "--daemon", description = "mount, then go on in the background (output to"
            + " NODEDIR/logs/mount.log); returns once the mount serves")
    boolean daemon;

    @Option(names = "--debug-fuse", hidden = true, description = "libfuse's -d: every request on stderr")
    boolean debug;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws Exception {
        NodeDirectory node = NodeDirectory.open(main.node.nodeDir());
        GridPath rootPath = GridPath.parse(root, Aliases.load(node.path()));
        Path where = mountPoint.toAbsolutePath().normalize();
        FuseMount.clearStaleMount(where); // left behind by a lafsfs that was killed
        if (!Files.isDirectory(where)) {
            throw new IllegalArgumentException("mount point " + where + " is not a directory");
        }
        if (daemon) {
            return Daemon.start(node.path().resolve("logs").resolve("mount.log"),
                    () -> FuseMount.isMounted(where), 120, "mounted " + rootPath + " at "
                            + where + "; unmount with fusermount -u " + where);
        }
        GridSession session = GridSession.open(node);
        session.keepKeysReady();
        Mounted mounted = null;
        try {
            Cap cap = rootPath.resolve(session.grid()).cap();
            if (!(cap instanceof DirectoryCap dir)) {
                throw new IllegalArgumentException(root + " is a file, not a directory");
            }
            CacheConfig cache = CacheConfig.fromSettings(node.section("lafsfs"));
            Spool spool = Spool.claim(node, dir);
            FileLock lock = spool.lock;
            VfsConfig config = spool.config(node);
            LafsVfs vfs = LafsVfs.open(session.grid(), dir, config);
            FuseMount.Options options = options(cache).withReadOnly(readOnly).withAllowOther(allowOther)
                    .withDebug(debug);
            if (uid != null || gid != null) {
                options = options.withOwner(uid != null ? uid : options.uid(), gid != null ? gid : options.gid());
            }
            if (umask != null) {
                if (!umask.matches("[0-7]{1,4}")) {
                    throw new IllegalArgumentException("--umask takes octal digits such as 022, not '" + umask + "'");
                }
                options = options.withUmask(Integer.parseInt(umask, 8));
            }
            FuseMount fuse;
            try {
                fuse = FuseMount.mount(vfs, where, options);
            } catch (IOException e) {
                vfs.close();
                lock.release();
                throw e;
            }
            mounted = new Mounted(fuse, vfs, session, lock);
            Mounted stopping = mounted;
            Runtime.getRuntime().addShutdownHook(new Thread(stopping::stop, "lafsfs-unmount"));
            Print.err("lafsfs: mounted " + rootPath + " at " + where + " (unmount with Ctrl-C or fusermount -u "
                    + where + ")");
            fuse.awaitUnmounted();
            return mounted.stop() ? 0 : 1;
        } finally {
            if (mounted == null) {
                session.close();
            }
        }
    }

    /** The mount options of every lafsfs mount: the kernel believes attributes no longer than the VFS does. */
    static FuseMount.Options options(CacheConfig cache) {
        Duration kernelCache = min(Duration.ofSeconds(1), cache.dirCacheTime());
        return FuseMount.Options.defaults().withTimeouts(kernelCache, kernelCache).withFsName("lafsfs");
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** What runs until unmounted, and its orderly end. */
    private static final class Mounted {
        private final FuseMount fuse;
        private final LafsVfs vfs;
        private final GridSession session;
        private final FileLock lock;
        private final AtomicBoolean stopping = new AtomicBoolean();
        private volatile boolean clean;
        private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

        Mounted(FuseMount fuse, LafsVfs vfs, GridSession session, FileLock lock) {
            this.fuse = fuse;
            this.vfs = vfs;
            this.session = session;
            this.lock = lock;
        }

        /**
         * Unmounts (nothing new arrives; a busy mount point is detached and served until its last file is
         * closed), then closes the VFS, which uploads and publishes everything pending. Returns whether all of
         * it reached the grid. Called by the shutdown hook and by the main thread; the second caller waits.
         */
        boolean stop() {
            if (!stopping.compareAndSet(false, true)) {
                try {
                    stopped.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return clean;
            }
            try {
                fuse.close();
                Print.err("lafsfs: unmounted " + fuse.mountPoint() + "; finishing pending uploads");
                try {
                    vfs.close();
                    clean = true;
                } catch (VfsException e) {
                    Print.err("lafsfs: " + e.getMessage() + " (kept in the spool: they resume at the next mount)");
                }
                return clean;
            } finally {
                try {
                    lock.release();
                    lock.channel().close();
                } catch (IOException e) {
                    // the process is ending
                }
                session.close();
                stopped.countDown();
            }
        }
    }
}
