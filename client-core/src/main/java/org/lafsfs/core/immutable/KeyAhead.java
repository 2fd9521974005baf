package org.lafsfs.core.immutable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.lafsfs.core.crypto.Hashes;
import org.lafsfs.core.crypto.Sha256d;

/**
 * A file's convergent key, hashed while the file is still being written. The key is a hash of the whole
 * plaintext, so an upload must read a file once for the key before it can encrypt its first segment: for
 * 1 GiB about a second in which nothing else of the upload can start, and in which a close that waits for
 * the shares' placement waits too. Files are mostly written front to back (cp, dd, an SFTP put), so a
 * background thread hashes what has been written so far, from the file itself, behind the writer; the
 * upload then hashes only the rest.
 *
 * <p>It only ever vouches for bytes written in order from the start: a write anywhere else (a gap, or bytes
 * already hashed) or a truncation into them ends it, and the upload hashes the file whole as before. Files
 * smaller than the maximum segment size are left to the upload (their segment size, part of the hash's tag,
 * depends on their final size). The writer reports each write once it is in the file.
 */
public final class KeyAhead {
    /** Hashing starts once this much is waiting, to read the file in large pieces. */
    private static final long STEP = 1 << 20;
    private static final ExecutorService HASHING = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lafsfs-key-ahead");
        t.setDaemon(true);
        return t;
    });

    private final Path file;
    private final int k;
    private final int n;
    private final long segmentSize;
    private final byte[] secret;
    private final long startsAt;
    /** Made once the file reaches a segment: most files written are smaller and never need it. */
    private Sha256d hasher;
    /** The end of what was written in order from byte 0. */
    private long inOrder;
    private long hashed;
    private boolean broken;
    /** A catch-up is queued or running. */
    private boolean scheduled;
    /** The catch-up is reading and hashing a step of the file (the upload waits for that step to be in). */
    private boolean reading;
    /** Once the upload has asked, the background stops and the rest is hashed by the upload. */
    private boolean taken;
    private long keySize = -1;
    private byte[] key;

    /** For a file of at least {@code params.maxSegmentSize()} bytes, under this convergence secret. */
    public KeyAhead(Path file, EncodingParameters params, byte[] convergenceSecret) {
        this.file = file;
        this.k = params.needed();
        this.n = params.total();
        this.segmentSize = ChkEncoder.segmentSizeFor(Long.MAX_VALUE, params.maxSegmentSize(), k);
        this.secret = convergenceSecret.clone();
        this.startsAt = params.maxSegmentSize();
    }

    /** Bytes {@code [offset, offset + length)} are now in the file. */
    public synchronized void written(long offset, long length) {
        if (broken || taken || length <= 0) {
            return;
        }
        if (offset != inOrder) {
            broken = true; // a gap, or bytes already counted written anew
            return;
        }
        inOrder += length;
        if (!scheduled && inOrder >= startsAt && inOrder - hashed >= STEP) {
            if (hasher == null) {
                hasher = Hashes.convergenceHasher(k, n, segmentSize, secret);
            }
            scheduled = true;
            HASHING.execute(this::catchUp);
        }
    }

    /** The file is now {@code size} bytes long. */
    public synchronized void truncated(long size) {
        if (size < inOrder) {
            broken = true;
        }
    }

    /** Whether the key may still come from here (for tests and status). */
    synchronized boolean usable() {
        return !broken;
    }

    synchronized long hashedSoFar() {
        return hashed;
    }

    private void catchUp() {
        ByteBuffer buffer = ByteBuffer.allocate((int) STEP);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (true) {
                long from;
                int length;
                synchronized (this) {
                    reading = false;
                    notifyAll();
                    if (broken || taken || inOrder - hashed < STEP) {
                        scheduled = false;
                        return;
                    }
                    from = hashed;
                    length = (int) Math.min(STEP, inOrder - hashed);
                    reading = true;
                }
                buffer.clear().limit(length);
                while (buffer.hasRemaining()) {
                    if (ch.read(buffer, from + buffer.position()) < 0) {
                        throw new IOException("the file ends before byte " + (from + length));
                    }
                }
                buffer.flip();
                // Hashed outside the lock, so the writer never waits for it (a step is about a millisecond
                // of SHA-256, and the writer reports every write); while reading is set, nothing else
                // touches the hasher. A write into these bytes since they were read has set broken, and a
                // broken key is never used: nothing is lost then.
                hasher.update(buffer);
                synchronized (this) {
                    hashed = from + length;
                }
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                broken = true; // the file went away (deleted, replaced): the upload, if any, hashes it whole
                reading = false;
                scheduled = false;
                notifyAll();
            }
        }
    }

    /**
     * The key for the file as {@code source} now holds it, hashing whatever the background has not; null
     * when the file was not written in order, is too small, or the upload's parameters differ from these
     * (the caller then hashes the whole file). Asking again with the same size gives the same key.
     */
    synchronized byte[] key(UploadSource source, int k, int n, long segmentSize, byte[] secret) throws IOException {
        taken = true;
        while (reading) {
            try {
                wait(); // the background is between a read and its update: one step at most
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while hashing the file's key", e);
            }
        }
        long size = source.size();
        if (key != null) {
            return size == keySize ? key.clone() : null;
        }
        if (broken || size != inOrder || size < startsAt || k != this.k || n != this.n
                || segmentSize != this.segmentSize || !Arrays.equals(secret, this.secret)) {
            return null;
        }
        if (hasher == null) {
            hasher = Hashes.convergenceHasher(k, n, segmentSize, secret);
        }
        try (InputStream in = source.open()) {
            in.skipNBytes(hashed);
            byte[] buffer = new byte[64 * 1024];
            for (int r; (r = in.read(buffer)) > 0;) {
                hasher.update(buffer, 0, r);
                hashed += r;
            }
        }
        if (hashed != size) {
            broken = true;
            return null;
        }
        key = hasher.digest();
        keySize = size;
        return key.clone();
    }
}
