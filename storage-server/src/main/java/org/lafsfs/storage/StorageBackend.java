package org.lafsfs.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.storage.Allocation;
import org.lafsfs.core.storage.LeaseSecrets;
import org.lafsfs.core.storage.ReadTestWriteResult;
import org.lafsfs.core.storage.ReadVector;
import org.lafsfs.core.storage.ServerVersion;
import org.lafsfs.core.storage.StorageException;
import org.lafsfs.core.storage.TestWriteVectors;
import org.lafsfs.core.storage.UploadProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage server's behaviour, over Tahoe's on-disk layout in a storage
 * directory ({@code shares/<2-char prefix>/<storage index>/<share number>},
 * unfinished uploads under {@code shares/incoming/}). Both the HTTPS front end
 * and in-process callers use it. Operations are synchronous and thread-safe;
 * failures are {@link StorageException}s.
 *
 * <p>Durability: a share appears under {@code shares/} only when complete —
 * written, fsynced, then renamed out of {@code incoming/} — and a mutable
 * write is fsynced before it is acknowledged. Unfinished uploads do not
 * survive a restart; their uploader sees "not found" and starts again.
 */
public final class StorageBackend {
    private static final Logger LOG = LoggerFactory.getLogger(StorageBackend.class);
    private static final java.util.regex.Pattern SHARE_NUMBER = java.util.regex.Pattern.compile("[0-9]{1,3}");
    public static final String APPLICATION_VERSION = "lafsfs/0.1 (Tahoe-LAFS 1.20 storage protocol)";
    static final long MAXIMUM_MUTABLE_SHARE_SIZE = 69_105L * 1000 * 1000 * 1000 * 1000;
    /** The most a read-test-write answer may carry, so one small request cannot make a huge answer. */
    static final long MAX_READ_VECTOR_TOTAL = 128L * 1024 * 1024;

    private final Path storageDir;
    private final Path shares;
    /** Looked up once: finding a path's file store reads the mount table, asking it for free space does not. */
    private volatile java.nio.file.FileStore sharesStore;
    private final Path incoming;
    private final Path corruptionAdvisories;
    private final byte[] nodeId;
    private volatile long reservedSpace;
    private final Clock clock;
    private final Map<UploadKey, Upload> uploads = new ConcurrentHashMap<>();
    /** Background flushes of large shares made so far (see {@link ShareWriteback}). */
    private final java.util.concurrent.atomic.AtomicLong writebacks = new java.util.concurrent.atomic.AtomicLong();
    /**
     * Prefix directories ({@code shares/PP}) whose entry in {@code shares/} this process has forced since it
     * made them or found them: they are never removed, so a new bucket in one needs no force of {@code shares/}.
     */
    private final Set<Path> durablePrefixes = ConcurrentHashMap.newKeySet();
    /** Directory forces made by {@link #syncCreated} (for tests). */
    private final java.util.concurrent.atomic.AtomicLong createdSyncs = new java.util.concurrent.atomic.AtomicLong();
    private final ReentrantReadWriteLock[] locks = new ReentrantReadWriteLock[64];
    /** Tahoe abandons an upload that has seen no write for 30 minutes; so do we. */
    static final Duration UPLOAD_IDLE_LIMIT = Duration.ofMinutes(30);

    private record UploadKey(StorageIndex storageIndex, int shareNumber) {
    }

    /** An immutable share being written in incoming/. */
    private static final class Upload {
        final byte[] secret;
        final Path file;
        final long size;
        final LeaseSecrets lease;
        final TreeMap<Long, Long> received = new TreeMap<>(); // begin -> end, disjoint
        /** Null for a share small enough to leave to its final force. */
        final ShareWriteback writeback;
        volatile long lastActivity;

        Upload(byte[] secret, Path file, long size, LeaseSecrets lease, ShareWriteback writeback) {
            this.secret = secret;
            this.file = file;
            this.size = size;
            this.lease = lease;
            this.writeback = writeback;
        }
    }

    /**
     * @param storageDir what Tahoe calls NODEDIR/storage: the directory holding {@code shares/}
     * @param nodeId this server's 20-byte node id, recorded in new mutable shares and leases
     * @param reservedSpace bytes of disk to leave free; allocations that would eat into it are refused
     */
    public StorageBackend(Path storageDir, byte[] nodeId, long reservedSpace, Clock clock) throws IOException {
        this.storageDir = storageDir;
        this.shares = storageDir.resolve("shares");
        this.incoming = shares.resolve("incoming");
        this.corruptionAdvisories = storageDir.resolve("corruption-advisories");
        this.nodeId = nodeId.clone();
        this.reservedSpace = reservedSpace;
        this.clock = clock;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantReadWriteLock();
        }
        Files.createDirectories(shares);
        deleteRecursively(incoming); // uploads in progress before a restart cannot be resumed
        Files.createDirectories(incoming);
    }

    public Path storageDir() {
        return storageDir;
    }

    /** How many directories were forced to make new share entries durable (for tests). */
    long createdSyncs() {
        return createdSyncs.get();
    }

    /** How many background flushes of large shares were made (for tests). */
    long writebacks() {
        return writebacks.get();
    }

    // ---- general ----

    public ServerVersion version() {
        long available = availableSpace();
        return new ServerVersion(available, MAXIMUM_MUTABLE_SHARE_SIZE, available, APPLICATION_VERSION);
    }

    /** Changes how much disk to leave free (a server can be made to refuse new data without a restart). */
    public void setReservedSpace(long bytes) {
        this.reservedSpace = bytes;
    }

    /** Free bytes on the disk beyond the reserve, minus what unfinished uploads have been promised. */
    public long availableSpace() {
        try {
            long promised = 0;
            for (Upload u : uploads.values()) {
                promised += u.size;
            }
            java.nio.file.FileStore store = sharesStore;
            if (store == null) {
                store = Files.getFileStore(shares);
                sharesStore = store;
            }
            return Math.max(0, store.getUsableSpace() - reservedSpace - promised);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- immutable ----

    public Allocation allocateBuckets(StorageIndex si, LeaseSecrets lease, byte[] uploadSecret,
            Set<Integer> shareNumbers, long allocatedSize) {
        expireIdleUploads();
        Lock lock = writeLock(si);
        lock.lock();
        try {
            // Like Tahoe: report every share held here, not just those asked about, and renew all their leases.
            Set<Integer> have = new TreeSet<>();
            for (Path file : shareFiles(si)) {
                if (!isMutable(file)) {
                    have.add(Integer.parseInt(file.getFileName().toString()));
                    ImmutableShareFile.open(file).addOrRenewLease(newLease(lease));
                }
            }
            Set<Integer> allocated = new TreeSet<>();
            long remaining = availableSpace();
            for (int shnum : new TreeSet<>(shareNumbers)) {
                checkShareNumber(shnum);
                Upload inProgress = uploads.get(new UploadKey(si, shnum));
                if (have.contains(shnum)) {
                    continue;
                } else if (inProgress != null) {
                    // A repeated request from the same uploader gets the same answer; another uploader
                    // must place this share elsewhere (Tahoe does the same).
                    if (MessageDigest.isEqual(inProgress.secret, uploadSecret)) {
                        allocated.add(shnum);
                    }
                } else if (allocatedSize <= remaining) {
                    Path file = incoming.resolve(si.prefix()).resolve(si.toString()).resolve(Integer.toString(shnum));
                    createDirectories(file.getParent()); // unsynced: incoming/ need not outlive a crash
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE)) {
                        ch.write(ImmutableShareFile.newHeader(allocatedSize));
                    }
                    Upload upload = new Upload(uploadSecret.clone(), file, allocatedSize, lease,
                            allocatedSize > ShareWriteback.STEP ? new ShareWriteback(file, writebacks) : null);
                    upload.lastActivity = clock.millis();
                    uploads.put(new UploadKey(si, shnum), upload);
                    allocated.add(shnum);
                    remaining -= allocatedSize;
                } else {
                    LOG.info("refusing share {} of {}: {} bytes asked, {} available", shnum, si, allocatedSize,
                            remaining);
                }
            }
            return new Allocation(have, allocated);
        } catch (IOException e) {
            throw ioFailure("allocating " + si, e);
        } finally {
            lock.unlock();
        }
    }

    /** Abandons uploads that have seen no write for {@link #UPLOAD_IDLE_LIMIT}, freeing their space. */
    void expireIdleUploads() {
        long cutoff = clock.millis() - UPLOAD_IDLE_LIMIT.toMillis();
        for (Map.Entry<UploadKey, Upload> e : uploads.entrySet()) {
            if (e.getValue().lastActivity < cutoff) {
                LOG.info("abandoning share {} of {}: no write for {}", e.getKey().shareNumber(),
                        e.getKey().storageIndex(), UPLOAD_IDLE_LIMIT);
                discard(e.getKey(), e.getValue());
            }
        }
    }

    /** Drops an unfinished upload; false if it was no longer in progress (completed or dropped already). */
    private boolean discard(UploadKey key, Upload upload) {
        synchronized (upload) {
            if (!uploads.remove(key, upload)) {
                return false;
            }
            try {
                Files.deleteIfExists(upload.file);
                removeIfEmpty(upload.file.getParent()); // never the shared prefix level
            } catch (IOException e) {
                throw ioFailure("discarding share " + key.shareNumber() + " of " + key.storageIndex(), e);
            }
            return true;
        }
    }

    public UploadProgress writeImmutable(StorageIndex si, int shnum, byte[] uploadSecret, long offset, byte[] data) {
        return writeImmutable(si, shnum, uploadSecret, offset, List.of(data));
    }

    /**
     * Writes consecutive pieces at {@code offset} as one write: a client in this process hands over its blocks
     * as they are, and joining them first would copy every byte of the share once more.
     */
    public UploadProgress writeImmutable(StorageIndex si, int shnum, byte[] uploadSecret, long offset,
            List<byte[]> pieces) {
        long length = 0;
        for (byte[] piece : pieces) {
            length += piece.length;
        }
        Upload upload = upload(si, shnum, uploadSecret);
        synchronized (upload) {
            if (uploads.get(new UploadKey(si, shnum)) != upload) {
                throw new StorageException.NotFound("no upload of share " + shnum + " of " + si + " in progress");
            }
            upload.lastActivity = clock.millis();
            if (offset < 0 || offset + length > upload.size) {
                throw new StorageException.BadRequest("bytes " + offset + "-" + (offset + length)
                        + " are outside the " + upload.size + " bytes allocated for share " + shnum + " of " + si);
            }
            try (FileChannel ch = FileChannel.open(upload.file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                checkOverlaps(ch, upload, offset, pieces, length);
                ByteBuffer[] buffers = new ByteBuffer[pieces.size()];
                for (int i = 0; i < buffers.length; i++) {
                    buffers[i] = ByteBuffer.wrap(pieces.get(i));
                }
                ch.position(ImmutableShareFile.HEADER_SIZE + offset);
                for (long left = length; left > 0; ) {
                    left -= ch.write(buffers);
                }
                addRange(upload.received, offset, offset + length);
                List<UploadProgress.ByteRange> missing = missing(upload);
                if (!missing.isEmpty()) {
                    if (upload.writeback != null) {
                        upload.writeback.wrote(length);
                    }
                    return new UploadProgress(false, missing);
                }
                // The first lease goes in before the one force that makes data and lease durable together.
                ImmutableShareFile.open(upload.file).addOrRenewLease(newLease(upload.lease), false);
                ch.force(true);
            } catch (IOException e) {
                throw ioFailure("writing share " + shnum + " of " + si, e);
            }
            finish(si, shnum, upload);
            return new UploadProgress(true, List.of());
        }
    }

    private void checkOverlaps(FileChannel ch, Upload upload, long offset, List<byte[]> pieces, long length)
            throws IOException {
        long end = offset + length;
        byte[] data = null; // joined only if some of it was written before (a retried write)
        for (Map.Entry<Long, Long> r : upload.received.subMap(0L, true, end, false).entrySet()) {
            long from = Math.max(offset, r.getKey());
            long to = Math.min(end, r.getValue());
            if (from >= to) {
                continue;
            }
            if (data == null) {
                data = org.lafsfs.core.storage.StorageServer.joined(pieces);
            }
            byte[] existing = ImmutableShareFile.readFully(ch, ImmutableShareFile.HEADER_SIZE + from,
                    (int) (to - from)).array();
            byte[] incomingBytes = java.util.Arrays.copyOfRange(data, (int) (from - offset), (int) (to - offset));
            if (!MessageDigest.isEqual(existing, incomingBytes)) {
                throw new StorageException.Conflict("bytes " + from + "-" + to + " differ from those already written");
            }
        }
    }

    private void finish(StorageIndex si, int shnum, Upload upload) {
        Lock lock = writeLock(si);
        lock.lock();
        try {
            Path done = sharePath(si, shnum);
            Path existing = createDirectories(done.getParent());
            Files.move(upload.file, done, StandardCopyOption.ATOMIC_MOVE);
            syncCreated(done.getParent(), existing);
            uploads.remove(new UploadKey(si, shnum));
            removeIfEmpty(upload.file.getParent()); // never the shared prefix level
        } catch (IOException e) {
            throw ioFailure("completing share " + shnum + " of " + si, e);
        } finally {
            lock.unlock();
        }
    }

    public void abortImmutable(StorageIndex si, int shnum, byte[] uploadSecret) {
        UploadKey key = new UploadKey(si, shnum);
        Upload upload = uploads.get(key);
        if (upload != null) {
            upload(si, shnum, uploadSecret); // checks the secret
            if (discard(key, upload)) {
                return;
            }
            // The last write completed the share while we waited for it: too late to abort.
        }
        if (Files.exists(sharePath(si, shnum))) {
            throw new StorageException.BadRequest("share " + shnum + " of " + si + " is complete; it cannot be"
                    + " aborted");
        }
        throw new StorageException.NotFound("no upload of share " + shnum + " of " + si + " in progress");
    }

    public Set<Integer> listImmutableShares(StorageIndex si) {
        return listShares(si, false);
    }

    public byte[] readImmutable(StorageIndex si, int shnum, long offset, int length) {
        return reading(si, "reading share " + shnum + " of " + si,
                () -> ImmutableShareFile.open(existingShare(si, shnum, false)).read(offset, length));
    }

    /** The length of a stored share's data (for HTTP Content-Range). */
    public long shareLength(StorageIndex si, int shnum, boolean mutable) {
        return reading(si, "reading share " + shnum + " of " + si, () -> {
            Path path = existingShare(si, shnum, mutable);
            return mutable ? MutableShareFile.open(path).dataLength() : ImmutableShareFile.open(path).dataLength();
        });
    }

    public void adviseCorrupt(StorageIndex si, int shnum, boolean mutable, String reason) {
        existingShare(si, shnum, mutable);
        LOG.warn("client reports {} share {} of {} corrupt: {}", mutable ? "mutable" : "immutable", shnum, si, reason);
        try {
            Files.createDirectories(corruptionAdvisories);
            String name = clock.instant().toString().replace(':', '-') + "-" + si + "-" + shnum;
            Files.writeString(corruptionAdvisories.resolve(name),
                    "storage index: " + si + "\nshare number: " + shnum + "\ntype: "
                            + (mutable ? "mutable" : "immutable") + "\nreason: " + reason + "\n");
        } catch (IOException e) {
            throw ioFailure("recording corruption advice", e);
        }
    }

    // ---- leases ----

    public void addOrRenewLease(StorageIndex si, LeaseSecrets lease) {
        Lock lock = writeLock(si);
        lock.lock();
        try {
            List<Path> files = shareFiles(si);
            if (files.isEmpty()) {
                throw new StorageException.NotFound("no shares of " + si + " here");
            }
            for (Path file : files) {
                if (isMutable(file)) {
                    MutableShareFile m = MutableShareFile.open(file);
                    m.addOrRenewLease(newLease(lease));
                    m.force();
                } else {
                    ImmutableShareFile.open(file).addOrRenewLease(newLease(lease));
                }
            }
        } catch (IOException e) {
            throw ioFailure("adding a lease on " + si, e);
        } finally {
            lock.unlock();
        }
    }

    /** Decides, under a storage index's write lock, whether a share may go; see {@link #removeShareIf}. */
    interface ShareCondition {
        boolean holds(Path shareFile, boolean mutable) throws IOException;
    }

    /** What {@link #removeShareIf} removed: the share file's size, and whether its bucket directory went too. */
    record Removal(long shareBytes, boolean bucketRemoved) {
    }

    /**
     * Removes one share if {@code condition} holds for it, deciding and deleting under the storage index's
     * write lock so that a lease renewed meanwhile keeps the share (the lease crawler's reason to be here);
     * then removes the bucket directory if that was its last share.
     *
     * @return what was removed, or null if the share is kept or no longer there
     */
    Removal removeShareIf(StorageIndex si, int shnum, ShareCondition condition) {
        Lock lock = writeLock(si);
        lock.lock();
        try {
            Path path = sharePath(si, shnum);
            if (!Files.isRegularFile(path)) {
                return null;
            }
            if (!condition.holds(path, isMutable(path))) {
                return null;
            }
            long size = Files.size(path);
            Files.delete(path);
            syncDirectory(path.getParent());
            removeIfEmpty(path.getParent());
            return new Removal(size, !Files.exists(path.getParent()));
        } catch (IOException e) {
            throw ioFailure("removing share " + shnum + " of " + si, e);
        } finally {
            lock.unlock();
        }
    }

    // ---- mutable ----

    public ReadTestWriteResult readTestWrite(StorageIndex si, byte[] writeEnabler, LeaseSecrets lease,
            Map<Integer, TestWriteVectors> vectors, List<ReadVector> readVector) {
        Lock lock = writeLock(si);
        lock.lock();
        try {
            Map<Integer, MutableShareFile> existing = new TreeMap<>();
            for (Path file : shareFiles(si)) {
                if (!isMutable(file)) {
                    throw new StorageException.BadRequest(si + " holds immutable shares, not a mutable slot");
                }
                existing.put(Integer.parseInt(file.getFileName().toString()), MutableShareFile.open(file));
            }
            for (MutableShareFile share : existing.values()) {
                if (!share.checkWriteEnabler(writeEnabler)) {
                    throw new StorageException.Unauthorized("the write enabler for " + si + " is not the one recorded"
                            + " by node " + org.lafsfs.core.codec.Base32.encode(share.writeEnablerNodeId()));
                }
            }
            Map<Integer, List<byte[]>> read = new LinkedHashMap<>();
            long readTotal = 0;
            for (Map.Entry<Integer, MutableShareFile> e : existing.entrySet()) {
                List<byte[]> data = new ArrayList<>();
                for (ReadVector r : readVector) {
                    long length = Math.max(0, Math.min(r.size(), e.getValue().dataLength() - r.offset()));
                    readTotal += length;
                    if (readTotal > MAX_READ_VECTOR_TOTAL) {
                        throw new StorageException.TooLarge("the read vectors ask for more than "
                                + MAX_READ_VECTOR_TOTAL + " bytes in one answer");
                    }
                    data.add(e.getValue().read(r.offset(), length));
                }
                read.put(e.getKey(), data);
            }
            for (Map.Entry<Integer, TestWriteVectors> e : vectors.entrySet()) {
                checkShareNumber(e.getKey());
                for (TestWriteVectors.Write w : e.getValue().writes()) {
                    if (w.offset() < 0 || w.offset() + w.data().length > MAXIMUM_MUTABLE_SHARE_SIZE) {
                        throw new StorageException.BadRequest("a write at " + w.offset() + " of " + w.data().length
                                + " bytes is outside what a mutable share can hold");
                    }
                }
                MutableShareFile share = existing.get(e.getKey());
                for (TestWriteVectors.Test t : e.getValue().tests()) {
                    byte[] actual = share == null ? new byte[0] : share.read(t.offset(), t.size());
                    if (!MessageDigest.isEqual(actual, t.specimen())) {
                        return new ReadTestWriteResult(false, read);
                    }
                }
            }
            long growth = 0;
            for (Map.Entry<Integer, TestWriteVectors> e : vectors.entrySet()) {
                MutableShareFile share = existing.get(e.getKey());
                long length = share == null ? 0 : share.dataLength();
                long end = length;
                for (TestWriteVectors.Write w : e.getValue().writes()) {
                    end = Math.max(end, w.offset() + w.data().length);
                }
                growth += end - length;
            }
            if (growth > 0 && growth > availableSpace()) {
                // Refuse before writing anything, so the client can place these shares elsewhere.
                throw new StorageException.ServerFull("no room for " + growth + " more bytes of mutable shares");
            }
            for (Map.Entry<Integer, TestWriteVectors> e : vectors.entrySet()) {
                applyWrites(si, e.getKey(), existing.get(e.getKey()), writeEnabler, lease, e.getValue());
            }
            removeIfEmpty(bucketDir(si));
            return new ReadTestWriteResult(true, read);
        } catch (IOException e) {
            throw ioFailure("writing mutable shares of " + si, e);
        } finally {
            lock.unlock();
        }
    }

    private void applyWrites(StorageIndex si, int shnum, MutableShareFile share, byte[] writeEnabler,
            LeaseSecrets lease, TestWriteVectors v) throws IOException {
        Path path = sharePath(si, shnum);
        if (v.newLength() != null && v.newLength() == 0) {
            if (share != null) {
                Files.delete(path);
                syncDirectory(path.getParent());
            }
            return;
        }
        boolean created = share == null;
        Path existing = null;
        if (created) { // created even by a vector without writes, as Tahoe does
            existing = createDirectories(path.getParent());
            share = MutableShareFile.create(path, nodeId, writeEnabler);
        }
        List<byte[]> datas = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        for (TestWriteVectors.Write w : v.writes()) {
            datas.add(w.data());
            offsets.add(w.offset());
        }
        share.write(datas, offsets, v.newLength());
        share.addOrRenewLease(newLease(lease));
        share.force();
        if (created) {
            syncCreated(path.getParent(), existing); // a new name; rewriting a share in place changes no directory
        }
    }

    public Set<Integer> listMutableShares(StorageIndex si) {
        return listShares(si, true);
    }

    public byte[] readMutable(StorageIndex si, int shnum, long offset, int length) {
        return reading(si, "reading share " + shnum + " of " + si,
                () -> MutableShareFile.open(existingShare(si, shnum, true)).read(offset, length));
    }

    // ---- helpers ----

    private Lease newLease(LeaseSecrets lease) {
        return Lease.fresh(lease.renew(), lease.cancel(), clock.instant().getEpochSecond(), nodeId);
    }

    private Upload upload(StorageIndex si, int shnum, byte[] secret) {
        Upload upload = uploads.get(new UploadKey(si, shnum));
        if (upload == null) {
            throw new StorageException.NotFound("no upload of share " + shnum + " of " + si + " in progress");
        }
        if (!MessageDigest.isEqual(upload.secret, secret)) {
            throw new StorageException.Unauthorized("wrong upload secret for share " + shnum + " of " + si);
        }
        return upload;
    }

    private static void addRange(TreeMap<Long, Long> ranges, long begin, long end) {
        Map.Entry<Long, Long> before = ranges.floorEntry(begin);
        if (before != null && before.getValue() >= begin) {
            begin = before.getKey();
            end = Math.max(end, before.getValue());
        }
        for (Map.Entry<Long, Long> next = ranges.ceilingEntry(begin); next != null && next.getKey() <= end;
                next = ranges.ceilingEntry(begin)) {
            end = Math.max(end, next.getValue());
            ranges.remove(next.getKey());
        }
        ranges.put(begin, end);
    }

    private static List<UploadProgress.ByteRange> missing(Upload upload) {
        List<UploadProgress.ByteRange> missing = new ArrayList<>();
        long at = 0;
        for (Map.Entry<Long, Long> r : upload.received.entrySet()) {
            if (r.getKey() > at) {
                missing.add(new UploadProgress.ByteRange(at, r.getKey()));
            }
            at = Math.max(at, r.getValue());
        }
        if (at < upload.size) {
            missing.add(new UploadProgress.ByteRange(at, upload.size));
        }
        return missing;
    }

    private Set<Integer> listShares(StorageIndex si, boolean mutable) {
        return reading(si, "listing shares of " + si, () -> {
            Set<Integer> found = new TreeSet<>();
            for (Path file : shareFiles(si)) {
                if (isMutable(file) == mutable) {
                    found.add(Integer.parseInt(file.getFileName().toString()));
                }
            }
            return found;
        });
    }

    private interface IoOperation<T> {
        T run() throws IOException;
    }

    /** Runs a read of a storage index's shares under its read lock. */
    private <T> T reading(StorageIndex si, String what, IoOperation<T> operation) {
        Lock lock = readLock(si);
        lock.lock();
        try {
            return operation.run();
        } catch (IOException e) {
            throw ioFailure(what, e);
        } finally {
            lock.unlock();
        }
    }

    private List<Path> shareFiles(StorageIndex si) {
        Path bucket = bucketDir(si);
        List<Path> files = new ArrayList<>();
        // Most storage indexes asked about have no bucket here (every new upload asks). java.io's check
        // answers without the two exceptions, stack traces and all, that a missing directory costs NIO.
        if (!bucket.toFile().isDirectory()) {
            return files;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(bucket)) {
            for (Path p : dir) {
                if (SHARE_NUMBER.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        } catch (NoSuchFileException e) {
            return files;
        } catch (IOException e) {
            throw ioFailure("listing shares of " + si, e);
        }
        files.sort(Comparator.comparing(p -> Integer.parseInt(p.getFileName().toString())));
        return files;
    }

    private Path existingShare(StorageIndex si, int shnum, boolean mutable) {
        Path path = sharePath(si, shnum);
        if (!Files.isRegularFile(path) || isMutable(path) != mutable) {
            throw new StorageException.NotFound("no " + (mutable ? "mutable" : "immutable") + " share " + shnum
                    + " of " + si + " here");
        }
        return path;
    }

    static boolean isMutable(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer first = ByteBuffer.allocate(32);
            ch.read(first, 0);
            return MutableShareFile.versionOf(first.flip()) != 0;
        } catch (IOException e) {
            throw ioFailure("reading " + file, e);
        }
    }

    private Path bucketDir(StorageIndex si) {
        return shares.resolve(si.prefix()).resolve(si.toString());
    }

    private Path sharePath(StorageIndex si, int shnum) {
        return bucketDir(si).resolve(Integer.toString(shnum));
    }

    /** Held to change anything about a storage index's shares (data, leases, files). */
    private Lock writeLock(StorageIndex si) {
        return locks[Math.floorMod(si.hashCode(), locks.length)].writeLock();
    }

    /** Held to read a storage index's shares, so no reader sees half of a change. */
    private Lock readLock(StorageIndex si) {
        return locks[Math.floorMod(si.hashCode(), locks.length)].readLock();
    }

    private static void checkShareNumber(int shnum) {
        if (shnum < 0 || shnum > 255) {
            throw new StorageException.BadRequest("share number " + shnum + " is not in 0..255");
        }
    }

    /** A full disk is the server's problem, told to the client as such; other IO errors are server faults. */
    private static StorageException ioFailure(String what, IOException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (message.contains("No space left") || message.contains("Disk quota exceeded")) {
            return new StorageException.ServerFull("out of disk space while " + what);
        }
        if (e instanceof FileAlreadyExistsException) {
            return new StorageException.Conflict(what + ": " + message);
        }
        return new StorageException("storage failure while " + what + ": " + message, e);
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Creates a share's directories, unsynced: returns the deepest of them that was already there, for
     * {@link #syncCreated} once the share's own entry is in place (one journal commit makes all of them durable,
     * instead of one commit per directory). Retries if a concurrent cleanup removed a parent.
     */
    private static Path createDirectories(Path dir) throws IOException {
        for (int attempt = 0;; attempt++) {
            try {
                Path existing = dir;
                while (!Files.isDirectory(existing)) {
                    existing = existing.getParent();
                }
                Files.createDirectories(dir);
                return existing;
            } catch (NoSuchFileException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /**
     * Makes a share's new entry in {@code dir} durable, then, if {@code dir} is new, every directory above it up
     * to {@code shares/}: an acknowledged share cannot vanish with its directory. All of them, not just those
     * {@link #createDirectories} made here: a parent another upload made a moment ago may not be synced yet.
     */
    private void syncCreated(Path dir, Path existing) throws IOException {
        syncDirectory(dir);
        createdSyncs.incrementAndGet();
        if (dir.equals(existing)) {
            return;
        }
        for (Path d = dir; !d.equals(shares) && d.startsWith(shares); d = d.getParent()) {
            boolean prefix = d.getParent().equals(shares);
            if (prefix && durablePrefixes.contains(d)) {
                break; // its entry was forced before, and prefixes are never removed
            }
            syncDirectory(d.getParent());
            createdSyncs.incrementAndGet();
            if (prefix) {
                durablePrefixes.add(d);
            }
        }
    }

    /** Removes a directory if it is empty; losing a race with a writer that fills it is fine. */
    private static void removeIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (java.nio.file.DirectoryNotEmptyException | NoSuchFileException e) {
            // in use again, or already gone: either is fine
        } catch (IOException e) {
            LOG.warn("could not remove empty directory {}: {}", dir, e.toString());
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
