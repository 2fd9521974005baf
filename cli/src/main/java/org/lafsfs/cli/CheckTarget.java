package org.lafsfs.cli;

import java.io.IOException;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.dirnode.NoSuchChildException;
import org.lafsfs.core.grid.Grid;

/**
 * What check, deep-check and manifest are pointed at: a path as every grid
 * command takes it, or, unlike the commands that read, a bare verify cap
 * (verifying needs no more). A path that does not exist is bad input.
 */
final class CheckTarget {
    private CheckTarget() {
    }

    /** The cap {@code where} names. */
    static Cap resolve(String where, Aliases aliases, Grid grid) throws IOException {
        String text = where.strip();
        if (text.startsWith("URI:") && !text.contains("/")) {
            Cap cap = Cap.parse(text);
            if (cap.isVerifier()) {
                return cap;
            }
        }
        try {
            return GridPath.parse(text, aliases).resolve(grid).cap();
        } catch (NoSuchChildException e) {
            throw new IllegalArgumentException(e.getMessage() + ", so '" + text + "' names nothing", e);
        }
    }

    /** The directory {@code where} names, for the commands that walk a tree. */
    static DirectoryCap directory(String where, Aliases aliases, Grid grid) throws IOException {
        Cap cap = resolve(where, aliases, grid);
        if (!(cap instanceof DirectoryCap dir) || cap.isVerifier()) {
            throw new IllegalArgumentException("'" + where + "' is " + (cap.isVerifier() ? "a verify cap"
                    : "not a directory") + ": give the directory (or its read cap) to walk from");
        }
        return dir;
    }
}
