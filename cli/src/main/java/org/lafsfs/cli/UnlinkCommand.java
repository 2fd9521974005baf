package org.lafsfs.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.dirnode.NoSuchChildException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lafsfs unlink PATH} (also {@code rm}), as {@code tahoe unlink}:
 * removes a name from its directory (the file or directory itself stays on
 * the grid for whoever else holds its cap) and prints Tahoe's {@code 200 OK}.
 */
@Command(name = "unlink", aliases = "rm", mixinStandardHelpOptions = true,
        description = "Remove the link PATH from its directory. What it named stays on the grid for anyone else"
                + " holding its cap.")
final class UnlinkCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "ALIAS:[SUBDIRS/]NAME, [SUBDIRS/]NAME or DIRCAP/[SUBDIRS/]NAME")
    String where;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws IOException {
        NodeDirectory node = NodeDirectory.open(main.node.nodeDir());
        GridPath path = GridPath.parse(where, Aliases.load(node.path()));
        if (path.isRoot()) {
            throw new IllegalArgumentException("'" + where + "' is not a link in a directory: unlink removes"
                    + " directory entries, so give a path");
        }
        try (GridSession session = GridSession.open(node)) {
            Dirnode parent = path.writableParent(session.grid(), null);
            try {
                parent.unlink(path.name());
            } catch (NoSuchChildException e) {
                throw new NoSuchChildException("no \"" + path.name() + "\" in " + path.parentLabel());
            }
        }
        Print.out("200 OK");
        return 0;
    }
}
