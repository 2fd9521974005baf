package org.lafsfs.vfs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.lafsfs.cache.GridCache;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.immutable.KeyAhead;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.MutableWriteCap;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.dirnode.LinkMetadata;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.mutable.Mode;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.core.mutable.SignedPrefix;

/**
 * The VFS over a Tahoe grid: every POSIX decision is made here (see
 * docs/semantics.md), once, for every frontend. Namespace operations are
 * serialized by one lock and work on the local view of directories
 * ({@link Directories}); file data lives in {@link OpenFile}s while open and
 * goes through {@link Uploads} when closed.
 */
public final class LafsVfs implements Vfs {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LafsVfs.class);
    private static final LiteralCap EMPTY = new LiteralCap(new byte[0]);

    private final Grid grid;
    private final DirectoryCap root;
    private final VfsConfig config;
    /** How often a close waiting for its upload looks at the upload's pace. */
    private static final long UPLOAD_LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private final GridCache cache;
    private final Directories directories;
    private final Uploads uploads;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    private final Path filesDir;
    private FilesMadeAhead spoolFiles; // after the strays of a previous run are gone
    private final Map<String, OpenFile> openFiles = new HashMap<>();
    /** For tests: runs in a last close between the handle's release and the file's staging. */
    volatile Runnable beforeStaging = () -> { };

    private LafsVfs(Grid grid, DirectoryCap root, VfsConfig config) throws IOException {
        this.cache = new GridCache(config.cache());
        this.grid = grid.withServermaps(cache);
        this.root = root;
        this.config = config;
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("lafsfs-vfs-timer"));
        this.workers = Executors.newFixedThreadPool(2, daemon("lafsfs-vfs-upload"));
        // No thread starts before a task is given to these pools: a constructor that throws leaves none.
        Path spool = Files.createDirectories(config.spoolDir());
        this.filesDir = Files.createDirectories(spool.resolve("files"));
        this.directories = new Directories(this.grid, cache, spool.resolve("edits"), config.editWindow(), timer);
        this.uploads = new Uploads(this.grid, directories, config.convergenceSecret(), spool.resolve("uploads"),
                workers, timer);
    }

    /**
     * Opens the grid directory {@code root} as a filesystem. Uploads and
     * directory edits that a previous run left pending in the spool are
     * resumed first.
     */
    public static LafsVfs open(Grid grid, DirectoryCap root, VfsConfig config) throws VfsException {
        LafsVfs vfs;
        try {
            vfs = new LafsVfs(grid, root, config);
        } catch (IOException | RuntimeException e) {
            throw unusableSpool(config, e);
        }
        try {
            vfs.directories.recover();
            vfs.uploads.recover();
            vfs.removeStraySpools();
            vfs.spoolFiles = new FilesMadeAhead(vfs.filesDir, ".data", false);
            // Only now that all of the spool has been read does anything go to the grid.
            vfs.directories.resume();
            vfs.uploads.resume();
            // The caches' hit and miss counts, for anyone tuning dir-cache-time and sizes.
            vfs.timer.scheduleAtFixedRate(() -> log.info("{}", vfs.cache.summary()), 5, 5, TimeUnit.MINUTES);
            return vfs;
        } catch (IOException | RuntimeException e) {
            // Nothing recovered so far may be published or uploaded half-way: the spool stays as it was found.
            VfsException refused = unusableSpool(config, e);
            try {
                vfs.abandon();
            } catch (RuntimeException also) {
                refused.addSuppressed(also);
            }
            throw refused;
        }
    }

    private static VfsException unusableSpool(VfsConfig config, Exception e) {
        return new VfsException(Errno.EIO, "cannot open the spool in " + config.spoolDir() + ": " + e, e);
    }

    /** Spool files of files that were open (never closed) when the last run stopped. */
    private void removeStraySpools() throws IOException {
        java.util.Set<Path> inUse = uploads.spoolsInUse();
        try (var files = Files.list(filesDir)) {
            for (Path f : files.toList()) {
                if (!inUse.contains(f.toAbsolutePath())) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    // ---- paths ----

    /** A name resolved: its directory, its name there, and its entry (null for the root or a missing name). */
    private record Node(DirectoryCap parent, String name, DirectoryEntry entry, boolean parentNoWrite) {
        boolean exists() {
            return parent == null || entry != null;
        }
    }

    private static List<String> names(String path) throws VfsException {
        if (path == null || !path.startsWith("/")) {
            throw new VfsException(Errno.EINVAL, "'" + path + "' is not an absolute path");
        }
        List<String> names = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!names.isEmpty()) {
                    names.remove(names.size() - 1);
                }
                continue;
            }
            if (part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
                throw new VfsException(Errno.ENAMETOOLONG, "a name in '" + path + "' is longer than 255 bytes");
            }
            try {
                names.add(DirectoryEntry.normalizeName(part));
            } catch (IllegalArgumentException e) {
                throw new VfsException(Errno.EINVAL, e.getMessage());
            }
        }
        return names;
    }

    private SortedMap<String, DirectoryEntry> children(DirectoryCap dir) throws VfsException {
        try {
            return directories.children(dir);
        } catch (VfsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new VfsException(Errno.EIO, "cannot read directory: " + e.getMessage(), e);
        }
    }

    private DirectoryEntry entry(DirectoryCap dir, String name) throws VfsException {
        try {
            return directories.entry(dir, name);
        } catch (IOException | RuntimeException e) {
            throw new VfsException(Errno.EIO, "cannot read directory: " + e.getMessage(), e);
        }
    }

    private DirectoryCap directory(List<String> names, String path) throws VfsException {
        return walk(names, path).dir();
    }

    /** A directory reached by a path, and whether its own link forbids writing in it ({@code no-write}). */
    private record Walked(DirectoryCap dir, boolean noWrite) {
    }

    private Walked walk(List<String> names, String path) throws VfsException {
        DirectoryCap dir = root;
        boolean noWrite = false;
        for (String name : names) {
            DirectoryEntry entry = entry(dir, name);
            if (entry == null) {
                throw new VfsException(Errno.ENOENT, "no such file or directory: " + path);
            }
            if (!(capOf(entry) instanceof DirectoryCap next)) {
                throw new VfsException(Errno.ENOTDIR, "not a directory: '" + name + "' in " + path);
            }
            dir = next;
            noWrite = entry.metadata().path("no-write").asBoolean(false);
        }
        return new Walked(dir, noWrite);
    }

    private Node node(String path) throws VfsException {
        List<String> names = names(path);
        if (names.isEmpty()) {
            return new Node(null, "", null, false);
        }
        Walked parent = walk(names.subList(0, names.size() - 1), path);
        String name = names.get(names.size() - 1);
        return new Node(parent.dir(), name, entry(parent.dir(), name), parent.noWrite());
    }

    private Node existing(String path) throws VfsException {
        Node n = node(path);
        if (!n.exists()) {
            throw new VfsException(Errno.ENOENT, "no such file or directory: " + path);
        }
        return n;
    }

    private static Cap capOf(DirectoryEntry entry) throws VfsException {
        try {
            return entry.cap().orElseThrow(() -> new VfsException(Errno.EIO, "'" + entry.name() + "' has no cap"));
        } catch (IllegalArgumentException e) {
            throw new VfsException(Errno.EIO, "'" + entry.name() + "' holds a cap lafsfs cannot use: "
                    + e.getMessage());
        }
    }

    private Cap capOf(Node n) throws VfsException {
        return n.parent() == null ? root : capOf(n.entry());
    }

    private boolean isDirectory(Node n) throws VfsException {
        return capOf(n) instanceof DirectoryCap;
    }

    /** The directory may be edited through this cap; otherwise EROFS (a read-only mount) or EACCES. */
    private void requireWritable(DirectoryCap dir, String path) throws VfsException {
        if (!dir.isMutable() || dir.isReadOnly()) {
            throw new VfsException(root.isReadOnly() ? Errno.EROFS : Errno.EACCES,
                    (root.isReadOnly() ? "the filesystem is mounted read-only" : "a read-only directory") + ": "
                            + path);
        }
    }

    /** As {@link #requireWritable(DirectoryCap, String)}, and the directory's link must not say {@code no-write}. */
    private void requireWritable(Node n, String path) throws VfsException {
        requireWritable(n.parent(), path);
        if (n.parentNoWrite()) {
            throw new VfsException(Errno.EACCES, "permission denied (the directory is read-only): " + path);
        }
    }

    private static String location(DirectoryCap dir, String name) {
        return Uploads.location(dir, name);
    }

    // ---- attributes ----

    @Override
    public FileAttributes stat(String path) throws VfsException {
        Node n;
        synchronized (this) {
            n = existing(path);
        }
        return attributes(n);
    }

    @Override
    public Optional<String> readCap(String path) throws VfsException {
        Node n;
        synchronized (this) {
            n = existing(path);
        }
        Cap cap = n.parent() == null ? root : capOf(n.entry());
        return cap.readOnly().map(Cap::uri);
    }

    private FileAttributes attributes(Node n) throws VfsException {
        if (n.parent() == null) {
            boolean writable = root.isMutable() && !root.isReadOnly();
            return new FileAttributes(FileAttributes.Kind.DIRECTORY, 0, Instant.EPOCH, Instant.EPOCH,
                    writable ? 0755 : 0555, root.isMutable());
        }
        Cap cap = capOf(n.entry());
        JsonNode meta = n.entry().metadata();
        Instant modified = time(meta, "mtime", "linkmotime");
        Instant created = time(meta, "ctime-never", "linkcrtime");
        boolean parentWritable = n.parent().isMutable() && !n.parent().isReadOnly();
        boolean noWrite = meta.path("no-write").asBoolean(false);
        if (cap instanceof DirectoryCap dir) {
            boolean writable = dir.isMutable() && !dir.isReadOnly() && !noWrite;
            return new FileAttributes(FileAttributes.Kind.DIRECTORY, 0, modified, created, writable ? 0755 : 0555,
                    dir.isMutable());
        }
        boolean writable = parentWritable && !noWrite && (!cap.isMutable() || !cap.isReadOnly());
        return new FileAttributes(FileAttributes.Kind.FILE, size(n, cap), modified, created,
                writable ? 0644 : 0444, cap.isMutable(), links(n));
    }

    /** How many names in the file's directory link the same object (1 for literal caps: equal is not linked). */
    private int links(Node n) throws VfsException {
        String key = Directories.linkKey(n.entry());
        if (key == null || key.startsWith("URI:LIT:")) {
            return 1; // every empty (or equal tiny) file has the same literal cap
        }
        try {
            return Math.max(1, directories.linkCount(n.parent(), key));
        } catch (IOException | RuntimeException e) {
            throw new VfsException(Errno.EIO, "cannot read directory: " + e.getMessage(), e);
        }
    }

    private static Instant time(JsonNode meta, String key, String tahoeKey) {
        JsonNode value = meta.get(key);
        if (value == null || !value.isNumber()) {
            value = meta.path("tahoe").get(tahoeKey);
        }
        if (value == null || !value.isNumber()) {
            return Instant.EPOCH;
        }
        double seconds = value.asDouble();
        return Instant.ofEpochSecond((long) Math.floor(seconds), (long) ((seconds - Math.floor(seconds)) * 1e9));
    }

    private long size(Node n, Cap cap) throws VfsException {
        OpenFile open;
        Optional<Uploads.Staged> staged;
        synchronized (this) {
            open = openFiles.get(location(n.parent(), n.name()));
            staged = uploads.at(n.parent(), n.name());
            if (open == null && staged.isEmpty()) {
                // The entry was read before taking this lock: a close and its upload may have linked new
                // contents since (an upload links before it stops being staged), so size what is linked now.
                DirectoryEntry now = entry(n.parent(), n.name());
                if (now != null) {
                    cap = capOf(now);
                }
            }
        }
        if (open != null) {
            return open.size();
        }
        if (staged.isPresent()) {
            return staged.get().size;
        }
        if (cap instanceof LiteralCap lit) {
            return lit.size();
        }
        if (cap instanceof ChkCap chk) {
            return chk.size();
        }
        if (cap.isMutable()) {
            var si = cap.storageIndex().orElseThrow();
            var known = cache.mutableSize(si);
            if (known.isPresent()) {
                return known.getAsLong();
            }
            try {
                long size = new MutableFileNode(grid, cap).servermap(Mode.READ).newestRecoverable()
                        .map(SignedPrefix::dataLength).orElse(0L);
                cache.putMutableSize(si, size);
                return size;
            } catch (RuntimeException e) {
                throw new VfsException(Errno.EIO, "cannot learn the size of " + n.name() + ": " + e.getMessage(), e);
            }
        }
        return 0;
    }

    @Override
    public List<DirectoryListing> readdir(String path) throws VfsException {
        DirectoryCap dir;
        SortedMap<String, DirectoryEntry> children;
        synchronized (this) {
            Node n = existing(path);
            if (!(capOf(n) instanceof DirectoryCap d)) {
                throw new VfsException(Errno.ENOTDIR, "not a directory: " + path);
            }
            dir = d;
            children = children(dir);
        }
        List<DirectoryListing> listing = new ArrayList<>();
        for (DirectoryEntry e : children.values()) {
            listing.add(new DirectoryListing(e.name(), attributes(new Node(dir, e.name(), e, false))));
        }
        return listing;
    }

    // ---- namespace ----

    private void edit(DirectoryCap dir, Map<String, Optional<DirectoryEntry>> edits) throws VfsException {
        edit(dir, edits, true);
    }

    /** A directory edit, forced to disk before it returns or not (see {@link Directories#edit}). */
    private void edit(DirectoryCap dir, Map<String, Optional<DirectoryEntry>> edits, boolean force)
            throws VfsException {
        try {
            directories.edit(dir, edits, force);
        } catch (IOException e) {
            throw new VfsException(Errno.EIO, "cannot record a directory edit in the spool: " + e.getMessage(), e);
        }
    }

    private static ObjectNode freshLink(DirectoryEntry replaced) {
        return LinkMetadata.update(replaced == null ? null : replaced.metadata(), null, LinkMetadata.now());
    }

    @Override
    public synchronized void mkdir(String path) throws VfsException {
        Node n = node(path);
        if (n.exists()) {
            throw new VfsException(Errno.EEXIST, "already exists: " + path);
        }
        requireWritable(n, path);
        DirectoryCap created;
        try {
            created = directories.create(); // on the grid with its first publish, before its parent's
        } catch (IOException e) {
            throw new VfsException(Errno.EIO, "cannot create directory " + path + ": " + e.getMessage(), e);
        }
        edit(n.parent(), Map.of(n.name(), Optional.of(DirectoryEntry.of(n.name(), created, freshLink(null)))));
    }

    @Override
    public synchronized void rmdir(String path) throws VfsException {
        Node n = existing(path);
        if (n.parent() == null) {
            throw new VfsException(Errno.EINVAL, "cannot remove the root directory");
        }
        if (!(capOf(n) instanceof DirectoryCap dir)) {
            throw new VfsException(Errno.ENOTDIR, "not a directory: " + path);
        }
        requireWritable(n, path);
        if (!children(dir).isEmpty()) {
            throw new VfsException(Errno.ENOTEMPTY, "directory not empty: " + path);
        }
        edit(n.parent(), Map.of(n.name(), Optional.empty()));
    }

    @Override
    public synchronized void unlink(String path) throws VfsException {
        awaitClosed(path);
        if (forgetUnlinkedUpload(path)) {
            return;
        }
        Node n = existing(path);
        if (n.parent() == null || isDirectory(n)) {
            throw new VfsException(Errno.EISDIR, "is a directory: " + path);
        }
        requireWritable(n, path);
        // First stop a staged upload of it from linking it again (an upload links under the Uploads lock).
        uploads.forget(n.parent(), n.name());
        edit(n.parent(), Map.of(n.name(), Optional.empty()));
        OpenFile open = openFiles.remove(location(n.parent(), n.name()));
        if (open != null) {
            open.unlinked = true; // its handles keep working; nothing is published when they close
        }
    }

    /**
     * A name made with {@link OpenOption#LINK_WHEN_UPLOADED} whose upload has not linked it yet exists only as
     * that staged upload: unlinking it cancels the upload (else it would be linked later, after its name was
     * deleted). Returns whether that was the case.
     */
    private boolean forgetUnlinkedUpload(String path) throws VfsException {
        Node n = node(path);
        if (n.exists() || n.parent() == null || uploads.at(n.parent(), n.name()).isEmpty()) {
            return false;
        }
        uploads.forget(n.parent(), n.name());
        return true;
    }

    /** The same for a rename: the staged upload links under the new name instead. */
    private boolean moveUnlinkedUpload(String from, String to) throws VfsException {
        Node src = node(from);
        if (src.exists() || src.parent() == null || uploads.at(src.parent(), src.name()).isEmpty()) {
            return false;
        }
        Node dst = node(to);
        if (dst.parent() == null || dst.exists() && isDirectory(dst)) {
            throw new VfsException(Errno.EISDIR, "is a directory: " + to);
        }
        requireWritable(dst, to);
        try {
            uploads.forget(dst.parent(), dst.name());
            uploads.moved(src.parent(), src.name(), dst.parent(), dst.name());
        } catch (java.io.IOException e) {
            throw new VfsException(Errno.EIO, "cannot record the rename of " + from + ": " + e.getMessage(), e);
        }
        return true;
    }

    @Override
    public synchronized void rename(String from, String to) throws VfsException {
        awaitClosed(from, to);
        if (moveUnlinkedUpload(from, to)) {
            return;
        }
        Node src = existing(from);
        if (src.parent() == null) {
            throw new VfsException(Errno.EINVAL, "cannot rename the root directory");
        }
        List<String> fromNames = names(from);
        List<String> toNames = names(to);
        if (toNames.isEmpty()) {
            throw new VfsException(Errno.EINVAL, "cannot rename onto the root directory");
        }
        boolean srcDir = isDirectory(src);
        if (srcDir && toNames.size() > fromNames.size() && toNames.subList(0, fromNames.size()).equals(fromNames)) {
            throw new VfsException(Errno.EINVAL, "cannot move a directory into itself: " + from + " -> " + to);
        }
        Node dst = node(to);
        requireWritable(src, from);
        requireWritable(dst, to);
        if (dst.exists()) {
            if (dst.entry() == src.entry() || src.parent().equals(dst.parent()) && src.name().equals(dst.name())) {
                return;
            }
            boolean dstDir = isDirectory(dst);
            if (srcDir && !dstDir) {
                throw new VfsException(Errno.ENOTDIR, "not a directory: " + to);
            }
            if (!srcDir && dstDir) {
                throw new VfsException(Errno.EISDIR, "is a directory: " + to);
            }
            if (dstDir && !children((DirectoryCap) capOf(dst)).isEmpty()) {
                throw new VfsException(Errno.ENOTEMPTY, "directory not empty: " + to);
            }
        }
        // A staged upload of the source now links under the new name; one of the target is dropped. Done
        // first, so an upload finishing meanwhile is either already in the entry read below or goes to the new name.
        try {
            uploads.forget(dst.parent(), dst.name());
            uploads.moved(src.parent(), src.name(), dst.parent(), dst.name());
        } catch (IOException e) {
            throw new VfsException(Errno.EIO, "cannot record the rename in the spool: " + e.getMessage(), e);
        }
        src = existing(from);
        DirectoryEntry moved = new DirectoryEntry(dst.name(), src.entry().writeCap(), src.entry().readCap(),
                src.entry().metadata());
        if (Directories.key(src.parent()).equals(Directories.key(dst.parent()))) {
            Map<String, Optional<DirectoryEntry>> both = new LinkedHashMap<>();
            both.put(src.name(), Optional.empty());
            both.put(dst.name(), Optional.of(moved));
            edit(src.parent(), both); // one edit, so other clients see it atomically too
        } else {
            edit(dst.parent(), Map.of(dst.name(), Optional.of(moved)));
            try {
                // On the grid, the new name must exist before the old one goes: never neither.
                directories.publish(dst.parent());
            } catch (IOException e) {
                // Still pending and journaled; the old name goes only once the new one is published below.
                throw new VfsException(Errno.EIO, "cannot publish the rename of " + from + ": " + e.getMessage(), e);
            }
            edit(src.parent(), Map.of(src.name(), Optional.empty()));
        }
        OpenFile open = openFiles.remove(location(src.parent(), src.name()));
        if (open != null) {
            open.dir = dst.parent();
            open.name = dst.name();
            OpenFile replaced = openFiles.put(location(dst.parent(), dst.name()), open);
            if (replaced != null) {
                replaced.unlinked = true;
            }
        } else {
            OpenFile replaced = openFiles.remove(location(dst.parent(), dst.name()));
            if (replaced != null) {
                replaced.unlinked = true;
            }
        }
    }

    @Override
    public synchronized void link(String existing, String newPath) throws VfsException {
        awaitClosed(existing);
        Node src = existing(existing);
        if (src.parent() == null || isDirectory(src)) {
            throw new VfsException(Errno.EPERM, "directories cannot be hard-linked: " + existing);
        }
        Node dst = node(newPath);
        if (dst.exists()) {
            throw new VfsException(Errno.EEXIST, "already exists: " + newPath);
        }
        requireWritable(dst, newPath);
        edit(dst.parent(), Map.of(dst.name(), Optional.of(new DirectoryEntry(dst.name(), src.entry().writeCap(),
                src.entry().readCap(), freshLink(null)))));
    }

    private synchronized void setMetadata(String path, java.util.function.Consumer<ObjectNode> change)
            throws VfsException {
        Node n = existing(path);
        if (n.parent() == null) {
            throw new VfsException(Errno.EPERM, "the root directory has no link to hold metadata");
        }
        requireWritable(n, path);
        update(n.parent(), n.name(), entry -> {
            if (entry == null) {
                return null;
            }
            ObjectNode meta = entry.metadata().deepCopy();
            change.accept(meta);
            if (meta.equals(entry.metadata())) {
                return null; // nothing changes (tar's chmod of a file to the mode it has): nothing to journal
            }
            return entry.withMetadata(meta); // only the metadata: a relink racing with us keeps its new cap
        }, false); // not forced: published within the edit window (or forced if that fails), see semantics.md
    }

    private void update(DirectoryCap dir, String name, java.util.function.UnaryOperator<DirectoryEntry> change)
            throws VfsException {
        update(dir, name, change, true);
    }

    private void update(DirectoryCap dir, String name, java.util.function.UnaryOperator<DirectoryEntry> change,
            boolean force) throws VfsException {
        try {
            directories.update(dir, name, change, force);
        } catch (IOException e) {
            throw new VfsException(Errno.EIO, "cannot record a directory edit in the spool: " + e.getMessage(), e);
        }
    }

    @Override
    public void setModified(String path, Instant modified) throws VfsException {
        setMetadata(path, meta -> meta.put("mtime", modified.getEpochSecond() + modified.getNano() / 1e9));
    }

    @Override
    public void chmod(String path, int mode) throws VfsException {
        setMetadata(path, meta -> {
            if ((mode & 0200) == 0) {
                meta.put("no-write", true);
            } else {
                meta.remove("no-write");
            }
        });
    }

    @Override
    public void symlink(String target, String linkPath) throws VfsException {
        throw new VfsException(Errno.EPERM, "Tahoe directories cannot hold symbolic links: " + linkPath);
    }

    @Override
    public void chown(String path, int uid, int gid) throws VfsException {
        throw new VfsException(Errno.EPERM, "Tahoe records no owners: " + path);
    }

    @Override
    public void mknod(String path, int mode) throws VfsException {
        throw new VfsException(Errno.EPERM, "Tahoe directories cannot hold device files or pipes: " + path);
    }

    @Override
    public void fsyncDirectory(String path) throws VfsException {
        DirectoryCap dir;
        synchronized (this) {
            Node n = existing(path);
            if (!(capOf(n) instanceof DirectoryCap d)) {
                throw new VfsException(Errno.ENOTDIR, "not a directory: " + path);
            }
            dir = d;
        }
        try {
            directories.publish(dir);
        } catch (IOException e) {
            throw new VfsException(Errno.EIO, "cannot publish " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public FileSystemStats statfs() throws VfsException {
        long available = 0;
        // Asked all at once, briefly: df must not wait on a server that is gone.
        List<java.util.concurrent.CompletableFuture<org.lafsfs.core.storage.ServerVersion>> asks = new ArrayList<>();
        for (GridServer s : grid.servers()) {
            asks.add(s.storage().version());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (var ask : asks) {
            try {
                available += ask.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                        .availableSpace();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VfsException(Errno.EIO, "interrupted");
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // an unreachable server offers no space
            }
        }
        // What a file can use: every byte is stored N/k times.
        long usable = available / grid.params().total() * grid.params().needed();
        return new FileSystemStats(usable, usable, usable, 4096, 0);
    }

    // ---- files ----

    @Override
    public FileHandle open(String path, Set<OpenOption> options) throws VfsException {
        boolean write = options.contains(OpenOption.WRITE) || options.contains(OpenOption.APPEND)
                || options.contains(OpenOption.TRUNCATE);
        while (true) {
            FileHandle handle = tryOpen(path, options, write);
            if (handle != null) {
                return handle;
            }
        }
    }

    /** One attempt at {@link #open}: null if the file began closing meanwhile (then it is tried again). */
    private FileHandle tryOpen(String path, Set<OpenOption> options, boolean write) throws VfsException {
        Optional<Uploads.Staged> busy;
        synchronized (this) {
            Node n = node(path);
            while (closing(n)) {
                waitForStaging(path);
                n = node(path);
            }
            busy = n.exists() && n.parent() != null && !openFiles.containsKey(location(n.parent(), n.name()))
                    ? uploads.at(n.parent(), n.name()) : Optional.empty();
        }
        // A file still on its way to the grid is opened once it is there (its contents are then the base).
        FileContent staged = null;
        if (busy.isPresent()) {
            try {
                busy.get().done.join();
            } catch (CompletionException failed) {
                // Not on the grid yet (it is retried): what this client wrote is in the staged spool, and that is
                // what it must read, not the placeholder still linked. Its failure is reported by flush and fsync.
                if (busy.get().kind != Uploads.Kind.MUTABLE_UPDATE) {
                    try {
                        staged = FileContent.ofSpool(busy.get().spool);
                    } catch (IOException e) {
                        throw new VfsException(Errno.EIO, "the staged contents of " + path + " are unreadable: "
                                + e.getMessage(), e);
                    }
                }
            }
        }
        synchronized (this) {
            Node n = node(path);
            if (closing(n)) {
                return null; // its last handle closed since the look above: its staged upload is the base now
            }
            OpenFile file;
            if (!n.exists()) {
                if (!options.contains(OpenOption.CREATE)) {
                    throw new VfsException(Errno.ENOENT, "no such file or directory: " + path);
                }
                requireWritable(n, path);
                if (!options.contains(OpenOption.LINK_WHEN_UPLOADED)) {
                    // The empty file exists at once, as creat(2) promises; on disk, durable with its close (whose
                    // staged record links it), as a never-closed file need not be.
                    edit(n.parent(), Map.of(n.name(), Optional.of(DirectoryEntry.of(n.name(), EMPTY,
                            freshLink(null)))), false);
                }
                file = new OpenFile(this::newSpool, this::keyAhead, n.parent(), n.name(), null, null);
                file.markChanged();
                openFiles.put(location(n.parent(), n.name()), file);
            } else {
                if (options.contains(OpenOption.CREATE) && options.contains(OpenOption.EXCLUSIVE)) {
                    throw new VfsException(Errno.EEXIST, "already exists: " + path);
                }
                if (isDirectory(n)) {
                    throw new VfsException(Errno.EISDIR, "is a directory: " + path);
                }
                if (write) {
                    requireWritable(n, path);
                    if (!attributes(n).writable()) {
                        throw new VfsException(Errno.EACCES, "permission denied (read-only file): " + path);
                    }
                }
                file = openFiles.get(location(n.parent(), n.name()));
                if (file == null) {
                    Cap cap = capOf(n.entry());
                    file = new OpenFile(this::newSpool, this::keyAhead, n.parent(), n.name(),
                            staged != null ? busy.get().base : cap, staged != null ? staged : content(cap, path));
                    openFiles.put(location(n.parent(), n.name()), file);
                }
            }
            file.handles++;
            Handle handle = new Handle(file, path, write, options.contains(OpenOption.APPEND));
            if (options.contains(OpenOption.TRUNCATE)) {
                handle.truncate(0);
            }
            return handle;
        }
    }

    private FileContent content(Cap cap, String path) throws VfsException {
        try {
            return FileContent.of(grid, cache, cap);
        } catch (VfsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new VfsException(Errno.EIO, "cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private Path newSpool() {
        return spoolFiles.take();
    }

    /** Hashes a spool file's convergent key while it is written, where uploads are convergent. */
    private KeyAhead keyAhead(Path spool) {
        byte[] secret = config.convergenceSecret();
        return secret == null ? null : new KeyAhead(spool, grid.params(), secret);
    }

    @Override
    public void truncate(String path, long size) throws VfsException {
        if (size < 0) {
            throw new VfsException(Errno.EINVAL, "negative size: " + size);
        }
        try (FileHandle h = open(path, Set.of(OpenOption.WRITE))) {
            h.truncate(size);
        }
    }

    /** One open(2) of a file. */
    private final class Handle implements FileHandle {
        private final OpenFile file;
        private final String path;
        private final boolean writable;
        private final boolean append;
        private boolean closed;

        Handle(OpenFile file, String path, boolean writable, boolean append) {
            this.file = file;
            this.path = path;
            this.writable = writable;
            this.append = append;
        }

        private void requireWritable() throws VfsException {
            requireOpen();
            if (!writable) {
                throw new VfsException(Errno.EBADF, "the file was opened for reading only: " + path);
            }
        }

        private void requireOpen() throws VfsException {
            if (closed) {
                throw new VfsException(Errno.EBADF, "the file handle is closed: " + path);
            }
        }

        @Override
        public int read(long offset, byte[] buffer, int at, int length) throws VfsException {
            requireOpen();
            try {
                return file.read(offset, buffer, at, length);
            } catch (IOException | RuntimeException e) {
                throw new VfsException(Errno.EIO, "cannot read " + path + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void write(long offset, byte[] buffer, int at, int length) throws VfsException {
            requireWritable();
            if (offset < 0) {
                throw new VfsException(Errno.EINVAL, "negative offset");
            }
            try {
                synchronized (file) {
                    file.write(append ? file.size() : offset, buffer, at, length);
                }
            } catch (IOException e) {
                throw new VfsException(e.getMessage() != null && e.getMessage().contains("No space")
                        ? Errno.ENOSPC : Errno.EIO, "cannot write " + path + " to the spool: " + e.getMessage(), e);
            }
        }

        @Override
        public void truncate(long size) throws VfsException {
            requireWritable();
            if (size < 0) {
                throw new VfsException(Errno.EINVAL, "negative size: " + size);
            }
            try {
                file.truncate(size);
            } catch (IOException e) {
                throw new VfsException(Errno.EIO, "cannot truncate " + path + ": " + e.getMessage(), e);
            }
        }

        @Override
        public long size() throws VfsException {
            requireOpen();
            return file.size();
        }

        @Override
        public void flush() throws VfsException {
            requireOpen();
            Optional<Uploads.Staged> staged;
            synchronized (LafsVfs.this) {
                staged = uploads.at(file.dir, file.name);
            }
            if (staged.isPresent() && staged.get().error != null) {
                throw new VfsException(Errno.EIO, "the last upload of " + path + " failed (it is kept and retried): "
                        + staged.get().error);
            }
        }

        @Override
        public void fsync() throws VfsException {
            requireOpen();
            synchronized (LafsVfs.this) {
                if (!file.unlinked && file.changed()) {
                    touch(file);
                }
            }
            synchronized (file) {
                if (file.unlinked) {
                    return;
                }
                if (file.changed()) {
                    Cap cap = publish(file, path, null);
                    file.rebase(cap, content(cap, path));
                }
            }
            flush();
            try {
                directories.publish(file.dir);
            } catch (IOException e) {
                throw new VfsException(Errno.EIO, "cannot publish the directory of " + path + ": " + e.getMessage(),
                        e);
            }
        }

        /**
         * Marks this handle closed; returns whether it was the file's last (which is then no longer open). With
         * {@code stamp}, the last close of a changed file stamps its modification time in the same step.
         */
        private boolean release(boolean stamp) throws VfsException {
            closed = true;
            synchronized (LafsVfs.this) {
                boolean last = --file.handles == 0;
                if (last) {
                    if (stamp && !file.unlinked && file.changed()) {
                        try {
                            touch(file);
                        } catch (VfsException e) {
                            openFiles.remove(location(file.dir, file.name), file);
                            throw e;
                        }
                        file.closing = true; // listed until staged: see closed()
                    } else {
                        openFiles.remove(location(file.dir, file.name), file);
                    }
                }
                return last;
            }
        }

        @Override
        public void close() throws VfsException {
            if (closed || !release(true)) {
                return;
            }
            Uploads.Staged staged;
            try {
                beforeStaging.run();
                synchronized (file) {
                    if (file.unlinked || !file.changed()) {
                        discard(file);
                        return;
                    }
                    staged = stage(file, path, isWriteBack(config.closeWait()));
                }
            } finally {
                closed(file);
            }
            await(staged, path, config.closeWait());
        }

        @Override
        public void abort() throws VfsException {
            if (!closed && release(false)) {
                synchronized (file) {
                    discard(file); // nothing staged, nothing linked: the name keeps what it had
                }
            }
        }
    }

    /**
     * New contents change the file's modification time now, when it is closed
     * (or fsynced), not when its upload later finishes. Call with the VFS lock.
     */
    private void touch(OpenFile file) throws VfsException {
        // A new file's stamp is not forced: its staged record, forced, links it with the close's time if this
        // line is lost. An existing file keeps its entry, so its new time must be forced here.
        update(file.dir, file.name, entry -> {
            if (entry == null) {
                return null;
            }
            ObjectNode meta = LinkMetadata.update(entry.metadata(), null, LinkMetadata.now());
            meta.remove("mtime");
            return entry.withMetadata(meta);
        }, file.baseCap != null);
    }

    private void discard(OpenFile file) {
        try {
            file.closeSpool();
            if (file.spoolPath != null) {
                Files.deleteIfExists(file.spoolPath);
            }
        } catch (IOException ignored) {
            // a stray spool file is removed with the spool; nothing refers to it
        }
    }

    /**
     * Stages a changed file for upload and waits for it: fully ({@code wait}
     * null), for at most {@code wait}, or not at all (zero: write-back); an
     * upload the recent pace says will outlast {@code wait} is waited for only
     * until its shares are placed. Returns the new cap if the upload finished,
     * else null.
     */
    private Cap publish(OpenFile file, String path, java.time.Duration wait) throws VfsException {
        return await(stage(file, path, isWriteBack(wait)), path, wait);
    }

    /** A close that does not wait at all: its staged file must be durable before it returns. */
    private static boolean isWriteBack(java.time.Duration wait) {
        return wait != null && wait.isZero();
    }

    /**
     * A closing file is staged: its upload now stands for it (in {@code stat}, {@code open}, renames), so it
     * leaves the open files and whoever waits in {@link #awaitClosed} goes on.
     */
    private synchronized void closed(OpenFile file) {
        if (file.closing) {
            file.closing = false;
            openFiles.remove(location(file.dir, file.name), file);
            notifyAll();
        }
    }

    /**
     * Waits, giving up the VFS lock, while the file at {@code path} is between its last close and its staged
     * upload. Through FUSE a close(2) returns before the kernel's release reaches us, so a stat, open or rename
     * right after it must not see the name's old contents. Call with the VFS lock; a path that does not resolve
     * is left to the caller's own checks.
     */
    private void awaitClosed(String... paths) throws VfsException {
        while (closingAt(paths)) {
            waitForStaging(String.join(", ", paths));
        }
    }

    /** Gives up the VFS lock until a closing file is staged (see {@link #closed}). Call with the lock. */
    private void waitForStaging(String what) throws VfsException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VfsException(Errno.EIO, "interrupted while " + what + " was being closed");
        }
    }

    private boolean closingAt(String... paths) {
        for (String path : paths) {
            try {
                if (closing(node(path))) {
                    return true;
                }
            } catch (VfsException e) {
                // not a name that resolves: nothing there is closing
            }
        }
        return false;
    }

    private boolean closing(Node n) {
        OpenFile file = n.parent() == null ? null : openFiles.get(location(n.parent(), n.name()));
        return file != null && file.closing;
    }

    /** Stages the file; {@code secure}: durably at once (else see {@link #await}). */
    private Uploads.Staged stage(OpenFile file, String path, boolean secure) throws VfsException {
        Uploads.Kind kind;
        MutableFormat format = null;
        if (file.baseCap instanceof MutableWriteCap w) {
            kind = w.format() == MutableFormat.MDMF && file.baseIntact() ? Uploads.Kind.MUTABLE_UPDATE
                    : Uploads.Kind.MUTABLE_OVERWRITE;
        } else if (file.baseCap == null && config.newFileFormat() != null) {
            kind = Uploads.Kind.MUTABLE_NEW;
            format = config.newFileFormat();
        } else {
            kind = Uploads.Kind.IMMUTABLE;
        }
        Uploads.Staged staged;
        try {
            staged = uploads.stage(file, kind, format, secure);
        } catch (IOException e) {
            throw new VfsException(Errno.EIO, "cannot keep " + path + " in the spool: " + e.getMessage(), e);
        }
        if (file.baseCap != null && file.baseCap.isMutable()) {
            cache.invalidateMutable(file.baseCap.storageIndex().orElseThrow());
        }
        return staged;
    }

    /**
     * Waits for a staged upload as {@link #publish} describes. Unless the upload finished (linked and forced),
     * the staged file is made durable before this returns or throws: what a close that returns leaves behind
     * must survive a crash, and an upload that finishes in time needs no forced record at all.
     */
    private Cap await(Uploads.Staged staged, String path, java.time.Duration wait) throws VfsException {
        Cap cap;
        try {
            cap = awaitStaged(staged, path, wait);
        } catch (VfsException e) {
            try {
                secure(staged, path);
            } catch (VfsException alsoLost) {
                e.addSuppressed(alsoLost);
            }
            throw e;
        }
        if (cap == null) {
            secure(staged, path);
        }
        return cap;
    }

    private void secure(Uploads.Staged staged, String path) throws VfsException {
        boolean interrupted = Thread.interrupted(); // an interrupted close still leaves its file durable
        try {
            uploads.secure(staged);
        } catch (IOException e) {
            throw new VfsException(Errno.EIO, "cannot keep " + path + " in the spool: " + e.getMessage(), e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Cap awaitStaged(Uploads.Staged staged, String path, java.time.Duration wait) throws VfsException {
        try {
            if (wait == null) {
                return staged.done.get();
            }
            if (wait.isZero()) {
                return null;
            }
            if (staged.kind == Uploads.Kind.IMMUTABLE && uploads.pace().outlasts(staged.work(), wait)) {
                // The whole upload would outlast the wait: wait only until the servers have taken the shares
                // (a grid that is down or full says so by then), and leave the rest to the spool.
                CompletableFuture.anyOf(staged.placed, staged.done).get(wait.toMillis(), TimeUnit.MILLISECONDS);
                return staged.done.isDone() ? staged.done.get() : null;
            }
            return awaitUpload(staged, wait);
        } catch (TimeoutException e) {
            return null; // safe in the spool; the outcome shows in status() and at the next fsync
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VfsException(Errno.EIO, "interrupted while uploading " + path);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new VfsException(cause instanceof org.lafsfs.core.immutable.UploadException
                    && String.valueOf(cause.getMessage()).contains("full") ? Errno.ENOSPC : Errno.EIO,
                    "upload of " + path + " failed (kept in the spool and retried): " + cause.getMessage(), cause);
        }
    }

    /**
     * Waits up to {@code wait} for the upload, but not past the moment its own pace shows it cannot finish in
     * time: the recent pace that let the close wait can be wrong (a slower disk now, another upload beside
     * it), and a close that sits out the whole wait only to time out is what a client like WinSCP gives up on.
     */
    private static Cap awaitUpload(Uploads.Staged staged, java.time.Duration wait)
            throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            try {
                return staged.done.get(Math.min(left, UPLOAD_LOOK_NANOS), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (staged.kind == Uploads.Kind.IMMUTABLE && staged.finishesAfter(deadline)) {
                    return null; // placed, safe in the spool, and too slow for the wait
                }
            }
        }
    }

    // ---- whole filesystem ----

    @Override
    public void sync() throws VfsException {
        synchronized (this) {
            while (openFiles.values().stream().anyMatch(f -> f.closing)) {
                waitForStaging("files");
            }
        }
        try {
            uploads.awaitAll();
            directories.publishAll();
        } catch (IOException e) {
            throw new VfsException(Errno.EIO, "sync failed: " + e.getMessage(), e);
        }
    }

    @Override
    public VfsStatus status() {
        // A directory whose edits the grid refused is a failure too (they stay journaled and are retried).
        List<String> failed = new ArrayList<>(uploads.failed());
        directories.errors().forEach((dir, error) -> failed.add("edits of directory " + dir + ": " + error));
        return new VfsStatus(uploads.pending(), failed, directories.pendingCount(), cache.stats());
    }

    @Override
    public void close() throws VfsException {
        try {
            sync();
        } finally {
            log.info("closing; {}", cache.summary());
            timer.shutdownNow();
            workers.shutdownNow();
            spoolFiles.close();
            directories.close();
            closeStagingLog();
        }
    }

    /** Stops at once, publishing and uploading nothing that is pending, as a crash would (for tests). */
    public void abandon() {
        uploads.stop();
        directories.stop();
        timer.shutdownNow();
        workers.shutdownNow();
        try {
            // Publishes run on the timer: one still retrying must not land after the next run has started.
            timer.awaitTermination(10, TimeUnit.SECONDS);
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (spoolFiles != null) { // null when opening failed before the spool was ready
            spoolFiles.close();
        }
        directories.close();
        closeStagingLog();
    }

    private void closeStagingLog() {
        try {
            uploads.close();
        } catch (IOException e) {
            log.warn("closing the staging log: {}", e.toString());
        }
    }

    /** Whether what closes left staged is all forced to disk (for tests). */
    boolean stagedFilesDurable() {
        return uploads.allSecured();
    }

    /** The root directory's cap. */
    public DirectoryCap root() {
        return root;
    }
}
