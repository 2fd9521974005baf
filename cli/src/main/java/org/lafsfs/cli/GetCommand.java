package org.lafsfs.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.ChkCap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.ChkReader;
import org.lafsfs.core.storage.ServerPermutation;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lafsfs get CAP [-o FILE]}: downloads an immutable file, every byte verified. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Download the immutable file CAP to FILE (or standard output), verifying every byte.")
final class GetCommand implements Callable<Integer> {
    private static final int PIECE = 1 << 20;

    @Parameters(paramLabel = "CAP")
    String text;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "where to write (default: standard output)")
    Path output;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws IOException {
        Cap cap = Cap.parse(text.strip());
        if (cap instanceof LiteralCap lit) {
            write(out -> out.write(lit.data()));
            return 0;
        }
        if (cap instanceof org.lafsfs.core.cap.UnknownCap) {
            throw new IllegalArgumentException("'" + text.strip() + "' is not a cap");
        }
        if (!(cap instanceof ChkCap chk)) {
            throw new IllegalArgumentException("lafsfs get reads immutable file caps (URI:CHK, URI:LIT), not URI:"
                    + cap.kind());
        }
        NodeDirectory dir = NodeDirectory.open(main.node.nodeDir());
        java.util.List<GridServer> servers = dir.servers();
        ChkReader reader = new ChkReader(chk, ServerPermutation.order(chk.storageIndex().orElseThrow(),
                servers, GridServer::permutationSeed).stream().map(GridServer::storage).toList());
        try (ProgressBar bar = new ProgressBar("get", chk.size())) {
            write(out -> {
                for (long at = 0; at < chk.size(); at += PIECE) {
                    out.write(reader.read(at, (int) Math.min(PIECE, chk.size() - at)));
                    bar.accept(Math.min(chk.size(), at + PIECE));
                }
            });
        } finally {
            NodeDirectory.close(servers);
        }
        return 0;
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
