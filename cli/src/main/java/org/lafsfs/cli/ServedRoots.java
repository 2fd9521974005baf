package org.lafsfs.cli;

import java.io.IOException;
import java.nio.channels.FileLock;
import java.util.ArrayList;
import java.util.List;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.sftp.VfsPool;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.VfsException;
import org.lafsfs.vfs.VfsStatus;

/**
 * The VFS of each root a long-running lafsfs serves, one per root however
 * many frontends and accounts use it, each over its own locked spool.
 */
final class ServedRoots implements AutoCloseable {
    private final NodeDirectory node;
    private final GridSession session;
    private final VfsPool pool = new VfsPool(this::openRoot);
    private final List<LafsVfs> opened = new ArrayList<>();
    private final List<FileLock> locks = new ArrayList<>();

    ServedRoots(NodeDirectory node, GridSession session) {
        this.node = node;
        this.session = session;
    }

    VfsPool pool() {
        return pool;
    }

    private synchronized LafsVfs openRoot(DirectoryCap root) throws IOException {
        Spool spool = Spool.claim(node, root);
        try {
            LafsVfs vfs = LafsVfs.open(session.grid(), root, spool.config(node));
            locks.add(spool.lock);
            opened.add(vfs);
            return vfs;
        } catch (IOException | RuntimeException e) {
            spool.lock.release();
            spool.lock.channel().close();
            throw e;
        }
    }

    /** What every served VFS is doing, added together. */
    synchronized VfsStatus status() {
        List<String> pending = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        int directories = 0;
        java.util.Map<String, String> cache = new java.util.LinkedHashMap<>();
        for (LafsVfs vfs : opened) {
            VfsStatus s = vfs.status();
            pending.addAll(s.pendingUploads());
            failed.addAll(s.failedUploads());
            directories += s.directoriesWithPendingEdits();
            s.cacheStats().forEach(cache::putIfAbsent); // each root has its own caches: the first root's show
        }
        return new VfsStatus(pending, failed, directories, cache);
    }

    /** Closes every VFS (pending uploads finish, or stay in the spool for the next start), then the spools. */
    @Override
    public void close() throws VfsException {
        try {
            pool.close();
        } finally {
            synchronized (this) {
                for (FileLock lock : locks) {
                    try {
                        lock.release();
                        lock.channel().close();
                    } catch (IOException e) {
                        // the process is ending
                    }
                }
            }
        }
    }
}
