package org.lafsfs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.lafsfs.core.storage.ServersYaml;
import org.lafsfs.storage.HttpStorageServer;
import org.lafsfs.storage.ServerIdentity;
import org.lafsfs.storage.StorageBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lafsfs storage-server}: a standalone storage server over a storage
 * directory, speaking Tahoe's HTTPS storage protocol until interrupted.
 */
@Command(name = "storage-server", mixinStandardHelpOptions = true,
        description = {"Serve a storage directory over Tahoe-LAFS's HTTPS storage protocol.",
            "DIR holds shares/ in Tahoe's layout (what Tahoe calls NODEDIR/storage); a directory a Tahoe server wrote "
                    + "is served as it is. The server's TLS key and swissnum are created in DIR/server/ on first start "
                    + "and kept; DIR/server/servers.yaml is this server's entry for a client's private/servers.yaml."})
final class StorageServerCommand implements Callable<Integer> {
    @Option(names = "--storage-dir", required = true, paramLabel = "DIR", description = "the storage directory")
    Path storageDir;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0",
            description = "where to listen (default ${DEFAULT-VALUE}; port 0 picks a free port)")
    String listen;

    @Option(names = "--nurl-file", paramLabel = "FILE",
            description = "write the server's NURL here once it accepts connections")
    Path nurlFile;

    @Option(names = "--reserved-space", paramLabel = "SIZE", defaultValue = "0",
            description = "disk space to keep free, e.g. 1G or 500MiB; allocations that would use it are refused")
    String reservedSpace;

    @Option(names = "--nickname", defaultValue = "lafsfs", description = "the nickname clients show for this server")
    String nickname;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--listen needs HOST:PORT, not '" + listen + "'");
        }
        String host = listen.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen needs a numeric port, not '" + listen + "'");
        }
        long reserved = Sizes.parse(reservedSpace);
        Path dir = storageDir.toAbsolutePath();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a directory");
        }
        ServerIdentity identity = ServerIdentity.loadOrCreate(dir.resolve("server"));
        StorageBackend backend = new StorageBackend(dir, identity.tubId(), reserved, Clock.systemUTC());
        HttpStorageServer server;
        try {
            server = HttpStorageServer.start(backend, identity, host, port);
        } catch (IOException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("cannot listen on " + listen + ": "
                    + (cause instanceof BindException ? "the address is in use or not available here"
                            : cause.getMessage()));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "storage-server-shutdown"));

        ServersYaml.write(dir.resolve("server").resolve("servers.yaml"),
                List.of(Map.entry(server.serverId(), server.announcement(nickname))));
        String nurl = server.nurl().toString();
        if (nurlFile != null) { // it holds the swissnum: readable by its owner only
            ServerIdentity.writePrivately(nurlFile.toAbsolutePath(), nurl + "\n");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(nurl);
        out.flush();
        stopped.await();
        return 0;
    }
}
