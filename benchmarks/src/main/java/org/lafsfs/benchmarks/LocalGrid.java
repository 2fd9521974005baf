package org.lafsfs.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.UnaryOperator;
import org.lafsfs.core.grid.ClientSecrets;
import org.lafsfs.core.grid.Grid;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.EncodingParameters;
import org.lafsfs.core.storage.StorageServer;
import org.lafsfs.storage.LocalStorageServer;
import org.lafsfs.storage.StorageBackend;

/** What the end-to-end benchmarks share: ten storage servers in this process, and running a command. */
final class LocalGrid {
    private LocalGrid() {
    }

    /** Ten servers over {@code dir/server0..9}, each wrapped by {@code wrap} (to count requests, say). */
    static List<GridServer> servers(Path dir, ExecutorService executor, UnaryOperator<StorageServer> wrap)
            throws Exception {
        List<GridServer> servers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String name = "server" + i;
            byte[] id = MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
            StorageBackend backend = new StorageBackend(dir.resolve(name), id, 0, Clock.systemUTC());
            servers.add(new GridServer(wrap.apply(new LocalStorageServer(backend, executor, name)), id, id));
        }
        return servers;
    }

    /** A client of those servers with Tahoe's default encoding (3-of-10). */
    static Grid grid(List<GridServer> servers) {
        return new Grid(servers, new ClientSecrets(new byte[32]), EncodingParameters.DEFAULT);
    }

    /** Runs a command to its end; its output is the exception's message if it fails. */
    static void run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }
}
