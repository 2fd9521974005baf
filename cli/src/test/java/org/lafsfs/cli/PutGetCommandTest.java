package org.lafsfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.storage.ServersYaml;
import org.lafsfs.storage.HttpStorageServer;
import org.lafsfs.storage.ServerIdentity;
import org.lafsfs.storage.StorageBackend;

/** {@code lafsfs put} and {@code get} against a Tahoe-style node directory naming ten HTTPS storage servers. */
class PutGetCommandTest {
    @TempDir
    Path dir;

    final List<HttpStorageServer> servers = new ArrayList<>();
    Path node;

    @BeforeEach
    void grid() throws Exception {
        List<Map.Entry<String, Map<String, Object>>> entries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Path storage = dir.resolve("storage" + i);
            ServerIdentity identity = ServerIdentity.loadOrCreate(storage.resolve("server"));
            HttpStorageServer server = HttpStorageServer.start(
                    new StorageBackend(storage, identity.tubId(), 0, Clock.systemUTC()), identity, "127.0.0.1", 0);
            servers.add(server);
            entries.add(Map.entry(server.serverId(), server.announcement("storage" + i)));
        }
        node = dir.resolve("node");
        Files.createDirectories(node.resolve("private"));
        Files.writeString(node.resolve("tahoe.cfg"), "[client]\nshares.needed = 3\nshares.happy = 7\n"
                + "shares.total = 10\n");
        ServersYaml.write(node.resolve("private/servers.yaml"), entries);
    }

    @AfterEach
    void stop() {
        servers.forEach(HttpStorageServer::close);
    }

    @Test
    void putPrintsACapThatGetReadsBack() throws Exception {
        byte[] data = new byte[2_500_000];
        new Random(9).nextBytes(data);
        Path file = dir.resolve("file.bin");
        Files.write(file, data);
        CapCommandTest.Result put = CapCommandTest.run("--node-dir", node.toString(), "put", file.toString());
        assertThat(put.exitCode()).as(put.err()).isZero();
        String cap = put.out().strip();
        assertThat(cap).startsWith("URI:CHK:").endsWith(":3:10:2500000");
        // Tahoe's spelling, after the subcommand.
        Path copy = dir.resolve("copy.bin");
        CapCommandTest.Result get = CapCommandTest.run("get", cap, "-o", copy.toString(), "-d", node.toString());
        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(Files.readAllBytes(copy)).isEqualTo(data);
        // The same file again gives the same cap (convergence secret kept in private/convergence).
        assertThat(CapCommandTest.run("put", file.toString(), "--node-directory", node.toString()).out().strip())
                .isEqualTo(cap);
        assertThat(Files.readString(node.resolve("private/convergence")).strip()).hasSize(52);
    }

    @Test
    void anUnrecoverableFileIsOneSentenceAndNoOutputFile() throws Exception {
        Path file = dir.resolve("file.bin");
        Files.write(file, new byte[100_000]);
        String cap = CapCommandTest.run("--node-dir", node.toString(), "put", file.toString()).out().strip();
        servers.forEach(HttpStorageServer::close);
        Path out = dir.resolve("out.bin");
        CapCommandTest.Result get = CapCommandTest.run("--node-dir", node.toString(), "get", cap, "-o",
                out.toString());
        assertThat(get.exitCode()).isNotZero();
        assertThat(get.err().strip()).startsWith("lafsfs: cannot read").contains("usable shares of the 3 needed");
        assertThat(get.err().lines()).hasSize(1);
        assertThat(out).doesNotExist();
    }

    @Test
    void tooFewServersForHappinessIsOneSentence() throws Exception {
        for (int i = 0; i < 4; i++) {
            servers.get(i).close();
        }
        Path file = dir.resolve("file.bin");
        Files.write(file, new byte[100_000]);
        CapCommandTest.Result put = CapCommandTest.run("--node-dir", node.toString(), "put", file.toString());
        assertThat(put.exitCode()).isNotZero();
        assertThat(put.err().strip()).startsWith("lafsfs: upload of").contains("shares.happy is 7");
        assertThat(put.err().lines()).hasSize(1);
    }

    @Test
    void literalCapsNeedNoServers() throws Exception {
        CapCommandTest.Result get = CapCommandTest.run("--node-dir", dir.resolve("nowhere").toString(), "get",
                "URI:LIT:mzxw6ytboi");
        assertThat(get.exitCode()).isZero();
        assertThat(get.out()).isEqualTo("foobar");
    }
}
