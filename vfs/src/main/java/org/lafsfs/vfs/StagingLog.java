package org.lafsfs.vfs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The records of staged uploads, kept in log files written over zeros laid down in advance. A close
 * appends its record and forces it with {@code fdatasync}: an overwrite inside a file whose blocks and size are
 * already on disk is one data write and a cache flush, where a new record file cost a journal commit (a
 * third to a sixth of the time here), and closes on several threads share one flush. A finished or cancelled
 * upload appends a forced {@code DONE} entry: a removal of the name forced elsewhere must not outlive it.
 *
 * <p>An entry: magic, kind, id and payload lengths, CRC-32C of kind, id and payload, then id and payload. A
 * file is read up to its first entry that is zeros or does not check: everything before a forced entry was
 * written before it, so only unforced entries (never acknowledged) can be lost past that point. Files are used
 * in order and removed in order, once every entry in them is done, so a {@code DONE} is never removed before
 * the record it ends.
 */
final class StagingLog implements Closeable {
    static final int DEFAULT_SEGMENT = 8 << 20;
    /** How many older files may be kept for live records before the oldest one's are copied on. */
    static final int KEPT_BEHIND = 2;
    private static final int MAGIC = 0x4c53544c; // "LSTL"
    private static final int HEADER = 4 + 1 + 2 + 4 + 4;
    private static final byte STAGE = 1;
    private static final byte DONE = 2;
    private static final String SUFFIX = ".log";

    private final Path dir;
    private final int segmentSize;
    /** Live records: id to payload, in the order of their newest entries (what a restart must finish). */
    private final LinkedHashMap<String, byte[]> recovered = new LinkedHashMap<>();
    /** Which file holds each live record's newest entry, and how many live records each file holds. */
    private final Map<String, Long> fileOf = new HashMap<>();
    private final TreeMap<Long, Integer> liveIn = new TreeMap<>();
    /** Where each live record's newest payload is: file, offset, length (to copy it on, see compact). */
    private final Map<String, long[]> payloadAt = new HashMap<>();
    private boolean compacting;
    private long current;
    private FileChannel channel;
    private long position;
    private long capacity;
    private boolean closed;
    private long written;
    private long forced;

    StagingLog(Path dir) throws IOException {
        this(dir, DEFAULT_SEGMENT);
    }

    StagingLog(Path dir, int segmentSize) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.segmentSize = segmentSize;
        List<Long> numbers = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (name.matches("\\d{8}\\" + SUFFIX)) {
                    numbers.add(Long.parseLong(name.substring(0, 8)));
                } else if (name.endsWith(SUFFIX + ".tmp")) {
                    Files.delete(p); // being laid down when the last run stopped: never used
                }
            }
        }
        numbers.sort(null);
        for (long n : numbers) {
            read(n);
        }
        current = numbers.isEmpty() ? 0 : numbers.get(numbers.size() - 1);
        // The first entry starts a fresh file: the old ones' tails may hold torn or half-written entries.
    }

    /** The records a previous run left unfinished, by id, in the order they were last staged (handed out once). */
    synchronized Map<String, byte[]> takeRecovered() {
        Map<String, byte[]> all = new LinkedHashMap<>(recovered);
        recovered.clear();
        return all;
    }

    /** Appends a record (replacing any earlier one of this id) and, if {@code force}, makes it durable. */
    void stage(String id, byte[] payload, boolean force) throws IOException {
        long end = append(STAGE, id, payload);
        if (force) {
            force(end);
        }
    }

    /** Whether everything appended is forced. */
    synchronized boolean allForced() {
        return forced >= written;
    }

    /** Forces every record appended so far. */
    void forceAll() throws IOException {
        long end;
        synchronized (this) {
            end = written;
        }
        force(end);
    }

    /**
     * Ends a record: a restart no longer finishes it. Forced: a later forced edit elsewhere (a directory journal's
     * removal of the name) must not outlive it, or a restart would bring the file back.
     */
    void done(String id) throws IOException {
        force(append(DONE, id, new byte[0]));
    }

    private synchronized long append(byte kind, String id, byte[] payload) throws IOException {
        boolean interrupted = Thread.interrupted(); // an interrupt would close the channel for every thread
        try {
            return appendNow(kind, id, payload);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private long appendNow(byte kind, String id, byte[] payload) throws IOException {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        int length = HEADER + idBytes.length + payload.length;
        if (channel == null || position + length > capacity) {
            roll(length);
            compact();
            if (position + length > capacity) {
                roll(length); // the copies took the room
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(kind);
        crc.update(idBytes);
        crc.update(payload);
        ByteBuffer entry = ByteBuffer.allocate(length).putInt(MAGIC).put(kind).putShort((short) idBytes.length)
                .putInt(payload.length).putInt((int) crc.getValue()).put(idBytes).put(payload).flip();
        uninterruptibly(() -> {
            entry.rewind(); // again, whole, if an interrupt closed the channel half way
            while (entry.hasRemaining()) {
                open().write(entry, position + entry.position());
            }
        });
        if (kind == STAGE) {
            payloadAt.put(id, new long[] {current, position + HEADER + idBytes.length, payload.length});
        }
        position += length;
        track(kind, id, current);
        written += length;
        return written;
    }

    /** Forces everything appended up to {@code end}; a force by another thread since may already cover it. */
    private void force(long end) throws IOException {
        long upTo;
        synchronized (this) {
            if (forced >= end) {
                return;
            }
            upTo = written;
        }
        // Outside the lock, so that closes arriving meanwhile append and share the next force. If a roll
        // comes between, it forced the file these entries are in before moving on.
        try {
            uninterruptibly(() -> open().force(false)); // the file's size and blocks were laid down durably
        } catch (ClosedChannelException closedUnderUs) {
            synchronized (this) {
                if (forced < end) {
                    uninterruptibly(() -> open().force(false)); // closed by another thread's interrupt: again
                }
            }
        }
        synchronized (this) {
            forced = Math.max(forced, upTo);
        }
    }

    private void track(byte kind, String id, long file) {
        if (kind != STAGE) {
            payloadAt.remove(id);
        }
        Long before = fileOf.remove(id);
        if (before != null) {
            liveIn.merge(before, -1, Integer::sum);
        }
        if (kind == STAGE) {
            fileOf.put(id, file);
            liveIn.merge(file, 1, Integer::sum);
        }
        removeFinishedFiles();
    }

    /** Removes the oldest files while nothing in them is live (never one after a file still needed). */
    private void removeFinishedFiles() {
        while (!compacting && !liveIn.isEmpty() && liveIn.firstKey() < current && liveIn.firstEntry().getValue() <= 0) {
            long n = liveIn.pollFirstEntry().getKey();
            try {
                Files.deleteIfExists(file(n));
            } catch (IOException e) {
                return; // tried again after the next entry
            }
        }
    }

    /**
     * Copies the live records of the oldest file into the current one, once more than {@link #KEPT_BEHIND}
     * files are kept for them: one upload that keeps failing must not keep every file after it. The copies are
     * forced before the old file can go.
     */
    private void compact() throws IOException {
        Map.Entry<Long, Integer> oldest = liveIn.firstEntry();
        if (oldest == null || oldest.getKey() >= current || liveIn.headMap(current).size() <= KEPT_BEHIND) {
            return;
        }
        if (compacting) {
            return;
        }
        long n = oldest.getKey();
        List<String> ids = new ArrayList<>();
        long bytes = 0;
        for (Map.Entry<String, long[]> e : payloadAt.entrySet()) {
            if (e.getValue()[0] == n) {
                ids.add(e.getKey());
                bytes += e.getValue()[2];
            }
        }
        if (bytes > capacity / 2) {
            return; // mostly live: nothing to win
        }
        compacting = true;
        try (FileChannel old = FileChannel.open(file(n), StandardOpenOption.READ)) {
            for (String id : ids) {
                long[] at = payloadAt.get(id);
                ByteBuffer payload = ByteBuffer.allocate((int) at[2]);
                while (payload.hasRemaining() && old.read(payload, at[1] + payload.position()) >= 0) {
                    // read fully
                }
                appendNow(STAGE, id, payload.array());
            }
            open().force(false);
            forced = written;
        } finally {
            compacting = false;
        }
        removeFinishedFiles();
    }

    /** Starts the next file, laid down in zeros and made durable first, so that later forces are overwrites. */
    private void roll(int atLeast) throws IOException {
        FileChannel previous = channel == null ? null : open();
        if (previous != null) {
            previous.force(false); // what was appended there is durable before entries go elsewhere
            forced = written;
        }
        long next = current + 1;
        int size = Math.max(segmentSize, atLeast);
        Path tmp = dir.resolve(String.format("%08d", next) + SUFFIX + ".tmp");
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        try {
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long at = 0; at < size; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                at += ch.write(zeros, at);
            }
            ch.force(true);
            Files.move(tmp, file(next), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw e; // a full disk: the close that needed room fails, and nothing changed
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
        if (previous != null) {
            previous.close();
        }
        channel = ch;
        current = next;
        position = 0;
        capacity = size;
        liveIn.putIfAbsent(next, 0);
        removeFinishedFiles();
    }

    /** Reads one file's entries into the live records, up to its first entry that is zeros or torn. */
    private void read(long n) throws IOException {
        liveIn.putIfAbsent(n, 0);
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file(n)));
        while (all.remaining() >= HEADER) {
            int start = all.position();
            if (all.getInt() != MAGIC) {
                break;
            }
            byte kind = all.get();
            int idLength = Short.toUnsignedInt(all.getShort());
            int payloadLength = all.getInt();
            int crc = all.getInt();
            if (payloadLength < 0 || all.remaining() < idLength + (long) payloadLength) {
                break;
            }
            byte[] id = new byte[idLength];
            byte[] payload = new byte[payloadLength];
            all.get(id).get(payload);
            CRC32C check = new CRC32C();
            check.update(kind);
            check.update(id);
            check.update(payload);
            if ((int) check.getValue() != crc || kind != STAGE && kind != DONE) {
                all.position(start);
                break;
            }
            String key = new String(id, StandardCharsets.UTF_8);
            if (kind == STAGE) {
                payloadAt.put(key, new long[] {n, all.position() - payloadLength, payloadLength});
            }
            recovered.remove(key);
            if (kind == STAGE) {
                recovered.put(key, payload);
            }
            track(kind, key, n);
        }
    }

    /**
     * The channel, opened again if an interrupt of some caller's thread closed it (a FileChannel closes itself
     * then, for every thread): the log must outlive a cancelled request.
     */
    private synchronized FileChannel open() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (!channel.isOpen()) {
            channel = FileChannel.open(file(current), StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return channel;
    }

    private interface Io {
        void run() throws IOException;
    }

    /** Runs {@code io} with the thread's interrupt put aside (restored after), retrying once if one came. */
    private static void uninterruptibly(Io io) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            io.run();
        } catch (ClosedByInterruptException e) {
            Thread.interrupted();
            interrupted = true;
            io.run();
        } catch (AsynchronousCloseException e) {
            io.run(); // another thread's interrupt closed the channel: io reopens it
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Path file(long n) {
        return dir.resolve(String.format("%08d", n) + SUFFIX);
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null && !closed && channel.isOpen()) {
            channel.force(false); // the DONE entries too: a restart after a machine crash redoes nothing
        }
        closed = true;
        if (channel != null) {
            channel.close();
        }
    }
}
