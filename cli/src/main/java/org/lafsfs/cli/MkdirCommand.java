package org.lafsfs.cli;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.dirnode.ExistingChildException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code lafsfs mkdir [--format=F] [PATH]}, as {@code tahoe mkdir}: prints the directory's write cap. */
@Command(name = "mkdir", mixinStandardHelpOptions = true,
        description = {"Create a directory and print its write cap.",
            "Without PATH (or with a bare ALIAS:) the directory is not linked anywhere. With PATH it is linked"
                + " there, creating missing directories on the way; a directory already there is kept and its cap"
                + " printed."})
final class MkdirCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "PATH", description = "ALIAS:[SUBDIRS/]NAME, [SUBDIRS/]NAME or"
            + " DIRCAP/[SUBDIRS/]NAME")
    String where;

    @Option(names = "--format", paramLabel = "FORMAT", description = "SDMF or MDMF (default: tahoe.cfg's [client]"
            + " mutable.format, SDMF unless set)")
    String format;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws IOException {
        NodeDirectory node = NodeDirectory.open(main.node.nodeDir());
        MutableFormat dirFormat = format == null ? node.mutableFormat() : Formats.mutable(format, "--format");
        GridPath path = where == null || where.isEmpty() ? null : GridPath.parse(where, Aliases.load(node.path()));
        Cap cap;
        try (GridSession session = GridSession.open(node)) {
            if (path == null || path.isRoot()) {
                cap = Dirnode.create(session.grid(), dirFormat).cap();
            } else {
                cap = makeDirectory(path.parent(session.grid(), node.mutableFormat()), path, dirFormat);
            }
        }
        Print.out(cap.uri());
        return 0;
    }

    /** The directory at {@code path}: the one there already, or a new one. */
    private static Cap makeDirectory(Dirnode parent, GridPath path, MutableFormat format) throws IOException {
        String name = path.name();
        for (int attempt = 0; attempt < 2; attempt++) {
            Optional<DirectoryEntry> existing = parent.get(name);
            if (existing.isPresent()) {
                Cap cap = existing.get().cap().orElse(null);
                if (!(cap instanceof DirectoryCap)) {
                    throw new IOException("cannot create directory " + path + ": a file is in the way");
                }
                return cap;
            }
            GridPath.requireWritable(parent, path.parentLabel());
            try {
                return parent.createSubdirectory(name, format).cap();
            } catch (ExistingChildException raced) {
                // someone else made it in the meantime: look again
            }
        }
        throw new IOException("cannot create directory " + path + ": it keeps changing");
    }
}
