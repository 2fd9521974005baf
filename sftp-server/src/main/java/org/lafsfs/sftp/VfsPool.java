package org.lafsfs.sftp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.vfs.Vfs;
import org.lafsfs.vfs.VfsException;

/**
 * One VFS per root cap, opened when an account of that root first logs in and
 * shared by every session of it (so that two sessions of one account see each
 * other's writes at once, as two programs on one mount do). Closing the pool
 * closes them all, which publishes what is pending.
 */
public final class VfsPool implements SftpServer.Roots, AutoCloseable {
    /** Opens the VFS of a root (with its own spool directory). */
    @FunctionalInterface
    public interface Opener {
        Vfs open(DirectoryCap root) throws IOException;
    }

    private final Opener opener;
    private final Map<String, Vfs> open = new LinkedHashMap<>();
    private boolean closed;

    public VfsPool(Opener opener) {
        this.opener = opener;
    }

    @Override
    public synchronized Vfs open(DirectoryCap root) throws IOException {
        if (closed) {
            throw new IOException("the server is stopping");
        }
        Vfs vfs = open.get(root.uri());
        if (vfs == null) {
            vfs = opener.open(root);
            open.put(root.uri(), vfs);
        }
        return vfs;
    }

    /** Closes every VFS (each publishes what is pending first); the first failure is thrown after all are closed. */
    @Override
    public void close() throws VfsException {
        List<Vfs> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(open.values());
            open.clear();
        }
        VfsException first = null;
        for (Vfs vfs : all) {
            try {
                vfs.close();
            } catch (VfsException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
