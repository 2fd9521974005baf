package org.lafsfs.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a large immutable share to disk behind its upload. A share is forced once, when its last byte arrives;
 * on a machine with gigabytes of RAM the kernel would hold every byte of a long upload in its cache until then,
 * and that force would write the whole share while the uploader waits (the ten shares of a 1 GiB file are
 * 3.4 GB: seconds of disk time after the encoding has finished). Flushing every {@link #STEP} bytes in the
 * background lets the disk work while the uploader encodes; the final force finds little left.
 */
final class ShareWriteback {
    private static final Logger LOG = LoggerFactory.getLogger(ShareWriteback.class);
    /** Shares smaller than this are left to their one final force. */
    static final long STEP = 16L << 20;
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** A few threads: an fdatasync blocks its thread, and several shares are written at once. */
    private static final ThreadPoolExecutor FLUSHERS = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "lafsfs-share-writeback-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    static {
        FLUSHERS.allowCoreThreadTimeOut(true);
    }

    private final Path file;
    private final AtomicLong done;
    private long unflushed;
    private boolean queued;

    /** @param done counts the flushes made (the backend's, for tests) */
    ShareWriteback(Path file, AtomicLong done) {
        this.file = file;
        this.done = done;
    }

    /** Notes bytes written to the share; every {@link #STEP} of them, a flush starts unless one is running. */
    synchronized void wrote(long bytes) {
        unflushed += bytes;
        if (unflushed >= STEP && !queued) {
            unflushed = 0;
            queued = true;
            FLUSHERS.execute(this::flush);
        }
    }

    private void flush() {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(false);
            done.incrementAndGet();
        } catch (NoSuchFileException gone) {
            // completed (moved into place, forced there) or abandoned meanwhile
        } catch (IOException e) {
            LOG.debug("background flush of {} failed (its final force will tell): {}", file, e.toString());
        } finally {
            synchronized (this) {
                queued = false;
            }
        }
    }
}
