package org.lafsfs.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.lafsfs.core.storage.StorageServer;

/**
 * The grid lafsfs runs on one machine out of the box: a few HTTPS storage
 * servers in this process, each over its own storage directory
 * ({@code DIR/server-NN}, Tahoe's layout, kept across runs with the server's
 * TLS key, so each server keeps its identity and its shares). They listen on
 * 127.0.0.1 at free ports, so other lafsfs commands (and Tahoe clients) can
 * use them while they run. The client in this process need not go through
 * TLS and HTTP to reach them: {@link #inProcess()} gives it direct calls on
 * the same backends.
 */
public final class EmbeddedGrid implements AutoCloseable {
    private final Path dir;
    private final List<HttpStorageServer> servers;
    private final List<LeaseCrawler> crawlers;
    /** Runs the in-process calls: blocking disk work (fsyncs), so a few threads per server. */
    private final ExecutorService inProcessCalls;

    private EmbeddedGrid(Path dir, List<HttpStorageServer> servers, List<LeaseCrawler> crawlers) {
        this.dir = dir;
        this.servers = servers;
        this.crawlers = crawlers;
        AtomicInteger threads = new AtomicInteger();
        this.inProcessCalls = Executors.newFixedThreadPool(2 * servers.size(), r -> {
            Thread t = new Thread(r, "embedded-storage-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts {@code count} servers over {@code DIR/server-00} and on, each keeping {@code reservedSpace} free,
     * and, when {@code expiration} is enabled, each with its lease crawler.
     */
    public static EmbeddedGrid start(Path dir, int count, long reservedSpace, ExpirationPolicy expiration)
            throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("an embedded grid needs at least one server, not " + count);
        }
        List<HttpStorageServer> started = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Path serverDir = Files.createDirectories(dir.resolve(String.format(Locale.ROOT, "server-%02d", i)));
                ServerIdentity identity = ServerIdentity.loadOrCreate(serverDir.resolve("server"));
                StorageBackend backend = new StorageBackend(serverDir, identity.tubId(), reservedSpace,
                        Clock.systemUTC());
                started.add(HttpStorageServer.start(backend, identity, "127.0.0.1", 0));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(HttpStorageServer::close);
            throw e;
        }
        List<LeaseCrawler> crawlers = new ArrayList<>();
        if (expiration.enabled()) {
            for (HttpStorageServer server : started) {
                LeaseCrawler crawler = new LeaseCrawler(server.backend(), expiration, CrawlerPacing.DEFAULT,
                        Clock.systemUTC());
                crawler.start();
                crawlers.add(crawler);
            }
        }
        return new EmbeddedGrid(dir, List.copyOf(started), List.copyOf(crawlers));
    }

    /** The lease crawlers (none unless garbage collection is enabled), one per server in order. */
    public List<LeaseCrawler> crawlers() {
        return crawlers;
    }

    public Path directory() {
        return dir;
    }

    public List<HttpStorageServer> servers() {
        return servers;
    }

    /** Each server's entry for a client's private/servers.yaml, nicknamed embedded-NN. */
    public List<Map.Entry<String, Map<String, Object>>> announcements() {
        List<Map.Entry<String, Map<String, Object>>> entries = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            HttpStorageServer s = servers.get(i);
            entries.add(Map.entry(s.serverId(), s.announcement(String.format(Locale.ROOT, "embedded-%02d", i))));
        }
        return entries;
    }

    /**
     * Each server, keyed by its server id, as direct calls on its backend for a client in this process: the
     * same shares and the same rules as over HTTPS, without encrypting to itself or copying through HTTP.
     */
    public Map<String, StorageServer> inProcess() {
        Map<String, StorageServer> direct = new LinkedHashMap<>();
        for (int i = 0; i < servers.size(); i++) {
            HttpStorageServer s = servers.get(i);
            direct.put(s.serverId(), new LocalStorageServer(s.backend(), inProcessCalls,
                    String.format(Locale.ROOT, "embedded-%02d", i)));
        }
        return direct;
    }

    @Override
    public void close() {
        crawlers.forEach(LeaseCrawler::close); // each saves its position for the next start
        servers.forEach(HttpStorageServer::close);
        inProcessCalls.shutdown();
    }
}
