package org.lafsfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.cap.MutableReadCap;
import org.lafsfs.core.cap.MutableWriteCap;
import org.lafsfs.core.dirnode.DirectoryEntry;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.immutable.UploadSource;
import org.lafsfs.core.mutable.MutableFileNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lafsfs put [--mutable] [--format=F] [FROM|-] [TO]}, as {@code tahoe put}:
 * uploads a file and prints its cap on stdout, with Tahoe's status line
 * ({@code 201 Created} for a new link, {@code 200 OK} otherwise) on stderr.
 */
@Command(name = "put", mixinStandardHelpOptions = true,
        description = {"Upload FROM (a local file; '-' or nothing: standard input) and print its cap.",
            "Without TO the file is not linked anywhere. TO may be ALIAS:[SUBDIRS/]NAME, [SUBDIRS/]NAME"
                + " (in the tahoe: alias) or DIRCAP/[SUBDIRS/]NAME, linking the file there (missing"
                + " directories are created; an existing mutable file there is changed in place, an"
                + " immutable one replaced), or a mutable file's write cap, whose contents are replaced."})
final class PutCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FROM", description = "the local file ('-': standard input)")
    String from;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TO", description = "where to link it, or a mutable write cap")
    String to;

    @Option(names = {"-m", "--mutable"}, description = "create a mutable file (in tahoe.cfg's [client] mutable.format,"
            + " SDMF unless set) instead of an immutable one")
    boolean mutable;

    @Option(names = "--format", paramLabel = "FORMAT", description = "CHK (immutable, the default), SDMF or MDMF")
    String format;

    @ParentCommand
    Main main;

    /** What is uploaded: a local file (streamed for immutable uploads) or bytes read from standard input. */
    private record Source(Path file, byte[] data) {
        long size() throws IOException {
            return file != null ? Files.size(file) : data.length;
        }

        UploadSource upload() {
            return file != null ? UploadSource.of(file) : UploadSource.of(data);
        }

        byte[] bytes() throws IOException {
            return file != null ? Files.readAllBytes(file) : data;
        }
    }

    @Override
    public Integer call() throws IOException {
        NodeDirectory node = NodeDirectory.open(main.node.nodeDir());
        MutableFormat newFormat = newFileFormat(node);
        Aliases aliases = Aliases.load(node.path());
        GridPath target = null;
        boolean mutableTarget = to != null && (to.strip().startsWith("URI:SSK:") || to.strip().startsWith("URI:MDMF:"));
        if (to != null && !mutableTarget) {
            target = GridPath.parse(to, aliases);
            checkTarget(target);
        }
        Source source = source();
        Cap cap;
        String status;
        try (GridSession session = GridSession.open(node)) {
            if (to == null) {
                cap = upload(session, newFormat, source);
                status = "200 OK";
            } else if (mutableTarget) {
                cap = Cap.parse(to.strip());
                new MutableFileNode(session.grid(), cap).overwrite(source.bytes());
                status = "200 OK";
            } else {
                Dirnode parent = target.writableParent(session.grid(), node.mutableFormat());
                Optional<DirectoryEntry> existing = parent.get(target.name());
                Cap old = existing.isPresent() ? existing.get().cap().orElse(null) : null;
                if (old instanceof DirectoryCap) {
                    throw new IOException(target + " is a directory: put replaces files, not directories");
                }
                if (old instanceof MutableReadCap) {
                    throw new IOException(target + " is a mutable file linked read-only: it cannot be changed"
                            + " through this directory");
                }
                if (old instanceof MutableWriteCap) {
                    // Tahoe's rule: an existing mutable file is changed in place, whatever --mutable says.
                    new MutableFileNode(session.grid(), old).overwrite(source.bytes());
                    cap = old;
                } else {
                    cap = upload(session, newFormat, source);
                    parent.link(target.name(), cap, null, true);
                }
                status = existing.isPresent() ? "200 OK" : "201 Created";
            }
        }
        Print.err(status);
        Print.out(cap.uri());
        return 0;
    }

    /** The format of a new file: --format, else the node's mutable format with --mutable, else CHK (null). */
    private MutableFormat newFileFormat(NodeDirectory node) {
        if (format != null) {
            MutableFormat f = Formats.file(format, "--format");
            if (f == null && mutable) {
                throw new IllegalArgumentException("--mutable and --format=CHK contradict each other");
            }
            return f;
        }
        return mutable ? node.mutableFormat() : null;
    }

    private static void checkTarget(GridPath target) {
        if (target.startsWithSlash()) {
            throw new IllegalArgumentException("the remote file name must not start with a slash: '" + target
                    + "' (perhaps '" + target.toString().replaceFirst("/", "") + "')");
        }
        if (target.isRoot() || target.endsWithSlash()) {
            throw new IllegalArgumentException("'" + target + "' names a directory: give the file a name in it");
        }
    }

    private Source source() throws IOException {
        if (from == null || from.equals("-")) {
            if (System.console() != null) {
                Print.err("waiting for file data on stdin..");
            }
            return new Source(null, System.in.readAllBytes());
        }
        Path file = Path.of(from);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is not a readable file");
        }
        return new Source(file, null);
    }

    private static Cap upload(GridSession session, MutableFormat format, Source source) throws IOException {
        if (format != null) {
            return MutableFileNode.create(session.grid(), format, source.bytes()).writeCap();
        }
        try (ProgressBar bar = new ProgressBar("put", source.size())) {
            return session.uploadImmutable(source.upload(), bar);
        }
    }
}
