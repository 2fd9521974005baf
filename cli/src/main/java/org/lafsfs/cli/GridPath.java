package org.lafsfs.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.UnknownCap;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.dirnode.ExistingChildException;
import org.lafsfs.core.dirnode.NoSuchChildException;
import org.lafsfs.core.grid.Grid;

/**
 * A place on the grid, written the way Tahoe's command line writes it, and
 * the walk from its root to what it names. The forms (Tahoe's get_alias):
 * <ul>
 * <li>{@code ALIAS:[SUBDIRS/]NAME}, relative to a directory in private/aliases;
 * <li>{@code [SUBDIRS/]NAME}, relative to the default alias {@code tahoe:}
 *     (also when the part before the first colon holds a slash, as in {@code dir/a:b});
 * <li>{@code DIRCAP/[SUBDIRS/]NAME} or {@code DIRCAP:./[SUBDIRS/]NAME}, relative to a directory cap;
 * <li>a bare cap, naming that file or directory itself.
 * </ul>
 * A leading slash after the alias means its root ({@code tahoe:/} is {@code tahoe:});
 * a trailing slash is remembered, since {@code mv} and {@code ln} give it meaning;
 * an empty component in between ({@code a//b}) is refused, as Tahoe refuses it.
 */
final class GridPath {
    private final String text;
    private final String rootLabel;
    private final boolean capRoot;
    private final Cap root;
    private final String rawPath;
    private final List<String> segments;

    private GridPath(String text, String rootLabel, boolean capRoot, Cap root, String rawPath) {
        this.text = text;
        this.rootLabel = rootLabel;
        this.capRoot = capRoot;
        this.root = root;
        this.rawPath = rawPath;
        this.segments = split(rawPath, text);
        if (!segments.isEmpty() && !(root instanceof DirectoryCap)) {
            throw new IllegalArgumentException("'" + text + "': URI:" + root.kind()
                    + " is not a directory, so it has no '" + rawPath + "' in it");
        }
    }

    /**
     * Parses a path.
     *
     * @throws IllegalArgumentException for an unknown alias, a malformed cap, or an empty path component
     */
    static GridPath parse(String given, Aliases aliases) {
        String text = given.replaceAll("^ +| +$", "");
        if (text.startsWith("URI:") || text.startsWith("ro.URI:") || text.startsWith("imm.URI:")) {
            int sep = text.indexOf(":./");
            int skip = 3;
            if (sep < 0) {
                sep = text.indexOf('/');
                skip = 1;
            }
            String capText = sep < 0 ? text : text.substring(0, sep);
            Cap cap = Cap.parse(capText);
            if (cap instanceof UnknownCap) {
                throw new IllegalArgumentException("'" + capText + "' is not a cap kind Tahoe-LAFS 1.20 defines");
            }
            if (cap.isVerifier()) {
                throw new IllegalArgumentException("'" + capText + "' is a verify cap: it can check shares, not read");
            }
            return new GridPath(text, capText, true, cap, sep < 0 ? "" : text.substring(sep + skip));
        }
        int colon = text.indexOf(':');
        if (colon < 0 || text.substring(0, colon).contains("/")) {
            return new GridPath(text, Aliases.DEFAULT + ":", false, aliases.directory(Aliases.DEFAULT), text);
        }
        String alias = text.substring(0, colon);
        return new GridPath(text, alias + ":", false, aliases.directory(alias), text.substring(colon + 1));
    }

    private static List<String> split(String path, String text) {
        String trimmed = path.replaceAll("^/+", "");
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        List<String> segments = new ArrayList<>();
        if (trimmed.isEmpty()) {
            return segments;
        }
        for (String s : trimmed.split("/", -1)) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' has an empty path component (//)");
            }
            segments.add(DirectoryEntry.normalizeName(s)); // as Tahoe normalizes child names
        }
        return segments;
    }

    /** The root: the alias's directory cap, or the cap given. */
    Cap root() {
        return root;
    }

    /** True when the path names the root itself (a bare cap, or {@code ALIAS:}). */
    boolean isRoot() {
        return segments.isEmpty();
    }

    /** True when the root is a cap given on the command line rather than an alias. */
    boolean hasCapRoot() {
        return capRoot;
    }

    /** The last component: the name the path gives its object in its parent directory. */
    String name() {
        if (segments.isEmpty()) {
            throw new IllegalStateException("the root has no name");
        }
        return segments.get(segments.size() - 1);
    }

    boolean startsWithSlash() {
        return rawPath.startsWith("/");
    }

    boolean endsWithSlash() {
        return rawPath.endsWith("/");
    }

    /** The same path with {@code name} added below it. */
    GridPath child(String name) {
        String joined = rawPath.isEmpty() || rawPath.endsWith("/") ? rawPath + name : rawPath + "/" + name;
        String prefix = capRoot ? rootLabel + "/" : rootLabel;
        return new GridPath(prefix + joined, rootLabel, capRoot, root, joined);
    }

    /** The path as given. */
    @Override
    public String toString() {
        return text;
    }

    /** The path through its first {@code n} components, for messages. */
    private String label(int n) {
        if (n == 0) {
            return rootLabel;
        }
        return rootLabel + (capRoot ? "/" : "") + String.join("/", segments.subList(0, n));
    }

    /** The directory holding the last component, for messages. */
    String parentLabel() {
        return label(segments.size() - 1);
    }

    /** What a path names: the cap found there and, below the root, the directory entry that links it. */
    record Target(Cap cap, DirectoryEntry entry) {
        boolean isDirectory() {
            return cap instanceof DirectoryCap;
        }
    }

    /**
     * Walks from the root to what the path names.
     *
     * @throws NoSuchChildException if a component does not exist
     * @throws IOException if a component before the last is not a directory, or the grid fails
     */
    Target resolve(Grid grid) throws IOException {
        Cap cap = root;
        DirectoryEntry entry = null;
        for (int i = 0; i < segments.size(); i++) {
            entry = open(grid, cap, i).get(segments.get(i)).orElse(null);
            if (entry == null) {
                throw new NoSuchChildException("no \"" + segments.get(i) + "\" in " + label(i));
            }
            cap = capOf(entry, i + 1);
        }
        return new Target(cap, entry);
    }

    /** The directory the path names. */
    Dirnode directory(Grid grid) throws IOException {
        return open(grid, resolve(grid).cap(), segments.size());
    }

    /**
     * The directory holding the last component. With {@code createMissing},
     * missing directories on the way are created in that format, as Tahoe's
     * put, mkdir, ln and mv create them; without, they must exist.
     */
    Dirnode parent(Grid grid, MutableFormat createMissing) throws IOException {
        if (segments.isEmpty()) {
            throw new IllegalStateException("the root has no parent");
        }
        Dirnode dir = open(grid, root, 0);
        for (int i = 0; i < segments.size() - 1; i++) {
            String name = segments.get(i);
            Optional<DirectoryEntry> entry = dir.get(name);
            if (entry.isEmpty() && createMissing != null) {
                requireWritable(dir, label(i));
                try {
                    dir = dir.createSubdirectory(name, createMissing);
                    continue;
                } catch (ExistingChildException raced) {
                    entry = dir.get(name);
                }
            }
            if (entry.isEmpty()) {
                throw new NoSuchChildException("no \"" + name + "\" in " + label(i));
            }
            dir = open(grid, capOf(entry.get(), i + 1), i + 1);
        }
        return dir;
    }

    /** The directory holding the last component, which this command is about to change. */
    Dirnode writableParent(Grid grid, MutableFormat createMissing) throws IOException {
        Dirnode dir = parent(grid, createMissing);
        requireWritable(dir, parentLabel());
        return dir;
    }

    /** Refuses, in a sentence naming the directory, to change one that cannot be changed through its cap. */
    static void requireWritable(Dirnode dir, String label) throws IOException {
        if (!dir.isMutable()) {
            throw new IOException(label + " is an immutable directory (URI:" + dir.cap().kind()
                    + "): it cannot be changed");
        }
        if (dir.isReadOnly()) {
            throw new IOException(label + " is read-only here (URI:" + dir.cap().kind()
                    + "): it cannot be changed through this cap");
        }
    }

    private Dirnode open(Grid grid, Cap cap, int depth) throws IOException {
        if (!(cap instanceof DirectoryCap)) {
            throw new IOException(label(depth) + " is not a directory");
        }
        return Dirnode.open(grid, cap);
    }

    private Cap capOf(DirectoryEntry entry, int depth) throws IOException {
        try {
            return entry.cap().orElseThrow(() -> new IOException(label(depth) + " has no cap in its directory"));
        } catch (IllegalArgumentException e) {
            throw new IOException(label(depth) + " holds a cap lafsfs cannot read: " + e.getMessage(), e);
        }
    }
}
