package org.lafsfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.storage.HttpStorageServer;

/** {@code lafsfs put} and {@code get} against a Tahoe-style node directory naming ten HTTPS storage servers. */
class PutGetCommandTest {
    @TempDir
    Path dir;

    TestGrid grid;
    List<HttpStorageServer> servers;
    Path node;

    @BeforeEach
    void grid() throws Exception {
        grid = TestGrid.start(dir);
        servers = grid.servers();
        node = grid.node(dir.resolve("node"));
    }

    @AfterEach
    void stop() {
        grid.close();
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

    /**
     * Memory is bounded by segment size and share count, not file size: a 512 MiB file goes up and comes
     * back through a separate lafsfs process whose heap is capped at 128 MiB.
     */
    @Test
    void aFileFourTimesTheHeapGoesUpAndComesBack() throws Exception {
        Path file = dir.resolve("big.bin");
        byte[] block = new byte[1 << 20];
        new Random(10).nextBytes(block);
        java.security.MessageDigest original = java.security.MessageDigest.getInstance("SHA-256");
        try (var out = Files.newOutputStream(file)) {
            for (int i = 0; i < 512; i++) {
                block[0] = (byte) i; // every MiB differs
                out.write(block);
                original.update(block);
            }
        }
        String cap = lafsfs("put", file.toString()).strip();
        assertThat(cap).endsWith(":3:10:536870912");
        Files.delete(file);
        Path copy = dir.resolve("copy.bin");
        lafsfs("get", cap, "-o", copy.toString());
        java.security.MessageDigest back = java.security.MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(copy)) {
            byte[] buffer = new byte[1 << 20];
            for (int r; (r = in.read(buffer)) > 0;) {
                back.update(buffer, 0, r);
            }
        }
        assertThat(back.digest()).isEqualTo(original.digest());
    }

    /** Runs lafsfs in its own JVM with a 128 MiB heap; returns its standard output, failing on a non-zero exit. */
    private String lafsfs(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--node-dir", node.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("lafsfs " + args[0] + " did not finish in 10 minutes: " + Files.readString(err));
        }
        assertThat(p.exitValue()).as("lafsfs %s: %s", args[0], Files.readString(err)).isZero();
        return Files.readString(out);
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
    void withConvergenceOffTheSameFileGetsANewKeyEachTime() throws Exception {
        Files.writeString(node.resolve("tahoe.cfg"), "[client]\nshares.happy = 7\n[lafsfs]\nconvergence = false\n");
        Path file = dir.resolve("file.bin");
        Files.write(file, new byte[100_000]);
        CapCommandTest.Result put = CapCommandTest.run("--node-dir", node.toString(), "put", file.toString());
        assertThat(put.exitCode()).as(put.err()).isZero();
        String first = put.out().strip();
        String second = CapCommandTest.run("--node-dir", node.toString(), "put", file.toString()).out().strip();
        assertThat(first).startsWith("URI:CHK:").isNotEqualTo(second);
        Path copy = dir.resolve("copy.bin");
        assertThat(CapCommandTest.run("--node-dir", node.toString(), "get", second, "-o", copy.toString())
                .exitCode()).isZero();
        assertThat(Files.readAllBytes(copy)).isEqualTo(new byte[100_000]);
        assertThat(node.resolve("private/convergence")).doesNotExist();
    }

    @Test
    void literalCapsNeedNoServers() throws Exception {
        CapCommandTest.Result get = CapCommandTest.run("--node-dir", dir.resolve("nowhere").toString(), "get",
                "URI:LIT:mzxw6ytboi");
        assertThat(get.exitCode()).isZero();
        assertThat(get.out()).isEqualTo("foobar");
    }
}
