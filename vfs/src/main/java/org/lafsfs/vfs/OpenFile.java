package org.lafsfs.vfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.immutable.KeyAhead;

/**
 * A file while handles are open on it: its published contents (the base),
 * and what this client wrote, kept in a sparse spool file on disk (never on
 * the heap) with the set of ranges written. Reads merge the two; a hole
 * beyond both reads as zeros. Every handle of the file shares this state.
 */
final class OpenFile {
    /**
     * After this many bytes written, the spool's data is flushed to disk in the background. The close
     * forces the spool before it stages the upload (the data must survive a crash once close returned),
     * and with nothing flushed before, the close of a 1 GiB file waited half a second for the disk, of
     * a 10 GiB file several seconds: the disk may as well write while the client is still sending.
     */
    static final long WRITEBACK_STEP = 64L << 20;
    private static final ExecutorService WRITEBACK = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lafsfs-spool-writeback");
        t.setDaemon(true);
        return t;
    });
    private static final AtomicLong backgroundFlushes = new AtomicLong();

    private final Supplier<Path> spools;
    private final Function<Path, KeyAhead> keysAhead;
    /** The convergent key of the spool's contents as they are written, or null (see {@link KeyAhead}). */
    private KeyAhead keyAhead;
    /** The spool file, once something needs it (a file only read never gets one). */
    Path spoolPath;
    DirectoryCap dir;
    String name;
    Cap baseCap; // null for a file created by this client
    private FileContent base;
    private long baseLimit;
    private long size;
    private final RangeSet written = new RangeSet();
    private boolean changed;
    private FileChannel spool;
    private long unflushed;
    private boolean flushing;
    int handles;
    boolean unlinked;
    /**
     * Its last handle is closed and its upload is being staged: it stays listed as open (under the VFS lock) so
     * its name still shows its size, and nothing opens, renames or unlinks it until the staged upload stands for it.
     */
    boolean closing;

    OpenFile(Supplier<Path> spools, Function<Path, KeyAhead> keysAhead, DirectoryCap dir, String name, Cap baseCap,
            FileContent base) {
        this.spools = spools;
        this.keysAhead = keysAhead;
        this.dir = dir;
        this.name = name;
        this.baseCap = baseCap;
        this.base = base;
        this.baseLimit = base == null ? 0 : base.size();
        this.size = baseLimit;
    }

    synchronized long size() {
        return size;
    }

    synchronized boolean changed() {
        return changed;
    }

    /** Whether the published contents are still visible up to the old size (an in-place update is possible). */
    synchronized boolean baseIntact() {
        return base != null && baseLimit == base.size() && size >= baseLimit;
    }

    synchronized java.util.List<long[]> writtenRanges() {
        return written.list();
    }

    synchronized int read(long offset, byte[] buffer, int at, int length) throws IOException {
        long end = Math.min(size, offset + length);
        long pos = offset;
        while (pos < end) {
            long[] range = written.containing(pos);
            long stop;
            if (range != null) {
                stop = Math.min(end, range[1]);
                spool.read(ByteBuffer.wrap(buffer, at + (int) (pos - offset), (int) (stop - pos)), pos);
                // A sparse spool shorter than the range cannot happen: writes extend it.
            } else {
                stop = Math.min(end, written.nextStart(pos));
                int n = (int) (stop - pos);
                int dest = at + (int) (pos - offset);
                if (pos < baseLimit) {
                    long fromBase = Math.min(stop, baseLimit) - pos;
                    int got = base.read(pos, buffer, dest, (int) fromBase);
                    java.util.Arrays.fill(buffer, dest + got, dest + n, (byte) 0);
                } else {
                    java.util.Arrays.fill(buffer, dest, dest + n, (byte) 0);
                }
            }
            pos = stop;
        }
        return (int) Math.max(0, end - offset);
    }

    synchronized void write(long offset, byte[] buffer, int at, int length) throws IOException {
        if (length == 0) {
            return;
        }
        ensureSpool();
        ByteBuffer data = ByteBuffer.wrap(buffer, at, length);
        long pos = offset;
        while (data.hasRemaining()) {
            pos += spool.write(data, pos);
        }
        if (keyAhead != null) {
            keyAhead.written(offset, length);
        }
        unflushed += length;
        if (unflushed >= WRITEBACK_STEP && !flushing) {
            flushBehind(spool);
        }
        written.add(offset, offset + length);
        size = Math.max(size, offset + length);
        changed = true;
    }

    private void flushBehind(FileChannel ch) {
        flushing = true;
        unflushed = 0;
        WRITEBACK.execute(() -> {
            try {
                ch.force(false);
                backgroundFlushes.incrementAndGet();
            } catch (IOException e) {
                // closed meanwhile, or failing: the close's own force is the one that reports
            } finally {
                synchronized (this) {
                    flushing = false;
                }
            }
        });
    }

    /** How many background flushes have finished, in this process (for tests). */
    static long backgroundFlushes() {
        return backgroundFlushes.get();
    }

    synchronized void truncate(long newSize) throws IOException {
        if (newSize < size) {
            written.cut(newSize);
            baseLimit = Math.min(baseLimit, newSize);
            if (spool != null && spool.size() > newSize) {
                spool.truncate(newSize);
            }
        }
        if (keyAhead != null) {
            keyAhead.truncated(newSize);
        }
        if (newSize != size) {
            changed = true;
        }
        size = newSize;
    }

    /** Marks a new (empty) file as needing a publish even if nothing is written to it. */
    synchronized void markChanged() {
        changed = true;
    }

    /**
     * Makes the spool hold the whole file: the parts nobody wrote are copied
     * from the base, and the spool is forced to disk. Afterwards the spool
     * alone is the file.
     */
    synchronized void complete() throws IOException {
        fill();
        spool.force(true);
    }

    /** The whole file, for one small enough to be its own cap (nothing is forced: the cap is what is kept). */
    synchronized byte[] smallContents() throws IOException {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("not a small file: " + size + " bytes");
        }
        fill();
        ByteBuffer all = ByteBuffer.allocate((int) size);
        while (all.hasRemaining() && spool.read(all, all.position()) >= 0) {
            // read fully
        }
        return all.array();
    }

    private void fill() throws IOException {
        ensureSpool();
        for (long[] gap : written.gaps(size)) {
            long from = gap[0];
            long to = Math.min(gap[1], baseLimit);
            for (long pos = from; pos < to; pos += FileContent.BLOCK) {
                int n = (int) Math.min(FileContent.BLOCK, to - pos);
                byte[] data = base.read(pos, n);
                spool.write(ByteBuffer.wrap(data), pos);
            }
        }
        if (spool.size() < size) {
            spool.write(ByteBuffer.wrap(new byte[1]), size - 1); // the hole at the end reads as zeros
        } else if (spool.size() > size) {
            spool.truncate(size);
        }
        written.add(0, size);
        baseLimit = 0;
    }

    /** Forces what was written to disk (for an in-place update staged from the written ranges). */
    synchronized void force() throws IOException {
        ensureSpool();
        spool.force(true);
    }

    private void ensureSpool() throws IOException {
        if (spool == null) {
            if (spoolPath == null) {
                spoolPath = spools.get();
            }
            Files.createDirectories(spoolPath.getParent());
            spool = FileChannel.open(spoolPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.SPARSE);
            if (keyAhead == null && written.list().isEmpty()) {
                keyAhead = keysAhead.apply(spoolPath);
            }
        }
    }

    /** What hashed the spool's key so far, for the upload of the spool as it is now (null if nothing did). */
    synchronized KeyAhead keyAhead() {
        return keyAhead;
    }

    /** After an fsync published the file: what is on the grid is the new base, and nothing is written yet. */
    synchronized void rebase(Cap cap, FileContent content) {
        spoolPath = null; // the old one is the staged upload's, and so is its key
        keyAhead = null;
        baseCap = cap;
        base = content;
        baseLimit = content.size();
        size = baseLimit;
        written.cut(0);
        changed = false;
    }

    synchronized void closeSpool() throws IOException {
        if (spool != null) {
            spool.close();
            spool = null;
        }
    }
}
