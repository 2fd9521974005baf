package org.lafsfs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lafsfs.core.storage.ServersYaml;
import org.lafsfs.storage.HttpStorageServer;
import org.lafsfs.storage.ServerIdentity;
import org.lafsfs.storage.StorageBackend;

/**
 * Storage servers speaking Tahoe's HTTPS protocol in this JVM, and Tahoe
 * client node directories naming them (tahoe.cfg with k=3, happy=7, N=10 and
 * private/servers.yaml), for running lafsfs commands against a real grid.
 */
final class TestGrid implements AutoCloseable {
    /**
     * The ids a Tahoe grid gave one of its servers, announced in servers.yaml
     * in place of the in-process server's own, so that a copy of that
     * server's storage is found where Tahoe put it: the server id, the
     * permutation seed (which orders servers per storage index) and the FURL,
     * whose tub id write enablers and lease secrets are derived from.
     */
    record TahoeIds(String serverId, String nickname, String furl, String permutationSeedBase32, byte[] tubId) {
    }

    private final List<HttpStorageServer> servers = new ArrayList<>();
    private final List<Map.Entry<String, Map<String, Object>>> announcements = new ArrayList<>();

    private TestGrid() {
    }

    /** Ten new, empty servers with storage under {@code dir}. */
    static TestGrid start(Path dir) throws Exception {
        List<Path> storage = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            storage.add(dir.resolve("storage" + i));
        }
        return serve(storage, null);
    }

    /** A server over each storage directory, announced under Tahoe's ids when {@code tahoeIds} are given. */
    static TestGrid serve(List<Path> storage, List<TahoeIds> tahoeIds) throws Exception {
        TestGrid grid = new TestGrid();
        try {
            for (int i = 0; i < storage.size(); i++) {
                TahoeIds tahoe = tahoeIds == null ? null : tahoeIds.get(i);
                ServerIdentity identity = ServerIdentity.loadOrCreate(storage.get(i).resolve("server"));
                HttpStorageServer server = HttpStorageServer.start(new StorageBackend(storage.get(i),
                        tahoe == null ? identity.tubId() : tahoe.tubId(), 0, Clock.systemUTC()), identity,
                        "127.0.0.1", 0);
                grid.servers.add(server);
                Map<String, Object> ann = server.announcement(tahoe == null ? "storage" + i : tahoe.nickname());
                if (tahoe != null) {
                    ann.put("anonymous-storage-FURL", tahoe.furl());
                    ann.put("permutation-seed-base32", tahoe.permutationSeedBase32());
                }
                grid.announcements.add(Map.entry(tahoe == null ? server.serverId() : tahoe.serverId(), ann));
            }
        } catch (Exception | Error e) {
            grid.close();
            throw e;
        }
        return grid;
    }

    /** Writes a client node directory for this grid at {@code dir} and returns it. */
    Path node(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("private"));
        Files.writeString(dir.resolve("tahoe.cfg"), "[client]\nshares.needed = 3\nshares.happy = 7\n"
                + "shares.total = 10\n");
        ServersYaml.write(dir.resolve("private/servers.yaml"), announcements);
        return dir;
    }

    List<HttpStorageServer> servers() {
        return servers;
    }

    @Override
    public void close() {
        servers.forEach(HttpStorageServer::close);
    }
}
