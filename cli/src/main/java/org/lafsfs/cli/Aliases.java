package org.lafsfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.storage.ServerIdentity;

/**
 * A node's aliases, kept where Tahoe keeps them: {@code private/aliases}, one
 * {@code NAME: DIRCAP} a line ({@code #} comments and blank lines allowed), and
 * {@code private/root_dir.cap}, which, when present, is the {@code tahoe:}
 * alias. A Tahoe node directory's aliases work here unchanged, and the other
 * way round.
 */
final class Aliases {
    /** The alias a path without one is relative to. */
    static final String DEFAULT = "tahoe";

    private final Path file;
    private final Map<String, String> caps;

    private Aliases(Path file, Map<String, String> caps) {
        this.file = file;
        this.caps = caps;
    }

    /** The aliases of a node directory (none when it or the file does not exist). */
    static Aliases load(Path nodeDir) throws IOException {
        Path privateDir = nodeDir.resolve("private");
        Map<String, String> caps = new LinkedHashMap<>();
        Path root = privateDir.resolve("root_dir.cap");
        if (Files.isRegularFile(root)) {
            String cap = Files.readString(root, StandardCharsets.UTF_8).strip();
            if (!cap.isEmpty()) {
                caps.put(DEFAULT, cap);
            }
        }
        Path file = privateDir.resolve("aliases");
        if (Files.isRegularFile(file)) {
            for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon < 0) {
                    throw new IOException(file + ": line '" + line + "' is not 'NAME: DIRCAP'");
                }
                caps.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return new Aliases(file, caps);
    }

    boolean contains(String name) {
        return caps.containsKey(name);
    }

    /** Every alias and its directory cap, by name. */
    SortedMap<String, DirectoryCap> all() {
        SortedMap<String, DirectoryCap> all = new TreeMap<>();
        caps.keySet().forEach(name -> all.put(name, directory(name)));
        return all;
    }

    /**
     * The directory an alias names.
     *
     * @throws IllegalArgumentException for an unknown alias, or one that names no directory
     */
    DirectoryCap directory(String name) {
        String text = caps.get(name);
        if (text == null) {
            if (name.equals(DEFAULT)) {
                throw new IllegalArgumentException("no alias given, and the default alias '" + DEFAULT + ":' does"
                        + " not exist; create it with 'lafsfs create-alias " + DEFAULT + "'");
            }
            throw new IllegalArgumentException("unknown alias '" + name + ":'; create it with 'lafsfs create-alias "
                    + name + "' or 'lafsfs add-alias " + name + " DIRCAP' ('lafsfs list-aliases' shows the"
                    + " aliases there are)");
        }
        return directoryCap(text, "alias '" + name + ":' in " + file);
    }

    /** A directory cap, or an IllegalArgumentException saying what {@code what} holds instead. */
    static DirectoryCap directoryCap(String text, String what) {
        Cap cap;
        try {
            cap = Cap.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
        if (!(cap instanceof DirectoryCap dir) || dir.isVerifier()) {
            throw new IllegalArgumentException(what + " is not a directory cap (URI:DIR2...): '" + text.strip() + "'");
        }
        return dir;
    }

    /**
     * An alias name as given on the command line: one trailing colon is
     * dropped, as Tahoe drops it; names with colons or spaces are refused.
     */
    static String name(String given) {
        String name = given.endsWith(":") ? given.substring(0, given.length() - 1) : given;
        if (name.isEmpty()) {
            throw new IllegalArgumentException("an alias needs a name");
        }
        if (name.contains(":")) {
            throw new IllegalArgumentException("alias names cannot contain colons: '" + given + "'");
        }
        if (name.contains(" ")) {
            throw new IllegalArgumentException("alias names cannot contain spaces: '" + given + "'");
        }
        return name;
    }

    /**
     * Adds {@code NAME: CAP} to the end of private/aliases (written whole and
     * moved into place, so the file is never half-written).
     *
     * @throws IllegalArgumentException if the alias exists already
     */
    void add(String name, DirectoryCap cap) throws IOException {
        if (caps.containsKey(name)) {
            throw new IllegalArgumentException("alias '" + name + "' already exists");
        }
        String text = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        if (!text.isEmpty() && !text.endsWith("\n")) {
            text += "\n";
        }
        ServerIdentity.createPrivateDirectory(file.getParent());
        ServerIdentity.writePrivately(file, text + name + ": " + cap.uri() + "\n");
        caps.put(name, cap.uri());
    }
}
