package org.lafsfs.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableReadCap;
import org.lafsfs.core.cap.MutableWriteCap;
import org.lafsfs.core.immutable.ChkReader;
import org.lafsfs.core.mutable.MutableFileNode;
import org.lafsfs.core.mutable.Retrieve;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code lafsfs get FROM [TO|-] [-o FILE]}: downloads a file, every byte verified. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Download FROM to TO or FILE (default: standard output), verifying every byte.",
            "FROM is a file cap, ALIAS:[SUBDIRS/]NAME, [SUBDIRS/]NAME (in the tahoe: alias) or"
                + " DIRCAP/[SUBDIRS/]NAME; immutable and mutable files alike."})
final class GetCommand implements Callable<Integer> {
    private static final int PIECE = 1 << 20;

    @Parameters(index = "0", paramLabel = "FROM")
    String from;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TO", description = "local file to write ('-': standard output)")
    String to;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "where to write (default: standard output)")
    Path output;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws IOException {
        if (to != null && output != null) {
            throw new IllegalArgumentException("give the local file as TO or as -o, not both");
        }
        if (to != null && !to.equals("-")) {
            output = Path.of(to);
        }
        Path nodeDir = main.node.nodeDir();
        GridPath path = GridPath.parse(from, Aliases.load(nodeDir));
        if (path.isRoot() && path.root() instanceof LiteralCap lit) { // the data is in the cap: no grid needed
            write(out -> out.write(lit.data()));
            return 0;
        }
        try (GridSession session = GridSession.open(NodeDirectory.open(nodeDir))) {
            Cap cap = path.resolve(session.grid()).cap();
            if (cap instanceof LiteralCap lit) {
                write(out -> out.write(lit.data()));
            } else if (cap instanceof ChkCap chk) {
                ChkReader reader = ChkReader.on(session.grid(), chk);
                copy(chk.size(), reader::read);
            } else if (cap instanceof MutableWriteCap || cap instanceof MutableReadCap) {
                Retrieve reader = new MutableFileNode(session.grid(), cap).reader();
                copy(reader.size(), reader::read);
            } else if (cap instanceof DirectoryCap) {
                throw new IOException(path + " is a directory ('lafsfs ls' lists it)");
            } else {
                throw new IOException(path + " is not a file lafsfs can read (URI:" + cap.kind() + ")");
            }
        }
        return 0;
    }

    private interface Reader {
        byte[] read(long offset, int length) throws IOException;
    }

    private void copy(long size, Reader reader) throws IOException {
        try (ProgressBar bar = new ProgressBar("get", size)) {
            write(out -> {
                for (long at = 0; at < size; at += PIECE) {
                    out.write(reader.read(at, (int) Math.min(PIECE, size - at)));
                    bar.accept(Math.min(size, at + PIECE));
                }
            });
        }
    }

    private interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** To the output file only once complete (a failed download leaves no partial file), or to stdout. */
    private void write(Body body) throws IOException {
        if (output == null) {
            body.writeTo(System.out);
            System.out.flush();
            return;
        }
        Path target = output.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".lafsfs-partial");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            body.writeTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
