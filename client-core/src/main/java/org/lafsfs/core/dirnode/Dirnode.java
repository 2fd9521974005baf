package org.lafsfs.core.dirnode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.immutable.ChkReader;
import org.lafsfs.core.immutable.ChkUploader;
import org.lafsfs.core.immutable.UploadSource;
import org.lafsfs.core.mutable.MutableFileException;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.core.mutable.MutableKeys;
import org.lafsfs.core.mutable.UncoordinatedWriteException;

/**
 * A directory on the grid: a table of named children kept in a mutable file
 * (DIR2, DIR2-MDMF) or an immutable one (DIR2-CHK, DIR2-LIT). Every edit is a
 * function from the old table to the new one, applied read-modify-write and
 * re-applied whenever another writer changed the directory in between, so two
 * writers adding different names both succeed and neither loses the other's.
 */
public final class Dirnode {
    private final Grid grid;
    private final DirectoryCap cap;
    private final MutableFileNode file; // null for immutable directories

    private Dirnode(Grid grid, DirectoryCap cap) {
        this.grid = grid;
        this.cap = cap;
        this.file = cap.isMutable() ? new MutableFileNode(grid, cap.fileCap()) : null;
    }

    /** Opens the directory a cap names. */
    public static Dirnode open(Grid grid, Cap cap) {
        if (!(cap instanceof DirectoryCap dir)) {
            throw new IllegalArgumentException(cap.kind() + " is not a directory cap");
        }
        if (dir.isVerifier()) {
            throw new IllegalArgumentException("a verify cap cannot list a directory");
        }
        return new Dirnode(grid, dir);
    }

    /** Creates a new, empty mutable directory. */
    public static Dirnode create(Grid grid, MutableFormat format) throws MutableFileException {
        return create(grid, format, Map.of());
    }

    /** Creates a new mutable directory holding {@code children}. */
    public static Dirnode create(Grid grid, MutableFormat format, Map<String, DirectoryEntry> children)
            throws MutableFileException {
        if (children.isEmpty()) {
            return new Dirnode(grid, new DirectoryCap(MutableFileNode.create(grid, format, new byte[0]).writeCap()));
        }
        // The children's write caps are encrypted with the new file's writekey, which exists only once the file does.
        MutableFileNode node = MutableFileNode.create(grid, format, new byte[0]);
        Dirnode dir = new Dirnode(grid, new DirectoryCap(node.writeCap()));
        node.overwrite(DirnodeContents.pack(children.values(), dir.cap));
        return dir;
    }

    /**
     * Creates the directory of keys made earlier (the VFS hands out a new directory's cap before it exists on
     * the grid), holding {@code children}, in one publish. Throws {@link UncoordinatedWriteException} if it
     * exists already.
     */
    public static Dirnode create(Grid grid, MutableKeys keys, Map<String, DirectoryEntry> children)
            throws MutableFileException, UncoordinatedWriteException {
        DirectoryCap cap = new DirectoryCap(keys.writeCap());
        MutableFileNode.create(grid, keys, DirnodeContents.pack(children.values(), cap));
        return new Dirnode(grid, cap);
    }

    /**
     * Makes the directory of keys made earlier hold exactly {@code children}, over whatever an interrupted
     * {@link #create(Grid, MutableKeys, Map)} left on the servers (see {@link MutableFileNode#replace}).
     */
    public static Dirnode replace(Grid grid, MutableKeys keys, Map<String, DirectoryEntry> children)
            throws MutableFileException, UncoordinatedWriteException {
        DirectoryCap cap = new DirectoryCap(keys.writeCap());
        MutableFileNode.replace(grid, keys, DirnodeContents.pack(children.values(), cap));
        return new Dirnode(grid, cap);
    }

    /**
     * Creates an immutable directory (DIR2-LIT when its packed table is 55
     * bytes or less, DIR2-CHK otherwise). Its children must be immutable too,
     * all the way down (Tahoe's deep-immutable rule).
     */
    public static Dirnode createImmutable(Grid grid, Map<String, DirectoryEntry> children, byte[] convergenceSecret)
            throws IOException {
        byte[] packed = DirnodeContents.pack(children.values(), null, true);
        Cap file = new ChkUploader(grid.servers(), grid.params(), convergenceSecret, grid.secrets())
                .upload(UploadSource.of(packed)).cap();
        return new Dirnode(grid, new DirectoryCap(file));
    }

    public DirectoryCap cap() {
        return cap;
    }

    public boolean isMutable() {
        return file != null;
    }

    public boolean isReadOnly() {
        return cap.isReadOnly();
    }

    /** The children, by name. */
    public SortedMap<String, DirectoryEntry> list() throws IOException {
        return DirnodeContents.unpack(contents(), cap);
    }

    public Optional<DirectoryEntry> get(String name) throws IOException {
        return Optional.ofNullable(list().get(DirectoryEntry.normalizeName(name)));
    }

    private byte[] contents() throws IOException {
        if (file != null) {
            return file.read();
        }
        Cap fileCap = cap.fileCap();
        if (fileCap instanceof LiteralCap lit) {
            return lit.data();
        }
        return ChkReader.on(grid, (ChkCap) fileCap).readAll();
    }

    /**
     * Applies {@code edit} to the children and publishes the result, re-reading
     * and re-applying it after an uncoordinated write. The edit may be called
     * more than once and must decide from the table it is given.
     */
    public SortedMap<String, DirectoryEntry> modify(Edit edit) throws IOException {
        requireWritable();
        try {
            byte[] result = file.modify(old -> {
                try {
                    SortedMap<String, DirectoryEntry> children = DirnodeContents.unpack(old, cap);
                    SortedMap<String, DirectoryEntry> changed = edit.apply(new TreeMap<>(children));
                    return changed == null ? old : DirnodeContents.pack(changed.values(), cap);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return DirnodeContents.unpack(result, cap);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** A change to a directory's table; returns the new table, or null for "no change". */
    @FunctionalInterface
    public interface Edit {
        SortedMap<String, DirectoryEntry> apply(SortedMap<String, DirectoryEntry> children) throws IOException;
    }

    /**
     * Links {@code child} under {@code name}, with Tahoe's link metadata
     * (linkcrtime kept from an existing link of the name, linkmotime now).
     *
     * @param metadata user metadata to set, or null to keep what the name has
     * @throws ExistingChildException if the name exists and {@code overwrite} is false
     */
    public void link(String name, Cap child, ObjectNode metadata, boolean overwrite) throws IOException {
        String key = checkName(name);
        modify(children -> {
            DirectoryEntry old = children.get(key);
            if (old != null && !overwrite) {
                // On a retry the name may hold our own link from the attempt that raced: that is success.
                if (sameChild(old, child)) {
                    return null;
                }
                throw new ExistingChildException("\"" + key + "\" already exists in this directory");
            }
            ObjectNode meta = LinkMetadata.update(old == null ? null : old.metadata(), metadata, LinkMetadata.now());
            children.put(key, DirectoryEntry.of(key, child, meta));
            return children;
        });
    }

    /** Links many children in one publish (what a batch of creates should cost). */
    public void linkAll(Map<String, Cap> newChildren, boolean overwrite) throws IOException {
        modify(children -> {
            double now = LinkMetadata.now();
            for (Map.Entry<String, Cap> e : newChildren.entrySet()) {
                String key = checkName(e.getKey());
                DirectoryEntry old = children.get(key);
                if (old != null && !overwrite && !sameChild(old, e.getValue())) {
                    throw new ExistingChildException("\"" + key + "\" already exists in this directory");
                }
                children.put(key, DirectoryEntry.of(key, e.getValue(),
                        LinkMetadata.update(old == null ? null : old.metadata(), null, now)));
            }
            return children;
        });
    }

    /**
     * Unlinks {@code name}. Absent on the first attempt, it is an error; absent
     * on a retry after an uncoordinated write, it is our own earlier attempt
     * that removed it, and the remove has succeeded (Tahoe #550).
     */
    public DirectoryEntry unlink(String name) throws IOException {
        String key = DirectoryEntry.normalizeName(name);
        DirectoryEntry[] removed = new DirectoryEntry[1];
        boolean[] attempted = new boolean[1];
        modify(children -> {
            DirectoryEntry old = children.remove(key);
            if (old == null) {
                if (!attempted[0]) {
                    throw new NoSuchChildException("no \"" + key + "\" in this directory");
                }
                return null;
            }
            attempted[0] = true;
            removed[0] = old;
            return children;
        });
        return removed[0];
    }

    /** Creates an empty mutable subdirectory and links it; returns it. */
    public Dirnode createSubdirectory(String name, MutableFormat format) throws IOException {
        requireWritable();
        checkName(name);
        Dirnode child = create(grid, format);
        link(name, child.cap(), null, false);
        return child;
    }

    /**
     * Moves {@code from} to {@code to} in {@code target} (which may be this
     * directory). Within one directory this is one atomic edit; between two it
     * links in the target first, then unlinks here, so a failure in between
     * leaves the child in both places, never in neither.
     */
    public void move(String from, Dirnode target, String to, boolean overwrite) throws IOException {
        String source = DirectoryEntry.normalizeName(from);
        String dest = target.checkName(to);
        if (target.cap.equals(cap) || target.cap.uri().equals(cap.uri())) {
            modify(children -> {
                DirectoryEntry entry = children.get(source);
                if (entry == null) {
                    DirectoryEntry there = children.get(dest);
                    if (there != null && !source.equals(dest)) {
                        return null; // a retry: our own earlier attempt already moved it
                    }
                    throw new NoSuchChildException("no \"" + source + "\" in this directory");
                }
                if (source.equals(dest)) {
                    return null;
                }
                if (children.containsKey(dest) && !overwrite) {
                    throw new ExistingChildException("\"" + dest + "\" already exists in this directory");
                }
                children.remove(source);
                children.put(dest, new DirectoryEntry(dest, entry.writeCap(), entry.readCap(), LinkMetadata.update(
                        children.containsKey(dest) ? children.get(dest).metadata() : entry.metadata(), null,
                        LinkMetadata.now())));
                return children;
            });
            return;
        }
        DirectoryEntry entry = get(source).orElseThrow(
                () -> new NoSuchChildException("no \"" + source + "\" in this directory"));
        target.requireWritable();
        target.modify(children -> {
            DirectoryEntry old = children.get(dest);
            if (old != null && !overwrite && !sameCaps(old, entry)) {
                throw new ExistingChildException("\"" + dest + "\" already exists in the target directory");
            }
            children.put(dest, new DirectoryEntry(dest, entry.writeCap(), entry.readCap(),
                    LinkMetadata.update(entry.metadata(), null, LinkMetadata.now())));
            return children;
        });
        modify(children -> children.remove(source) == null ? null : children);
    }

    private static boolean sameChild(DirectoryEntry entry, Cap cap) {
        DirectoryEntry wanted = DirectoryEntry.of(entry.name(), cap, null);
        return sameCaps(entry, wanted);
    }

    private static boolean sameCaps(DirectoryEntry a, DirectoryEntry b) {
        return java.util.Objects.equals(a.writeCap(), b.writeCap()) && java.util.Objects.equals(a.readCap(),
                b.readCap());
    }

    private String checkName(String name) {
        String key = DirectoryEntry.normalizeName(name);
        if (key.isEmpty() || key.contains("/")) {
            throw new IllegalArgumentException("\"" + name + "\" is not a usable name (empty, or contains '/')");
        }
        return key;
    }

    private void requireWritable() throws IOException {
        if (file == null) {
            throw new IOException("an immutable directory cannot be changed");
        }
        if (cap.isReadOnly()) {
            throw new IOException("this is a read-only directory cap: the directory cannot be changed through it");
        }
    }
}
