package org.lafsfs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.lafsfs.core.storage.ServersYaml;
import org.lafsfs.storage.CrawlerPacing;
import org.lafsfs.storage.ExpirationPolicy;
import org.lafsfs.storage.HttpStorageServer;
import org.lafsfs.storage.LeaseCrawler;
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
                    + "and kept; DIR/server/servers.yaml is this server's entry for a client's private/servers.yaml.",
            "Garbage collection is off unless --expire-mode is given. Then a crawler visits every share, a little at a "
                    + "time (at most 10% of the time, 1 s at once), and removes the shares whose leases have all "
                    + "expired; a share with any live lease stays. The options are tahoe.cfg's [storage] expire.* "
                    + "settings; progress is kept in DIR/lafsfs-lease-crawler.json. See docs/garbage-collection.md."})
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

    @Option(names = "--expire-mode", paramLabel = "MODE",
            description = "turn garbage collection on (expire.enabled, expire.mode): 'age' removes shares whose "
                    + "leases are all older than their duration, 'cutoff-date' those whose leases were all last "
                    + "renewed before --expire-cutoff-date")
    String expireMode;

    @Option(names = "--expire-override-lease-duration", paramLabel = "DURATION",
            description = "age mode: judge every lease by this duration instead of its 31 days, e.g. 60days, 2mo, "
                    + "1year (expire.override_lease_duration)")
    String expireOverrideLeaseDuration;

    @Option(names = "--expire-cutoff-date", paramLabel = "YYYY-MM-DD",
            description = "cutoff-date mode: leases not renewed since midnight UTC of this day have expired "
                    + "(expire.cutoff_date)")
    String expireCutoffDate;

    @Option(names = "--expire-immutable", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "whether expired immutable shares are removed (expire.immutable; default true)")
    boolean expireImmutable;

    @Option(names = "--expire-mutable", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "whether expired mutable shares are removed (expire.mutable; default true)")
    boolean expireMutable;

    @Spec
    CommandSpec spec;

    /** The options as tahoe.cfg's [storage] settings, read by the same rules as the file. */
    ExpirationPolicy expirationPolicy() {
        Map<String, String> storage = new LinkedHashMap<>();
        if (expireMode != null) {
            storage.put("expire.enabled", "true");
            storage.put("expire.mode", expireMode);
        } else if (expireOverrideLeaseDuration != null || expireCutoffDate != null) {
            throw new IllegalArgumentException("--expire-override-lease-duration and --expire-cutoff-date need "
                    + "--expire-mode.");
        }
        if (expireOverrideLeaseDuration != null) {
            storage.put("expire.override_lease_duration", expireOverrideLeaseDuration);
        }
        if (expireCutoffDate != null) {
            storage.put("expire.cutoff_date", expireCutoffDate);
        }
        storage.put("expire.immutable", Boolean.toString(expireImmutable));
        storage.put("expire.mutable", Boolean.toString(expireMutable));
        return ExpirationPolicy.fromConfig(storage);
    }

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
        ExpirationPolicy expiration = expirationPolicy();
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
        LeaseCrawler crawler = null;
        if (expiration.enabled()) {
            crawler = new LeaseCrawler(backend, expiration, CrawlerPacing.DEFAULT, Clock.systemUTC());
            crawler.start();
        }
        LeaseCrawler runningCrawler = crawler;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (runningCrawler != null) {
                runningCrawler.close(); // saves its position for the next start
            }
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
