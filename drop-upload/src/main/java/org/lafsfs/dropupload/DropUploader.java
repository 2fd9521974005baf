package org.lafsfs.dropupload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.lafsfs.dropupload.UploadedFiles.Entry;
import org.lafsfs.vfs.Errno;
import org.lafsfs.vfs.FileHandle;
import org.lafsfs.vfs.OpenOption;
import org.lafsfs.vfs.Vfs;
import org.lafsfs.vfs.VfsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local folder mirrored into a grid directory through the VFS: new and
 * changed files are uploaded once they have been quiet for a moment, new
 * folders become grid directories, deletions and renames follow. What was
 * uploaded is remembered ({@link UploadedFiles}), so a restart uploads what
 * changed meanwhile and nothing else. A file appears in the grid directory
 * only once its upload is complete ({@link OpenOption#LINK_WHEN_UPLOADED});
 * an existing mutable file there is updated in place (the VFS does that for
 * any file it opens with a mutable cap).
 *
 * <p>One coordinator thread decides what is ready; up to
 * {@link DropUploadConfig#parallelUploads()} workers carry it out. A failure
 * is kept by file name, retried with back-off, and shown in {@link #status()}.
 */
public final class DropUploader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DropUploader.class);
    private static final String ARCHIVES = "Archives";
    private static final DateTimeFormatter ARCHIVE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** What the uploader is doing: counts, and every failing file by name with its reason. */
    public record Status(Path localDir, int waiting, int uploading, long uploaded, long unchanged, long renamed,
            long deleted, Map<String, String> failed, Instant lastScan) {
    }

    private final Vfs vfs;
    private final DropUploadConfig config;
    private final Path root;
    private final UploadedFiles state;
    private final ExecutorService workers;
    private final Thread coordinator;
    private final FolderWatcher watcher;

    /** Paths to look at, with the earliest time (System.nanoTime) they may be looked at. */
    private final Map<String, Long> dirty = new ConcurrentHashMap<>();
    /** Deletions waiting for their renames' other halves (see waitsForItsRename). */
    private final Set<String> waitingDeletions = ConcurrentHashMap.newKeySet();
    /** When each dirty path was first seen changing, so a file that never settles is uploaded anyway. */
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, String> failed = new ConcurrentHashMap<>();
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
    private final Map<String, Object> directoryLocks = new ConcurrentHashMap<>();
    private final AtomicLong uploaded = new AtomicLong();
    private final AtomicLong unchanged = new AtomicLong();
    private final AtomicLong renamed = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private volatile boolean rescanRequested = true; // the first scan finds what changed while stopped
    /** A scan under way: what it finds is not dirty yet, so the uploader is not idle (set before the request clears). */
    private volatile boolean scanning;
    private volatile Instant lastScan;
    private volatile boolean running = true;

    private DropUploader(Vfs vfs, DropUploadConfig config, UploadedFiles state) throws IOException {
        this.vfs = vfs;
        this.config = config;
        this.root = config.localDir().toAbsolutePath().normalize();
        this.state = state;
        this.workers = Executors.newFixedThreadPool(config.parallelUploads(), r -> {
            Thread t = new Thread(r, "lafsfs-drop-upload");
            t.setDaemon(true);
            return t;
        });
        this.watcher = new FolderWatcher(root, this::changed, () -> rescanRequested = true);
        this.coordinator = new Thread(this::coordinate, "lafsfs-drop-upload-coordinator");
        coordinator.setDaemon(true);
    }

    /** Starts mirroring {@code config.localDir()} into the root of {@code vfs}. */
    public static DropUploader start(Vfs vfs, DropUploadConfig config) throws IOException {
        if (!Files.isDirectory(config.localDir())) {
            throw new IllegalArgumentException("the folder to upload from, " + config.localDir()
                    + ", is not a directory");
        }
        DropUploader uploader = new DropUploader(vfs, config, UploadedFiles.load(config.stateFile()));
        uploader.coordinator.start();
        return uploader;
    }

    private void changed(String path) {
        long now = System.nanoTime();
        firstSeen.putIfAbsent(path, now);
        dirty.put(path, now + config.settle().toNanos());
    }

    // ---------------------------------------------------------------- deciding what to do

    private void coordinate() {
        long nextRescan = System.nanoTime() + config.rescanInterval().toNanos();
        long lastSave = System.nanoTime();
        while (running) {
            try {
                long now = System.nanoTime();
                if (rescanRequested || now >= nextRescan) {
                    scanning = true;
                    rescanRequested = false;
                    nextRescan = now + config.rescanInterval().toNanos();
                    try {
                        scan();
                    } finally {
                        scanning = false;
                    }
                }
                List<String> ready = ready(now);
                if (ready.isEmpty()) {
                    if (now - lastSave > TimeUnit.SECONDS.toNanos(1)) {
                        state.save();
                        lastSave = now;
                    }
                    Thread.sleep(Math.max(10, Math.min(100, config.settle().toMillis() / 4)));
                    continue;
                }
                runBatch(ready);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                log.warn("drop-upload of {}: {}", root, e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private List<String> ready(long now) {
        List<String> ready = new ArrayList<>();
        long maxDelay = config.maxDelay().toNanos();
        dirty.forEach((path, notBefore) -> {
            Long first = firstSeen.get(path);
            boolean retrying = attempts.containsKey(path);
            if (!inFlight.contains(path)
                    && (now >= notBefore || !retrying && first != null && now - first >= maxDelay)) {
                ready.add(path);
            }
        });
        return ready;
    }

    /**
     * Carries out one batch: first everything that exists (parents before children, so that directories are
     * made first), then deletions, so that a file renamed locally is found under its new name, with the same
     * contents, while its old name is still remembered: it is renamed on the grid, not uploaded again.
     */
    private void runBatch(List<String> ready) throws InterruptedException {
        List<String> present = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        for (String path : ready) {
            (Files.exists(root.resolve(path), LinkOption.NOFOLLOW_LINKS) ? present : gone).add(path);
        }
        // Deletions that wait still make renames possible: their files' contents may be here under new names.
        waitingDeletions.removeAll(present); // there again under their old names
        boolean renamesPossible = !gone.isEmpty() || !waitingDeletions.isEmpty();
        gone.removeIf(this::waitsForItsRename);
        waitingDeletions.removeAll(gone);
        present.sort((a, b) -> Long.compare(depth(a), depth(b)));
        runAll(present, path -> reconcile(path, renamesPossible));
        runAll(gone, path -> reconcile(path, false));
    }

    /**
     * A local rename is seen as a deletion and, a moment later, a creation, whose settling times may fall on
     * either side of a batch. A deletion therefore waits while anything else is still settling, so that both
     * halves meet in one batch and the file is renamed on the grid rather than deleted and uploaded again; it
     * waits no longer than {@code maxDelay} from its first notification.
     */
    private boolean waitsForItsRename(String path) {
        long now = System.nanoTime();
        Long first = firstSeen.get(path);
        if (first == null || now - first >= config.maxDelay().toNanos()) {
            return false;
        }
        long settled = now;
        for (Map.Entry<String, Long> e : dirty.entrySet()) {
            if (!e.getKey().equals(path)) {
                settled = Math.max(settled, e.getValue());
            }
        }
        if (settled <= now) {
            return false;
        }
        dirty.merge(path, settled, Math::max); // a newer notification of it meanwhile keeps its own time
        waitingDeletions.add(path);
        return true;
    }

    @FunctionalInterface
    private interface Work {
        void on(String path) throws IOException;
    }

    private void runAll(List<String> paths, Work work) throws InterruptedException {
        List<Future<?>> running = new ArrayList<>();
        for (String path : paths) {
            dirty.remove(path);
            inFlight.add(path);
            running.add(workers.submit(() -> {
                if (!this.running) {
                    inFlight.remove(path);
                    dirty.putIfAbsent(path, System.nanoTime()); // looked at again at the next start
                    return;
                }
                try {
                    work.on(path);
                    firstSeen.remove(path);
                    attempts.remove(path);
                    failed.remove(path);
                } catch (NameNotAllowed e) {
                    firstSeen.remove(path);
                    failed.put(path, e.getMessage()); // not retried: only a new name can fix it
                    log.warn("drop-upload: {}: {}", path, e.getMessage());
                } catch (IOException | RuntimeException e) {
                    int attempt = attempts.merge(path, 1, Integer::sum);
                    long backoff = Math.min(60_000, 500L << Math.min(7, attempt));
                    failed.put(path, e.getMessage() == null ? e.toString() : e.getMessage());
                    dirty.putIfAbsent(path, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff));
                    log.warn("drop-upload: {} failed (attempt {}, retried in {} ms): {}", path, attempt, backoff,
                            failed.get(path));
                } finally {
                    inFlight.remove(path);
                }
            }));
        }
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                log.warn("drop-upload worker: {}", e.getCause().toString());
            }
        }
    }

    /** Compares the whole folder with what was uploaded; whatever differs is looked at again. */
    private void scan() throws IOException {
        Set<String> remembered = state.paths();
        boolean[] anything = {false};
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                if (!d.equals(root)) {
                    look(d, a);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                look(f, a);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) {
                // unreadable or gone while we looked: what it held is not taken for deleted
                String path = relative(f);
                remembered.removeIf(p -> p.equals(path) || p.startsWith(path + "/"));
                failed.put(path, "cannot be read: " + e.getMessage());
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            private void look(Path p, BasicFileAttributes a) {
                anything[0] = true;
                String path = relative(p);
                remembered.remove(path);
                Optional<Entry> known = state.get(path);
                boolean same = known.isPresent() && (a.isDirectory() ? known.get().directory()
                        : a.isRegularFile() && !known.get().directory() && known.get().size() == a.size()
                                && known.get().modifiedMillis() == a.lastModifiedTime().toMillis());
                if (!same && !failed.containsKey(path) && (a.isDirectory() || a.isRegularFile())) {
                    dirty.putIfAbsent(path, System.nanoTime());
                }
            }
        });
        if (!anything[0] && !remembered.isEmpty() && lastScan == null) {
            // An empty folder at start, where files were uploaded before, is more often an unmounted disk
            // than a deliberate deletion of everything: nothing is deleted on the grid for it.
            failed.put("", "the folder is empty at start although " + remembered.size() + " uploaded paths"
                    + " were in it; nothing is deleted on the grid (if it is meant, delete them there)");
        } else {
            remembered.forEach(path -> dirty.putIfAbsent(path, System.nanoTime())); // deleted meanwhile
        }
        lastScan = Instant.now();
    }

    // ---------------------------------------------------------------- doing it

    private void reconcile(String path, boolean renamesPossible) throws IOException {
        Path local = root.resolve(path);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(local, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            delete(path, false);
            return;
        }
        requireGridName(path);
        if (!a.isDirectory() && state.get(path).filter(Entry::directory).isPresent()) {
            delete(path, true); // a folder became a file: the old one goes first (the other way: ensureDirectory)
        }
        if (a.isDirectory()) {
            ensureDirectory(path);
        } else if (a.isRegularFile()) {
            uploadFile(path, a, renamesPossible);
        } else {
            throw new NameNotAllowed("not a regular file or directory (symlinks and devices are not uploaded)");
        }
    }

    private void uploadFile(String path, BasicFileAttributes a, boolean renamesPossible) throws IOException {
        Optional<Entry> known = state.get(path);
        long mtime = a.lastModifiedTime().toMillis();
        if (known.isPresent() && !known.get().directory() && known.get().size() == a.size()
                && known.get().modifiedMillis() == mtime) {
            unchanged.incrementAndGet();
            return;
        }
        Path local = root.resolve(path);
        if (known.isPresent() && !known.get().directory() || renamesPossible) {
            String sha = sha256(local);
            if (known.isPresent() && sha.equals(known.get().sha256())) {
                state.put(path, new Entry(false, a.size(), mtime, sha, known.get().cap())); // touched only
                unchanged.incrementAndGet();
                return;
            }
            if (renamedFrom(path, sha, a, mtime)) {
                return;
            }
        }
        ensureParents(path);
        String sha;
        try {
            sha = copy(local, "/" + path);
        } catch (VfsException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
            // A folder we made was removed from the grid by someone else: make it again.
            for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
                String ancestor = path.substring(0, slash);
                if (state.get(ancestor).filter(Entry::directory).isPresent()) {
                    state.remove(ancestor);
                }
            }
            ensureParents(path);
            sha = copy(local, "/" + path);
        }
        BasicFileAttributes after = Files.readAttributes(local, BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        if (after.size() != a.size() || after.lastModifiedTime().toMillis() != mtime) {
            changed(path); // written to while we read it: what we uploaded is replaced once it is quiet
        }
        state.put(path, new Entry(false, a.size(), mtime, sha, linkedCap(path)));
        uploaded.incrementAndGet();
    }

    /** A file with the contents of one whose name is gone locally was renamed: rename it on the grid too. */
    private boolean renamedFrom(String path, String sha, BasicFileAttributes a, long mtime) throws IOException {
        for (String old : state.withHash(sha)) {
            if (old.equals(path) || inFlight.contains(old)
                    || Files.exists(root.resolve(old), LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            ensureParents(path);
            try {
                vfs.rename("/" + old, "/" + path);
            } catch (VfsException e) {
                if (e.errno() == Errno.ENOENT) {
                    continue; // not on the grid after all: upload it
                }
                throw e;
            }
            state.remove(old);
            dirty.remove(old);
            waitingDeletions.remove(old);
            firstSeen.remove(old);
            state.put(path, new Entry(false, a.size(), mtime, sha, linkedCap(path)));
            renamed.incrementAndGet();
            return true;
        }
        return false;
    }

    /** Copies the local file into the grid file, hashing what it reads; returns the hash of what was copied. */
    private String copy(Path local, String vfsPath) throws IOException {
        MessageDigest digest = sha256();
        FileHandle out = vfs.open(vfsPath, EnumSet.of(OpenOption.CREATE, OpenOption.WRITE, OpenOption.TRUNCATE,
                OpenOption.LINK_WHEN_UPLOADED));
        try (InputStream in = Files.newInputStream(local)) {
            byte[] buffer = new byte[1 << 20];
            long at = 0;
            int n;
            while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                digest.update(buffer, 0, n);
                out.write(at, buffer, 0, n);
                at += n;
            }
        } catch (IOException | RuntimeException e) {
            try {
                out.abort(); // half a copy must not become the file
            } catch (VfsException ignored) {
                // the first failure is the one to report
            }
            throw e;
        }
        out.close(); // returns once uploaded (or safe in the VFS spool); a failed upload throws here
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The read cap the name links now, if the VFS can tell (an upload still on its way has none yet). */
    private String linkedCap(String path) {
        try {
            return vfs.readCap("/" + path).orElse(null);
        } catch (VfsException e) {
            return null;
        }
    }

    private void ensureParents(String path) throws IOException {
        int slash = path.lastIndexOf('/');
        if (slash > 0) {
            ensureDirectory(path.substring(0, slash));
        }
    }

    private void ensureDirectory(String path) throws IOException {
        if (state.get(path).filter(Entry::directory).isPresent()) {
            return;
        }
        ensureParents(path);
        synchronized (directoryLocks.computeIfAbsent(path, p -> new Object())) {
            if (state.get(path).filter(Entry::directory).isPresent()) {
                return;
            }
            if (state.get(path).isPresent()) {
                // A file we uploaded stands where the folder is now: it goes first, once, under this lock
                // (the folder and the files in it may all be on their way at the same moment).
                delete(path, true);
            }
            try {
                vfs.mkdir("/" + path);
            } catch (VfsException e) {
                if (e.errno() != Errno.EEXIST || !vfs.stat("/" + path).isDirectory()) {
                    throw e;
                }
            }
            state.put(path, Entry.ofDirectory(linkedCap(path)));
        }
    }

    /** A path gone locally: unlinked on the grid (its whole subtree, for a folder), or moved into Archives/. */
    /** @param replaced the path is still there locally, as the other kind (file or folder) */
    private void delete(String path, boolean replaced) throws IOException {
        for (int slash = path.lastIndexOf('/'); slash > 0 && !replaced;
                slash = path.lastIndexOf('/', slash - 1)) {
            String ancestor = path.substring(0, slash);
            if (state.get(ancestor).filter(Entry::directory).isPresent()
                    && !Files.exists(root.resolve(ancestor), LinkOption.NOFOLLOW_LINKS)) {
                return; // the folder it was in is gone too: its deletion takes the whole subtree, once
            }
        }
        List<String> below = state.subtree(path);
        if (below.isEmpty()) {
            if (attempts.containsKey(path)) {
                // Its upload failed here but may still be retried by the VFS: cancel it.
                try {
                    vfs.unlink("/" + path);
                } catch (VfsException e) {
                    if (e.errno() != Errno.ENOENT && e.errno() != Errno.EISDIR) {
                        throw e;
                    }
                }
                attempts.remove(path);
                failed.remove(path);
            }
            return; // never uploaded
        }
        if (config.archiveDeletions()) {
            String archived = ARCHIVES + "/" + path + "~" + ARCHIVE_TIME.format(Instant.now());
            makeGridDirectories(archived.substring(0, archived.lastIndexOf('/')));
            try {
                vfs.rename("/" + path, "/" + archived);
            } catch (VfsException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
        } else {
            for (String p : below) {
                try {
                    if (state.get(p).map(Entry::directory).orElse(false)) {
                        vfs.rmdir("/" + p);
                    } else {
                        vfs.unlink("/" + p);
                    }
                } catch (VfsException e) {
                    if (e.errno() == Errno.ENOTEMPTY) {
                        log.info("drop-upload: {} is kept on the grid: it holds entries made there by others", p);
                    } else if (e.errno() != Errno.ENOENT) {
                        throw e;
                    }
                }
            }
        }
        below.forEach(state::remove);
        deleted.incrementAndGet();
    }

    /** Makes grid directories without remembering them as uploaded: Archives/ has no local folder. */
    private void makeGridDirectories(String path) throws IOException {
        StringBuilder at = new StringBuilder();
        for (String part : path.split("/")) {
            at.append('/').append(part);
            try {
                vfs.mkdir(at.toString());
            } catch (VfsException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw e;
                }
            }
        }
    }

    /** A name the grid cannot hold exactly is reported, not mangled. */
    private static void requireGridName(String path) {
        if (path.indexOf('\uFFFD') >= 0) {
            throw new NameNotAllowed("the name is not valid in the filesystem's encoding (UTF-8 expected), so it"
                    + " cannot be stored on the grid as it is; rename it");
        }
    }

    /** Failures that retrying cannot fix. */
    private static final class NameNotAllowed extends RuntimeException {
        NameNotAllowed(String message) {
            super(message);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long depth(String path) {
        return path.chars().filter(c -> c == '/').count();
    }

    private String relative(Path p) {
        return root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
    }

    // ---------------------------------------------------------------- watching it

    public Status status() {
        return new Status(root, dirty.size(), inFlight.size(), uploaded.get(), unchanged.get(), renamed.get(),
                deleted.get(), new TreeMap<>(failed), lastScan);
    }

    /**
     * Waits until nothing is waiting or being uploaded (failures aside) and the state is saved; returns
     * whether that happened within {@code limit}. For tests, and for a clean stop.
     */
    public boolean awaitIdle(Duration limit) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            boolean idle = !rescanRequested && !scanning && inFlight.isEmpty()
                    && dirty.keySet().stream().allMatch(attempts::containsKey);
            if (idle) {
                state.save();
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** Stops watching; what is under way finishes, and the state is saved. */
    @Override
    public void close() throws IOException {
        running = false;
        watcher.close();
        coordinator.interrupt();
        try {
            coordinator.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdown(); // what is being copied finishes; what is queued is skipped (see runAll)
        try {
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state.save();
    }
}
