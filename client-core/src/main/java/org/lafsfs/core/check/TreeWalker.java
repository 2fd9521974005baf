package org.lafsfs.core.check;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.UnknownCap;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.grid.Grid;

/**
 * Visits everything reachable from a directory, each object once however many
 * names it has (so loops end), depth first in name order. An object is one
 * storage index; a literal object, having none, is told apart by its cap.
 * A directory that cannot be listed is reported and its subtree skipped; the
 * walk goes on with the rest.
 */
final class TreeWalker {
    private final Grid grid;

    TreeWalker(Grid grid) {
        this.grid = grid;
    }

    /** What the walk is for: called once per object, a directory before its children. */
    interface Visitor {
        void visit(List<String> path, Cap cap);
    }

    /** Walks from {@code root}; returns the directories that could not be listed, one line each. */
    List<String> walk(Cap root, Visitor visitor) {
        List<String> errors = new ArrayList<>();
        visit(List.of(), root, visitor, new HashSet<>(), errors);
        return errors;
    }

    private void visit(List<String> path, Cap cap, Visitor visitor, Set<String> seen, List<String> errors) {
        if (!seen.add(identity(cap))) {
            return;
        }
        visitor.visit(path, cap);
        if (!(cap instanceof DirectoryCap dir) || dir.isVerifier()) {
            return;
        }
        Map<String, DirectoryEntry> children;
        try {
            children = Dirnode.open(grid, dir).list();
        } catch (IOException | RuntimeException e) {
            errors.add((path.isEmpty() ? "<root>" : String.join("/", path)) + ": cannot be listed: "
                    + Leases.message(e));
            return;
        }
        for (Map.Entry<String, DirectoryEntry> child : children.entrySet()) {
            Optional<Cap> childCap;
            try {
                childCap = child.getValue().cap();
            } catch (IllegalArgumentException e) {
                errors.add(String.join("/", append(path, child.getKey())) + ": holds a malformed cap");
                continue;
            }
            if (childCap.isPresent() && !(childCap.get() instanceof UnknownCap)) {
                visit(append(path, child.getKey()), childCap.get(), visitor, seen, errors);
            }
        }
    }

    private static String identity(Cap cap) {
        return cap.storageIndex().map(Object::toString).orElse(cap.uri());
    }

    private static List<String> append(List<String> path, String name) {
        List<String> longer = new ArrayList<>(path);
        longer.add(name);
        return List.copyOf(longer);
    }
}
