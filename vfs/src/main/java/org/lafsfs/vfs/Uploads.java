package org.lafsfs.vfs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.CapParser;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.dirnode.LinkMetadata;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.immutable.ChkUploader;
import org.lafsfs.core.immutable.KeyAhead;
import org.lafsfs.core.immutable.UploadSource;
import org.lafsfs.core.mutable.MutableFileNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files closed with new contents, on their way to the grid. Each is staged
 * first: its spool file forced to disk and a record of what to do with it
 * (upload as immutable, create as mutable, or update a mutable file in place)
 * forced into the {@link StagingLog}; a small file's contents go into the record
 * itself, so one forced write stages it. From then on the data is safe: the upload
 * runs, the new cap is linked (a journaled directory edit), and only then
 * are record and spool done with. A restart finds the records and finishes
 * them; a failed upload stays staged and is retried.
 */
final class Uploads {
    private static final Logger log = LoggerFactory.getLogger(Uploads.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Kind { IMMUTABLE, MUTABLE_NEW, MUTABLE_UPDATE, MUTABLE_OVERWRITE }

    /** Whole files up to this size are kept in their record (one fsync at close instead of two). */
    static final int INLINE_LIMIT = 64 * 1024;
    /** An upload's own pace is trusted once it has sent this much (a few segments). */
    static final long MIN_SENT_TO_JUDGE = 4L << 20;

    /** A staged file: where it goes, how, and its spool. */
    static final class Staged {
        final String id;
        volatile DirectoryCap dir;
        volatile String name;
        final Kind kind;
        final Cap base;
        final MutableFormat format;
        final long size;
        final List<long[]> ranges;
        final Path spool;
        /** Whether the record holds the contents (the spool is then not forced). */
        final boolean inline;
        /** When the file was closed (Tahoe's seconds): its link's time if the close's own edit was lost. */
        final double closedAt;
        final CompletableFuture<Cap> done = new CompletableFuture<>();
        /** Completed once servers have taken the shares of an immutable upload (its failures come before). */
        final CompletableFuture<Void> placed = new CompletableFuture<>();
        volatile boolean cancelled;
        volatile String error;
        /** Whether its record is forced (its spool always is, unless inline): see {@link Uploads#secure}. */
        volatile boolean secured;
        /** The convergent key hashed while the file was written; null after a restart (it is hashed again). */
        volatile KeyAhead keyAhead;
        /** Bytes of an immutable upload encoded and sent so far, and when its shares were placed (nanoTime). */
        private volatile long sent;
        private volatile long placedAt;

        /** The upload's progress report: 0 once the shares are placed, then the bytes sent so far. */
        void progress(long bytes) {
            if (!placed.isDone()) {
                placedAt = System.nanoTime();
                placed.complete(null);
            }
            sent = bytes;
        }

        /**
         * Whether this upload, at the pace it has gone since its shares were placed, will still be running at
         * {@code deadline} (nanoTime), with {@link UploadPace#MARGIN}'s allowance for its last steps; false
         * while too little has been sent to tell.
         */
        boolean finishesAfter(long deadline) {
            long now = System.nanoTime();
            long sentSoFar = sent;
            long elapsed = now - placedAt;
            if (!placed.isDone() || sentSoFar < MIN_SENT_TO_JUDGE || elapsed <= 0) {
                return false;
            }
            double nanosPerByte = (double) elapsed / sentSoFar;
            return now + (size - sentSoFar) * nanosPerByte / UploadPace.MARGIN > deadline;
        }

        Staged(String id, DirectoryCap dir, String name, Kind kind, Cap base, MutableFormat format, long size,
                List<long[]> ranges, Path spool, boolean inline, double closedAt) {
            this.id = id;
            this.dir = dir;
            this.name = name;
            this.kind = kind;
            this.base = base;
            this.format = format;
            this.size = size;
            this.ranges = ranges;
            this.spool = spool;
            this.inline = inline;
            this.closedAt = closedAt;
        }

        /** The bytes its upload sends: the written ranges of an in-place update, else the whole file. */
        long work() {
            return kind == Kind.MUTABLE_UPDATE ? ranges.stream().mapToLong(r -> r[1] - r[0]).sum() : size;
        }
    }

    private final Grid grid;
    private final Directories directories;
    private final byte[] convergence;
    private final Path recordDir;
    private final StagingLog records;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final Map<String, Staged> byLocation = new HashMap<>();
    private final UploadPace pace = new UploadPace();
    private volatile boolean stopped;

    /** Found by {@link #recover}, started by {@link #resume}. */
    private List<Staged> recovered = List.of();

    Uploads(Grid grid, Directories directories, byte[] convergence, Path recordDir, ExecutorService workers,
            ScheduledExecutorService timer) throws IOException {
        this.grid = grid;
        this.directories = directories;
        this.convergence = convergence;
        this.recordDir = Files.createDirectories(recordDir);
        this.records = new StagingLog(recordDir);
        this.workers = workers;
        this.timer = timer;
    }

    static String location(DirectoryCap dir, String name) {
        return Directories.key(dir) + "/" + name;
    }

    /** How fast uploads have gone lately. */
    UploadPace pace() {
        return pace;
    }

    /** The upload staged for a name, if one is under way. */
    synchronized Optional<Staged> at(DirectoryCap dir, String name) {
        return Optional.ofNullable(byLocation.get(location(dir, name)));
    }

    /**
     * Writes the record that makes a closed file's data safe, and starts its upload. A new immutable file of
     * literal size needs neither: its cap holds its bytes and is linked at once.
     *
     * <p>With {@code secure} false the record is written but not forced: for a close or fsync that waits for the
     * upload, whose finished upload (linked, forced) is the durable state, so the record's flush is spent only if
     * it returns first ({@link #secure}). The spool of a file too large to be inline in its record is forced
     * either way: any other record's force makes this record durable too, and a durable record must never point
     * at a spool that is not. A crash of the process loses nothing: unforced writes are in the kernel's cache.
     */
    Staged stage(OpenFile file, Kind kind, MutableFormat format, boolean secure) throws IOException {
        if (kind == Kind.IMMUTABLE && file.size() <= ChkUploader.LITERAL_THRESHOLD) {
            return linkLiteral(file);
        }
        byte[] contents = null;
        if (kind == Kind.MUTABLE_UPDATE) {
            file.force();
        } else if (file.size() <= INLINE_LIMIT) {
            contents = file.smallContents(); // the spool is complete too, but need not be forced
        } else {
            file.complete();
        }
        file.closeSpool();
        Staged staged = new Staged(file.spoolPath.getFileName().toString(), file.dir, file.name, kind, file.baseCap,
                format, file.size(), kind == Kind.MUTABLE_UPDATE ? file.writtenRanges() : List.of(), file.spoolPath,
                contents != null, LinkMetadata.now());
        staged.keyAhead = file.keyAhead();
        writeRecord(staged, contents, secure);
        staged.secured = secure;
        synchronized (this) {
            Staged earlier = byLocation.put(location(staged.dir, staged.name), staged);
            if (earlier != null) {
                cancel(earlier); // newer contents replace it; it must not be linked after them
            }
        }
        workers.execute(() -> run(staged));
        return staged;
    }

    /** The journaled edit that links the literal cap is the one durable step: no record, no spool, no worker. */
    private Staged linkLiteral(OpenFile file) throws IOException {
        Cap cap = new LiteralCap(file.smallContents());
        file.closeSpool();
        Staged staged = new Staged(file.spoolPath.getFileName().toString(), file.dir, file.name, Kind.IMMUTABLE,
                file.baseCap, null, file.size(), List.of(), file.spoolPath, false, LinkMetadata.now());
        synchronized (this) {
            if (stopped) {
                throw new IOException("the VFS is stopping");
            }
            Staged earlier = byLocation.remove(location(staged.dir, staged.name));
            if (earlier != null) {
                cancel(earlier); // older contents still uploading must not be linked after these
            }
            link(staged, cap);
        }
        staged.secured = true; // the link, journaled and forced, is all there is to keep
        Files.deleteIfExists(staged.spool);
        staged.done.complete(cap);
        return staged;
    }

    /** Picks up what a previous run staged but did not finish ({@link #resume} uploads it). */
    void recover() throws IOException {
        List<Staged> found = new ArrayList<>();
        for (var record : records.takeRecovered().entrySet()) {
            found.add(staged(record.getValue(), "record " + record.getKey() + " of the staging log"));
        }
        java.util.Set<String> inLog = new java.util.HashSet<>();
        found.forEach(s -> inLog.add(s.id));
        found.addAll(recordFiles(inLog));
        for (Staged s : found) {
            synchronized (this) {
                Staged earlier = byLocation.put(location(s.dir, s.name), s);
                if (earlier != null) {
                    cancel(earlier); // staged before s, for the same name: s's contents replace it
                }
            }
        }
        recovered = found;
    }

    /** Starts the uploads {@link #recover} found. */
    void resume() {
        for (Staged s : recovered) {
            workers.execute(() -> run(s)); // a cancelled one only removes its spool
        }
        recovered = List.of();
    }

    /** A staged file from its record; a record that is not one is refused (it may be a file's only copy). */
    private static Staged staged(byte[] record, String where) throws IOException {
        try {
            return parseStaged(JSON.readTree(record));
        } catch (IOException | RuntimeException e) {
            // The record holds caps: it is named, never printed.
            throw new IOException("the staged upload's " + where + " cannot be recovered (" + e + ")", e);
        }
    }

    private static Staged parseStaged(JsonNode r) throws IOException {
        List<long[]> ranges = new ArrayList<>();
        r.get("ranges").forEach(pair -> ranges.add(new long[] {pair.get(0).asLong(), pair.get(1).asLong()}));
        Path spool = Path.of(r.get("spool").asText());
        if (r.hasNonNull("data")) {
            // The spool of a small file was not forced: what the record holds is the file.
            try (FileChannel ch = FileChannel.open(spool, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(r.get("data").binaryValue()));
                ch.force(true);
            }
        }
        return new Staged(r.get("id").asText(), (DirectoryCap) CapParser.parse(r.get("dir").asText()),
                r.get("name").asText(), Kind.valueOf(r.get("kind").asText()),
                r.hasNonNull("base") ? CapParser.parse(r.get("base").asText()) : null,
                r.hasNonNull("format") ? MutableFormat.valueOf(r.get("format").asText()) : null,
                r.get("size").asLong(), ranges, spool, r.hasNonNull("data"),
                r.hasNonNull("closed") ? r.get("closed").asDouble() : LinkMetadata.now());
    }

    /**
     * Records that versions before the staging log kept one file each ({@code <id>.json}, or a forced
     * {@code <id>.json.tmp} whose rename a machine crash undid): moved into the log, then removed.
     */
    private List<Staged> recordFiles(java.util.Set<String> inLog) throws IOException {
        List<Staged> found = new ArrayList<>();
        try (var files = Files.list(recordDir)) {
            for (Path file : files.filter(Uploads::isRecordFile).toList()) {
                byte[] record = Files.readAllBytes(file);
                JsonNode r;
                try {
                    r = JSON.readTree(record);
                } catch (IOException torn) {
                    r = null; // a record file cut short was never acknowledged (they were forced before their rename)
                }
                if (r != null && !inLog.contains(r.path("id").asText())) {
                    Staged s = staged(record, "record " + file);
                    records.stage(s.id, record, true); // in the log before the file goes
                    found.add(s);
                }
                Files.delete(file);
            }
        }
        try (FileChannel dir = FileChannel.open(recordDir, StandardOpenOption.READ)) {
            dir.force(true); // the files gone for good: moved, they must not come back beside the log's copy
        }
        found.sort(java.util.Comparator.comparingDouble(s -> s.closedAt)); // the newest for a name wins
        return found;
    }

    private static boolean isRecordFile(Path p) {
        String name = p.getFileName().toString();
        return name.endsWith(".json") || (name.endsWith(".json.tmp")
                && !Files.exists(p.resolveSibling(name.substring(0, name.length() - ".tmp".length()))));
    }

    /** A staged file was renamed: it will be linked under its new name. */
    synchronized void moved(DirectoryCap fromDir, String fromName, DirectoryCap toDir, String toName)
            throws IOException {
        Staged s = byLocation.remove(location(fromDir, fromName));
        if (s == null) {
            return;
        }
        s.dir = toDir;
        s.name = toName;
        Staged replaced = byLocation.put(location(toDir, toName), s);
        if (replaced != null) {
            cancel(replaced);
        }
        writeRecord(s, s.inline ? Files.readAllBytes(s.spool) : null, true);
    }

    /** A staged file was unlinked: upload nothing, link nothing. */
    synchronized void forget(DirectoryCap dir, String name) {
        Staged s = byLocation.remove(location(dir, name));
        if (s != null) {
            cancel(s);
        }
    }

    /**
     * Forces the record {@link #stage} left unforced: after this the staged file survives a crash of the machine
     * and is uploaded at the next start.
     */
    void secure(Staged s) throws IOException {
        if (!s.secured) {
            records.forceAll(); // the spool was forced at stage (or the record holds the file)
            s.secured = true;
        }
    }

    /** Whether every staged file is secured and the staging log wholly forced (for tests). */
    synchronized boolean allSecured() {
        return byLocation.values().stream().allMatch(s -> s.secured) && records.allForced();
    }

    /** Drops a staged file: its record is ended at once, so a restart does not bring it back. */
    private void cancel(Staged s) {
        s.cancelled = true;
        try {
            records.done(s.id);
        } catch (IOException e) {
            log.warn("cannot remove the upload record of {}: {}", s.name, e.toString());
        }
    }

    /** The spool files staged uploads still need (after {@link #recover}, every live record is staged). */
    synchronized java.util.Set<Path> spoolsInUse() {
        java.util.Set<Path> inUse = new java.util.HashSet<>();
        byLocation.values().forEach(s -> inUse.add(s.spool.toAbsolutePath()));
        return inUse;
    }

    /** As a crash would: from now on nothing is linked, deleted or retried (the spool stays as it is). */
    void stop() {
        stopped = true;
    }

    private void run(Staged s) {
        if (stopped) {
            return;
        }
        try {
            long start = System.nanoTime();
            Cap cap = s.cancelled ? null : upload(s);
            if (cap != null) {
                pace.record(s.work(), System.nanoTime() - start);
            }
            DirectoryCap linkedIn = null;
            synchronized (this) {
                if (stopped) {
                    return;
                }
                if (!s.cancelled) {
                    linkedIn = s.dir;
                    link(s, cap, false);
                    byLocation.remove(location(s.dir, s.name), s);
                }
            }
            if (linkedIn != null) {
                directories.force(linkedIn); // the link is durable before the record that would redo it goes
            }
            records.done(s.id);
            Files.deleteIfExists(s.spool);
            s.error = null;
            s.done.complete(cap);
        } catch (Exception e) {
            s.error = e.getMessage() == null ? e.toString() : e.getMessage();
            s.done.completeExceptionally(e);
            if (stopped) {
                return;
            }
            log.warn("upload of {} failed, will retry: {}", s.name, s.error);
            try {
                timer.schedule(() -> workers.execute(() -> retry(s)), 5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // the VFS is closing; the staged file is retried at the next start
            }
        }
    }

    private void retry(Staged s) {
        // A retry has no waiter: its outcome shows in status() and at the next fsync of the file.
        Staged again = new Staged(s.id, s.dir, s.name, s.kind, s.base, s.format, s.size, s.ranges, s.spool,
                s.inline, s.closedAt);
        again.cancelled = s.cancelled;
        again.keyAhead = s.keyAhead;
        again.secured = s.secured;
        synchronized (this) {
            if (byLocation.get(location(s.dir, s.name)) == s) {
                byLocation.put(location(s.dir, s.name), again);
            } else if (!s.cancelled) {
                return;
            }
        }
        run(again);
    }

    private Cap upload(Staged s) throws IOException {
        switch (s.kind) {
            case IMMUTABLE:
                return new ChkUploader(grid.servers(), grid.params(), convergence, grid.secrets())
                        .upload(UploadSource.of(s.spool, s.keyAhead), s::progress).cap();
            case MUTABLE_NEW:
                return MutableFileNode.create(grid, s.format, Files.readAllBytes(s.spool)).writeCap();
            case MUTABLE_OVERWRITE:
                new MutableFileNode(grid, s.base).overwrite(Files.readAllBytes(s.spool));
                return s.base;
            case MUTABLE_UPDATE:
            default:
                MutableFileNode node = new MutableFileNode(grid, s.base);
                try (FileChannel ch = FileChannel.open(s.spool, StandardOpenOption.READ)) {
                    for (long[] range : s.ranges) {
                        for (long at = range[0]; at < range[1]; at += 1 << 20) {
                            int n = (int) Math.min(1 << 20, range[1] - at);
                            ByteBuffer data = ByteBuffer.allocate(n);
                            while (data.hasRemaining() && ch.read(data, at + data.position()) >= 0) {
                                // read fully
                            }
                            node.write(at, data.array());
                        }
                    }
                }
                return s.base;
        }
    }

    /**
     * Puts the new cap under the name, keeping the link's metadata as it is now: the close already stamped
     * the modification time, and a utimens since (tar, rsync) must win over the upload finishing.
     */
    private void link(Staged s, Cap cap) throws IOException {
        link(s, cap, true);
    }

    private void link(Staged s, Cap cap, boolean force) throws IOException {
        directories.update(s.dir, s.name, old -> DirectoryEntry.of(s.name, cap,
                old == null ? LinkMetadata.update(null, null, s.closedAt) : old.metadata()), force);
    }

    /** Writes a staged file's record ({@code force}: durably); {@code contents} (or null) is an inline file. */
    private void writeRecord(Staged s, byte[] contents, boolean force) throws IOException {
        ObjectNode r = JSON.createObjectNode().put("id", s.id).put("dir", s.dir.uri()).put("name", s.name)
                .put("kind", s.kind.name()).put("base", s.base == null ? null : s.base.uri())
                .put("format", s.format == null ? null : s.format.name()).put("size", s.size)
                .put("spool", s.spool.toString()).put("closed", s.closedAt);
        if (contents != null) {
            r.put("data", contents); // base64 in the JSON
        }
        ArrayNode ranges = r.putArray("ranges");
        s.ranges.forEach(range -> ranges.addArray().add(range[0]).add(range[1]));
        records.stage(s.id, JSON.writeValueAsBytes(r), force);
    }

    /** Closes the staging log (what it holds stays for the next start). */
    void close() throws IOException {
        records.close();
    }

    synchronized List<String> pending() {
        List<String> names = new ArrayList<>();
        byLocation.values().forEach(s -> names.add(s.name + (s.error == null ? "" : " (failed: " + s.error + ")")));
        return names;
    }

    synchronized List<String> failed() {
        List<String> names = new ArrayList<>();
        byLocation.values().stream().filter(s -> s.error != null).forEach(s -> names.add(s.name + ": " + s.error));
        return names;
    }

    /** Waits for every staged upload to finish or fail once. */
    void awaitAll() throws IOException {
        List<Staged> all;
        synchronized (this) {
            all = new ArrayList<>(byLocation.values());
        }
        IOException first = null;
        for (Staged s : all) {
            try {
                s.done.join();
            } catch (RuntimeException e) {
                retry(s); // a sync tries a failed upload again now rather than at its next scheduled retry
                Staged now;
                synchronized (this) {
                    now = byLocation.get(location(s.dir, s.name));
                }
                if (now != null && now.error != null) {
                    first = first == null ? new IOException("upload of " + s.name + " failed: " + now.error, e)
                            : first;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
