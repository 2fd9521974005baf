package org.lafsfs.core.check;

import java.util.ArrayList;
import java.util.List;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.StorageIndex;
import org.lafsfs.core.grid.Grid;

/**
 * Everything reachable from a directory (Tahoe's manifest): each object once,
 * with the path it was first reached by, its cap, its storage index and its
 * verify cap (both absent for literal objects, which are not stored on servers).
 */
public final class Manifest {
    private final Grid grid;

    public Manifest(Grid grid) {
        this.grid = grid;
    }

    /** One object: {@code path} is empty for the root. */
    public record Entry(List<String> path, Cap cap, StorageIndex storageIndex, Cap verifyCap) {
        public Entry {
            path = List.copyOf(path);
        }
    }

    /** The entries, and the directories that could not be listed. */
    public record Result(List<Entry> entries, List<String> errors) {
        public Result {
            entries = List.copyOf(entries);
            errors = List.copyOf(errors);
        }
    }

    public Result of(Cap root) {
        List<Entry> entries = new ArrayList<>();
        List<String> errors = new TreeWalker(grid).walk(root, (path, cap) -> entries.add(new Entry(path, cap,
                cap.storageIndex().orElse(null), cap.verifyCap().orElse(null))));
        return new Result(entries, errors);
    }
}
