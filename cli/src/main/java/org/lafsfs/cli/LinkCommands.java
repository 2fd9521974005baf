package org.lafsfs.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.dirnode.ExistingChildException;
import org.lafsfs.core.dirnode.LinkMetadata;
import org.lafsfs.core.dirnode.NoSuchChildException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lafsfs ln FROM TO} and {@code lafsfs mv FROM TO}, as Tahoe's (one
 * script, tahoe_mv.py, does both): what FROM links to is linked at TO, and
 * for mv the FROM link is then removed. A TO ending in a slash (or a bare
 * {@code ALIAS:}) is a directory to link into under FROM's name; a file at TO
 * is replaced, a directory never is. Missing directories on the way to TO are
 * created. The new link's metadata is Tahoe's: that of the link it replaces,
 * or fresh link times for a new name.
 */
final class LinkCommands {
    private LinkCommands() {
    }

    /** FROM and TO, as both commands take them. */
    private abstract static class Relink implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FROM")
        String from;

        @Parameters(index = "1", paramLabel = "TO")
        String to;

        @ParentCommand
        Main main;
    }

    @Command(name = "ln", mixinStandardHelpOptions = true,
            description = {"Link what FROM names at TO too (copy the link, not the file).",
                "End TO with / to link into that directory under FROM's name."})
    static final class Ln extends Relink {
        @Override
        public Integer call() throws IOException {
            return relink(main, from, to, false);
        }
    }

    @Command(name = "mv", mixinStandardHelpOptions = true,
            description = {"Move the link FROM to TO (within or between directories).",
                "End TO with / to move into that directory under FROM's name."})
    static final class Mv extends Relink {
        @Override
        public Integer call() throws IOException {
            return relink(main, from, to, true);
        }
    }

    static int relink(Main main, String from, String to, boolean move) throws IOException {
        NodeDirectory node = NodeDirectory.open(main.node.nodeDir());
        Aliases aliases = Aliases.load(node.path());
        GridPath source = GridPath.parse(from, aliases);
        GridPath target = GridPath.parse(to, aliases);
        if (move && source.isRoot()) {
            throw new IllegalArgumentException("'" + from + "' is not a link in a directory, so there is nothing to"
                    + " move ('lafsfs ln' links it somewhere)");
        }
        if (target.isRoot() || target.endsWithSlash()) {
            if (source.isRoot()) {
                throw new IllegalArgumentException("'" + from + "' has no name to link it under: give TO a name");
            }
            target = target.child(source.name());
        }
        try (GridSession session = GridSession.open(node)) {
            Cap cap = source.resolve(session.grid()).cap();
            Dirnode sourceDir = move ? source.writableParent(session.grid(), null) : null;
            Dirnode targetDir = target.writableParent(session.grid(), node.mutableFormat());
            if (move && sourceDir.cap().uri().equals(targetDir.cap().uri())) {
                rename(sourceDir, source, target, cap);
            } else {
                link(targetDir, target, cap);
                if (move) {
                    try {
                        sourceDir.unlink(source.name());
                    } catch (IOException e) {
                        Print.err("lafsfs: linked " + target + " but could not unlink " + source + ": "
                                + e.getMessage());
                        return 2; // as tahoe mv, whose "error deleting original after move" is 2
                    }
                }
            }
        }
        Print.out("OK");
        return 0;
    }

    /** Links {@code cap} at {@code target}, replacing a file there but not a directory (Tahoe's replace=only-files). */
    private static void link(Dirnode dir, GridPath target, Cap cap) throws IOException {
        String name = target.name();
        dir.modify(children -> {
            DirectoryEntry there = children.get(name);
            refuseDirectory(there, target);
            children.put(name, newLink(name, cap, there));
            return children;
        });
    }

    /** A move within one directory: one edit, so the child is never in both places or neither. */
    private static void rename(Dirnode dir, GridPath source, GridPath target, Cap cap) throws IOException {
        String from = source.name();
        String to = target.name();
        if (from.equals(to)) {
            return;
        }
        dir.modify(children -> {
            DirectoryEntry entry = children.get(from);
            DirectoryEntry there = children.get(to);
            if (entry == null) {
                if (there != null && there.cap().map(c -> c.uri().equals(cap.uri())).orElse(false)) {
                    return null; // a retry after an uncoordinated write: the first attempt moved it
                }
                throw new NoSuchChildException("no \"" + from + "\" in " + source.parentLabel());
            }
            refuseDirectory(there, target);
            children.remove(from);
            children.put(to, newLink(to, cap, there));
            return children;
        });
    }

    private static DirectoryEntry newLink(String name, Cap cap, DirectoryEntry replaced) {
        return DirectoryEntry.of(name, cap, LinkMetadata.update(replaced == null ? null : replaced.metadata(), null,
                LinkMetadata.now()));
    }

    private static void refuseDirectory(DirectoryEntry there, GridPath target) throws ExistingChildException {
        if (there != null && there.cap().orElse(null) instanceof DirectoryCap) {
            throw new ExistingChildException(target + " is a directory, which mv and ln never replace (end the"
                    + " target with '/' to put the link inside it)");
        }
    }
}
