package org.lafsfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.ChkUploader;
import org.lafsfs.core.immutable.UploadSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lafsfs put FILE}: uploads an immutable file and prints its cap. */
@Command(name = "put", mixinStandardHelpOptions = true,
        description = "Upload FILE as an immutable file to the node's storage servers and print its cap.")
final class PutCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE")
    Path file;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is not a readable file");
        }
        NodeDirectory dir = NodeDirectory.open(main.node.nodeDir());
        List<GridServer> servers = dir.servers();
        ChkUploader.Result result;
        try (ProgressBar bar = new ProgressBar("put", Files.size(file))) {
            result = new ChkUploader(servers, dir.encoding(), dir.convergenceSecret(), dir.clientSecrets())
                    .upload(UploadSource.of(file), bar);
        } finally {
            NodeDirectory.close(servers);
        }
        spec.commandLine().getOut().println(result.cap().uri());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
