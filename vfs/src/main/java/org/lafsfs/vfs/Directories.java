package org.lafsfs.vfs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.lafsfs.cache.GridCache;
import org.lafsfs.core.cap.CapParser;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.crypto.KeyPool;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.mutable.MutableKeys;
import org.lafsfs.core.mutable.UncoordinatedWriteException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directories as this client sees them: what the grid holds (through the
 * cache) with this client's unpublished edits laid over it. Every directory
 * edit costs an RSA signature and N writes, so edits to one directory are
 * gathered for a short window and published together; until then they are
 * kept in a journal on disk (written and forced before the edit is
 * acknowledged), so a crash loses none, and this client sees them at once.
 *
 * <p>A publish applies the gathered edits, name by name, to the newest version
 * on the grid, so other writers' edits to other names survive.
 *
 * <p>A directory made here ({@link #create}) has its cap at once and is created
 * on the grid by its first publish, together with the entries made in it
 * meanwhile: an untar's new directory costs one publish, not a creation and
 * then an edit. Its key is journaled like an edit, and a directory linking it
 * is never published before it exists.
 */
final class Directories {
    private static final Logger log = LoggerFactory.getLogger(Directories.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Grid grid;
    private final GridCache cache;
    private final Path journalDir;
    private final Duration window;
    private final ScheduledExecutorService timer;
    private final Map<String, Pending> pending = new HashMap<>(); // by storage index
    private final java.util.Set<String> unbornCaps = new java.util.HashSet<>(); // write caps of directories not yet on the grid
    private final Map<String, Object> publishLocks = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean stopped;
    /** Journals for new directories, made ahead with their names durable (after recovery; null before). */
    private volatile FilesMadeAhead journals;

    /** One directory's unpublished edits: name to new entry, or to empty for a removal. */
    private final class Pending {
        final DirectoryCap cap;
        final Map<String, Optional<DirectoryEntry>> edits = new LinkedHashMap<>();
        final Path journal;
        /** The keys of a directory made here and not yet on the grid; its first publish creates it. */
        MutableKeys unborn;
        boolean scheduled;
        String lastError;
        int failures;

        Pending(DirectoryCap cap) {
            this(cap, journalDir.resolve(key(cap) + ".jsonl"));
        }

        /** With a journal of another name: one made ahead for a new directory (lines name their directory). */
        Pending(DirectoryCap cap, Path journal) {
            this.cap = cap;
            this.journal = journal;
        }
    }

    Directories(Grid grid, GridCache cache, Path journalDir, Duration window, ScheduledExecutorService timer)
            throws IOException {
        this.grid = grid;
        this.cache = cache;
        this.journalDir = Files.createDirectories(journalDir);
        this.window = window;
        this.timer = timer;
    }

    static String key(DirectoryCap cap) {
        return cap.storageIndex().map(Object::toString).orElse(cap.uri());
    }

    /**
     * A journal's whole lines. A machine crash can leave the last line cut short (lines are appended, most of
     * them unforced); it was never acknowledged, and is cut off here so that the next line appended does not
     * join it into one unreadable line.
     */
    private static List<String> completeLines(Path journal) throws IOException {
        byte[] bytes = Files.readAllBytes(journal);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end < bytes.length) {
            try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE)) {
                ch.truncate(end);
                ch.force(false);
            }
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).lines().toList();
    }

    /** Picks up the edits a previous run journaled but did not publish ({@link #resume} publishes them). */
    synchronized void recover() throws IOException {
        try (var files = Files.list(journalDir)) {
            for (Path journal : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                List<String> lines = completeLines(journal);
                if (lines.stream().allMatch(String::isBlank)) {
                    Files.delete(journal); // made ahead and never used, or used by a mkdir that never returned
                    continue;
                }
                for (int n = 0; n < lines.size(); n++) {
                    String line = lines.get(n);
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode record;
                    try {
                        record = JSON.readTree(line);
                    } catch (IOException torn) {
                        continue; // a line cut short by the crash was never acknowledged
                    }
                    try {
                        recoverEdit(record, journal);
                    } catch (RuntimeException e) {
                        // Refuse rather than skip: a line dropped here could be a directory's only link to a file.
                        // The line itself holds write caps: it is named by number, never printed.
                        throw new IOException("line " + (n + 1) + " of the journal " + journal
                                + " is not a directory edit (" + e.getClass().getSimpleName() + ")", e);
                    }
                }
            }
        }
    }

    /** Starts publishing what {@link #recover} found, and making journals ahead. */
    synchronized void resume() throws IOException {
        journals = new FilesMadeAhead(journalDir, ".jsonl", true); // first: if it fails, nothing was published
        for (Pending p : pending.values()) {
            schedule(p, Duration.ZERO);
        }
    }

    private void recoverEdit(JsonNode record, Path journal) throws IOException {
        DirectoryCap cap = (DirectoryCap) CapParser.parse(record.get("dir").asText());
        Pending p = pending.computeIfAbsent(key(cap), k -> new Pending(cap, journal));
        if (record.has("create")) {
            p.unborn = unbornKeys(cap, record.get("create").asText(), journal);
            unbornCaps.add(cap.uri());
            return;
        }
        JsonNode entry = record.get("entry");
        String name = record.get("name").asText();
        p.edits.put(name, entry == null || entry.isNull() ? Optional.empty() : Optional.of(
                new DirectoryEntry(name, text(entry, "rw"), text(entry, "ro"), (ObjectNode) entry.get("metadata"))));
    }

    /** Stops making journals ahead and removes those not taken. */
    void close() {
        FilesMadeAhead made = journals;
        if (made != null) {
            made.close();
        }
    }

    /** A journaled new directory's keys: its write cap, and its private key encrypted as shares hold it. */
    private static MutableKeys unbornKeys(DirectoryCap cap, String base64, Path journal) throws IOException {
        try {
            MutableKeys keys = MutableKeys.of(cap);
            keys.unlock(Base64.getDecoder().decode(base64));
            return keys;
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("the journal " + journal + " holds a directory key that cannot be read", e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** The children of a directory as this client sees them. */
    synchronized SortedMap<String, DirectoryEntry> children(DirectoryCap cap) throws IOException {
        // One lock around both: a publish finishing between reading the listing and laying the pending edits
        // over it would otherwise hide the edits it just published.
        SortedMap<String, DirectoryEntry> published = published(cap);
        {
            Pending p = pending.get(key(cap));
            if (p == null || p.edits.isEmpty()) {
                return published;
            }
            SortedMap<String, DirectoryEntry> view = new TreeMap<>(published);
            apply(view, p.edits);
            return view;
        }
    }

    /**
     * One name in a directory as this client sees it, or null: what {@code children(cap).get(name)} gives,
     * without copying the whole listing (path lookups in a large directory with pending edits would).
     */
    synchronized DirectoryEntry entry(DirectoryCap cap, String name) throws IOException {
        Pending p = pending.get(key(cap));
        Optional<DirectoryEntry> edited = p == null ? null : p.edits.get(name);
        if (edited != null) {
            return edited.orElse(null);
        }
        return published(cap).get(name);
    }

    /** What tells links to the same object apart: the read cap, or the write cap where there is none. */
    static String linkKey(DirectoryEntry e) {
        return e.readCap() != null ? e.readCap() : e.writeCap();
    }

    /** The published listing the link counts were last made from, and the counts (by link key). */
    private record LinkCounts(Map<String, DirectoryEntry> of, Map<String, Integer> byKey) {
    }

    private LinkCounts linkCounts = new LinkCounts(Map.of(), Map.of());

    /**
     * How many names in a directory, as this client sees it, link the object with this key. The published
     * listing is counted once (a stat of every name in a directory of 10 000 would otherwise count 10 000
     * times) and the pending edits, few, are laid over the count.
     */
    synchronized int linkCount(DirectoryCap cap, String key) throws IOException {
        SortedMap<String, DirectoryEntry> published = published(cap);
        LinkCounts counts = linkCounts;
        if (counts.of() != published) {
            Map<String, Integer> byKey = new HashMap<>();
            for (DirectoryEntry e : published.values()) {
                String k = linkKey(e);
                if (k != null) {
                    byKey.merge(k, 1, Integer::sum);
                }
            }
            counts = new LinkCounts(published, byKey);
            linkCounts = counts;
        }
        int n = counts.byKey().getOrDefault(key, 0);
        Pending p = pending.get(key(cap));
        if (p != null) {
            for (Map.Entry<String, Optional<DirectoryEntry>> edit : p.edits.entrySet()) {
                DirectoryEntry before = published.get(edit.getKey());
                if (before != null && key.equals(linkKey(before))) {
                    n--;
                }
                if (edit.getValue().isPresent() && key.equals(linkKey(edit.getValue().get()))) {
                    n++;
                }
            }
        }
        return n;
    }

    private SortedMap<String, DirectoryEntry> published(DirectoryCap cap) throws IOException {
        Pending p = pending.get(key(cap));
        if (p != null && p.unborn != null) {
            return Collections.emptySortedMap(); // made here, not on the grid yet: what it holds is in the edits
        }
        Optional<SortedMap<String, DirectoryEntry>> cached = cache.directory(cap);
        if (cached.isPresent()) {
            return cached.get();
        }
        SortedMap<String, DirectoryEntry> fresh = Dirnode.open(grid, cap).list();
        cache.putDirectory(cap, fresh);
        return fresh;
    }

    private static void apply(Map<String, DirectoryEntry> children, Map<String, Optional<DirectoryEntry>> edits) {
        edits.forEach((name, entry) -> {
            if (entry.isPresent()) {
                children.put(name, entry.get());
            } else {
                children.remove(name);
            }
        });
    }

    /**
     * A new, empty directory, writable by this client: its cap now, its creation on the grid with its first
     * publish. When this returns, its key is in the journal on disk.
     */
    DirectoryCap create() throws IOException {
        MutableKeys keys = MutableKeys.create(MutableFormat.SDMF, KeyPool.take()); // may take a while: unlocked
        DirectoryCap cap = new DirectoryCap(keys.writeCap());
        if (stopped) {
            throw new IOException("the filesystem has stopped");
        }
        // A journal of its own, so written and forced without the lock; one made ahead has its name on disk
        // already, else the key's file must be synced into the directory: it must not vanish while a forced
        // link to the directory stays.
        FilesMadeAhead made = journals;
        Optional<Path> ahead = made == null ? Optional.empty() : made.takeMade();
        Pending p = ahead.map(journal -> new Pending(cap, journal)).orElseGet(() -> new Pending(cap));
        p.unborn = keys;
        append(p.journal, cap, keys, Map.of(), ahead.isPresent() ? StandardOpenOption.APPEND
                : StandardOpenOption.CREATE_NEW);
        if (ahead.isEmpty()) {
            syncDirectory(journalDir);
        }
        synchronized (this) {
            if (stopped) {
                throw new IOException("the filesystem has stopped");
            }
            pending.put(key(cap), p);
            unbornCaps.add(cap.uri());
            schedule(p, window);
        }
        return cap;
    }

    /**
     * Records edits to one directory (name to entry, or empty to remove); when
     * this returns they are in the journal on disk and visible to this client.
     */
    void edit(DirectoryCap cap, Map<String, Optional<DirectoryEntry>> edits) throws IOException {
        edit(cap, edits, true);
    }

    /**
     * As {@link #edit(DirectoryCap, Map)}; with {@code force} false the journal line is written but not forced:
     * it survives a crash of this process, not of the machine, until the next forced line of the same journal
     * (a created file's name, and the time its close stamps: the close's staged record is what is forced, and
     * it links the file with that time if these lines are lost).
     */
    void edit(DirectoryCap cap, Map<String, Optional<DirectoryEntry>> edits, boolean force) throws IOException {
        FileChannel written;
        synchronized (this) {
            written = record(cap, edits, force);
        }
        forceAndClose(written);
    }

    /**
     * Changes one entry as a function of what it is now, atomically with
     * respect to every other edit by this client (a relink after an upload and
     * a utimens must not overwrite each other). The function gets null for a
     * missing name and returns null to leave things as they are.
     */
    void update(DirectoryCap cap, String name, java.util.function.UnaryOperator<DirectoryEntry> change)
            throws IOException {
        update(cap, name, change, true);
    }

    /** As {@link #update(DirectoryCap, String, java.util.function.UnaryOperator)}, forced or not as in edit. */
    void update(DirectoryCap cap, String name, java.util.function.UnaryOperator<DirectoryEntry> change,
            boolean force) throws IOException {
        FileChannel written;
        synchronized (this) {
            DirectoryEntry updated = change.apply(entry(cap, name));
            if (updated == null) {
                return;
            }
            written = record(cap, Map.of(name, Optional.of(updated)), force);
        }
        forceAndClose(written);
    }

    /** Makes every line journaled so far for this directory durable (those recorded without force too). */
    void force(DirectoryCap cap) throws IOException {
        FileChannel journal;
        synchronized (this) {
            Pending p = pending.get(key(cap));
            if (p == null) {
                return; // nothing pending: all of it is on the grid
            }
            journal = FileChannel.open(p.journal, StandardOpenOption.WRITE);
        }
        forceAndClose(journal);
    }

    /**
     * Writes the edits to the journal and lays them over this client's view. Call with the lock. Returns the
     * journal still open if it is to be forced, which the caller does outside the lock (edits of other threads,
     * a relink after an upload, a utimens, need not wait for this one's disk). What is forced is the file these
     * lines went into, even if a publish has since replaced it: until that replacement is durable, this file is
     * what a restart finds.
     */
    private FileChannel record(DirectoryCap cap, Map<String, Optional<DirectoryEntry>> edits, boolean force)
            throws IOException {
        if (stopped) {
            throw new IOException("the filesystem has stopped");
        }
        Pending p = pending.computeIfAbsent(key(cap), k -> new Pending(cap));
        FileChannel ch = FileChannel.open(p.journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        try {
            ch.write(ByteBuffer.wrap(lines(cap, null, edits)));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        p.edits.putAll(edits);
        schedule(p, window);
        if (!force) {
            ch.close();
            return null;
        }
        return ch;
    }

    private static void forceAndClose(FileChannel journal) throws IOException {
        if (journal != null) {
            try (journal) {
                journal.force(false); // also forces unforced lines before these
            }
        }
    }

    /** Writes and forces journal lines; {@code mode} says whether to create, append or truncate. */
    private static void append(Path journal, DirectoryCap cap, MutableKeys unborn,
            Map<String, Optional<DirectoryEntry>> edits, StandardOpenOption mode) throws IOException {
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            ch.write(ByteBuffer.wrap(lines(cap, unborn, edits)));
            ch.force(false);
        }
    }

    /** Journal lines: the directory's key first if it is to be created, then the edits. */
    private static byte[] lines(DirectoryCap cap, MutableKeys unborn, Map<String, Optional<DirectoryEntry>> edits)
            throws IOException {
        StringBuilder lines = new StringBuilder();
        if (unborn != null) {
            lines.append(JSON.writeValueAsString(JSON.createObjectNode().put("dir", cap.uri())
                    .put("create", Base64.getEncoder().encodeToString(unborn.encryptedPrivateKey())))).append('\n');
        }
        for (Map.Entry<String, Optional<DirectoryEntry>> e : edits.entrySet()) {
            ObjectNode record = JSON.createObjectNode().put("dir", cap.uri()).put("name", e.getKey());
            if (e.getValue().isPresent()) {
                DirectoryEntry entry = e.getValue().get();
                record.putObject("entry").put("rw", entry.writeCap()).put("ro", entry.readCap())
                        .set("metadata", entry.metadata());
            } else {
                record.putNull("entry");
            }
            lines.append(JSON.writeValueAsString(record)).append('\n');
        }
        return lines.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void schedule(Pending p, Duration delay) {
        if (p.scheduled || stopped) {
            return;
        }
        p.scheduled = true;
        timer.schedule(() -> {
            synchronized (this) {
                p.scheduled = false;
            }
            try {
                publish(p.cap);
            } catch (IOException | RuntimeException e) {
                log.debug("publishing edits of {} failed; will retry: {}", key(p.cap), e.toString());
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Publishes a directory's pending edits now; throws if the grid refused them (they stay pending). */
    void publish(DirectoryCap cap) throws IOException {
        while (!stopped) {
            // On the grid a link never comes before what it links: new directories this one links are created
            // first, with no lock of this one held (publish locks are never held two at a time).
            for (DirectoryCap child : unbornChildren(cap)) {
                try {
                    publish(child);
                } catch (IOException | RuntimeException e) {
                    failed(cap, e); // this directory's edits wait for the child: retried with it
                    throw e;
                }
            }
            // One publish of a directory at a time from this client (the timer's and an fsync's would race).
            synchronized (publishLocks.computeIfAbsent(key(cap), k -> new Object())) {
                if (publishNow(cap)) {
                    return;
                }
            }
        }
    }

    /** The directories not yet on the grid that the pending edits of {@code cap} link. */
    private synchronized List<DirectoryCap> unbornChildren(DirectoryCap cap) {
        List<DirectoryCap> children = new ArrayList<>();
        Pending p = pending.get(key(cap));
        if (p != null) {
            for (Optional<DirectoryEntry> e : p.edits.values()) {
                if (e.isPresent() && e.get().writeCap() != null && unbornCaps.contains(e.get().writeCap())) {
                    children.add((DirectoryCap) CapParser.parse(e.get().writeCap()));
                }
            }
        }
        return children;
    }

    /** As a crash would: from now on nothing is journaled, published or rewritten. */
    void stop() {
        stopped = true;
    }

    /** Publishes what is pending; false, publishing nothing, if it links a directory not yet on the grid. */
    private boolean publishNow(DirectoryCap cap) throws IOException {
        if (stopped) {
            return true;
        }
        Pending p;
        Map<String, Optional<DirectoryEntry>> batch;
        MutableKeys unborn;
        synchronized (this) {
            p = pending.get(key(cap));
            if (p == null || (p.edits.isEmpty() && p.unborn == null)) {
                return true;
            }
            if (!unbornChildren(cap).isEmpty()) {
                return false; // linked since the caller created the new children: round again
            }
            batch = new LinkedHashMap<>(p.edits);
            unborn = p.unborn;
        }
        SortedMap<String, DirectoryEntry> result;
        try {
            result = unborn != null ? createNow(unborn, batch) : Dirnode.open(grid, p.cap).modify(children -> {
                if (stopped) {
                    // A crash stops the process: no write may follow it, nor race the next run's publish.
                    throw new IOException("the filesystem has stopped");
                }
                apply(children, batch);
                return children;
            });
        } catch (IOException | RuntimeException e) {
            failed(cap, e);
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        synchronized (this) {
            if (stopped) {
                return true;
            }
            // Edits made while we published stay pending (and in the journal, rewritten to hold just them).
            batch.forEach((name, entry) -> {
                if (p.edits.get(name) == entry) {
                    p.edits.remove(name);
                }
            });
            p.lastError = null;
            p.failures = 0;
            if (unborn != null) {
                p.unborn = null;
                unbornCaps.remove(p.cap.uri());
            }
            cache.putDirectory(p.cap, result);
            rewriteJournal(p);
            if (p.edits.isEmpty()) {
                pending.remove(key(cap));
            } else {
                schedule(p, window);
            }
        }
        return true;
    }

    /** Notes a failed publish of {@code cap}'s edits and retries it later, backing off. */
    private void failed(DirectoryCap cap, Exception e) {
        synchronized (this) {
            Pending p = pending.get(key(cap));
            if (p == null) {
                return;
            }
            p.lastError = e.getMessage() == null ? e.toString() : e.getMessage();
            p.failures++;
            schedule(p, Duration.ofMillis(Math.min(30_000, 250L << Math.min(7, p.failures))));
        }
        // Lines written unforced (metadata changes) counted on this publish: now that they wait longer, they
        // are made durable while they wait.
        try {
            force(cap);
        } catch (IOException forcing) {
            log.warn("cannot force the journal of {}: {}", key(cap), forcing.toString());
        }
    }

    /** The first publish of a directory made here: its creation, holding the batch. */
    private SortedMap<String, DirectoryEntry> createNow(MutableKeys keys, Map<String, Optional<DirectoryEntry>> batch)
            throws IOException {
        if (stopped) {
            throw new IOException("the filesystem has stopped");
        }
        SortedMap<String, DirectoryEntry> children = new TreeMap<>();
        apply(children, batch);
        try {
            Dirnode.create(grid, keys, children);
        } catch (UncoordinatedWriteException created) {
            // A creation cut short (fewer than k shares placed), or one an earlier run finished without its
            // journal saying so. Until it is known to exist, all the directory holds is in the pending edits,
            // so the next version simply holds them, whatever the servers have.
            if (stopped) {
                throw new IOException("the filesystem has stopped");
            }
            Dirnode.replace(grid, keys, children);
        }
        return children;
    }

    /** Replaces the journal with one holding just what is still pending, atomically. */
    private void rewriteJournal(Pending p) {
        try {
            if (p.edits.isEmpty() && p.unborn == null) {
                Files.deleteIfExists(p.journal);
                if (!p.journal.getFileName().toString().equals(key(p.cap) + ".jsonl")) {
                    // A journal made ahead: a later one of this directory has another name, so this one coming
                    // back after a crash (with the directory's creation in it) must not be possible.
                    syncDirectory(journalDir);
                }
                return;
            }
            Path fresh = p.journal.resolveSibling(p.journal.getFileName() + ".new");
            append(fresh, p.cap, p.unborn, p.edits, StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(fresh, p.journal, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(journalDir); // lines later forced into the new file must not go with an undone rename
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Publishes every directory's pending edits. */
    void publishAll() throws IOException {
        List<DirectoryCap> caps;
        synchronized (this) {
            caps = new ArrayList<>();
            pending.values().forEach(p -> caps.add(p.cap));
        }
        IOException first = null;
        for (DirectoryCap cap : caps) {
            try {
                publish(cap);
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    synchronized int pendingCount() {
        return pending.size();
    }

    synchronized Map<String, String> errors() {
        Map<String, String> errors = new TreeMap<>();
        pending.forEach((k, p) -> {
            if (p.lastError != null) {
                errors.put(k, p.lastError);
            }
        });
        return Collections.unmodifiableMap(errors);
    }
}
