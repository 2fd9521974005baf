package org.lafsfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.storage.HttpStorageClient;
import org.lafsfs.core.storage.Nurl;
import org.lafsfs.core.storage.ServerAnnouncement;
import org.lafsfs.core.storage.ServersYaml;
import org.lafsfs.storage.ExpirationPolicy;

/** {@code lafsfs storage-server} as a real process: started, used over HTTPS, stopped with SIGTERM, restarted. */
class StorageServerCommandTest {
    @TempDir
    Path dir;
    private int starts;

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "storage-server"));
        command.addAll(List.of(args));
        // Output goes to files: Process.destroy() closes the pipes of a process it stops.
        return new ProcessBuilder(command).redirectOutput(dir.resolve("stdout-" + starts).toFile())
                .redirectError(dir.resolve("stderr-" + starts++).toFile()).start();
    }

    private Nurl awaitNurl(Path file, Process process) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!Files.exists(file)) {
            if (!process.isAlive()) {
                throw new AssertionError("server exited with " + process.exitValue());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no NURL file after 60 s");
            }
            Thread.sleep(50);
        }
        return Nurl.parse(Files.readString(file));
    }

    @Test
    void servesOverHttpsWritesItsNurlStopsCleanlyAndKeepsItsIdentity() throws Exception {
        Path storage = dir.resolve("storage");
        Path nurlFile = dir.resolve("nurl");
        Process server = start("--storage-dir", storage.toString(), "--nurl-file", nurlFile.toString());
        Nurl nurl;
        try {
            nurl = awaitNurl(nurlFile, server);
            assertThat(nurl.locations().get(0).port()).isPositive();
            assertThat(new HttpStorageClient(nurl).version().join().availableSpace()).isPositive();
            List<ServerAnnouncement> yaml = ServersYaml.read(storage.resolve("server/servers.yaml"));
            assertThat(yaml).singleElement().satisfies(a -> {
                assertThat(a.nurls()).containsExactly(nurl);
                assertThat(a.writeEnablerNodeId()).hasSize(20);
            });
        } finally {
            server.destroy(); // SIGTERM
        }
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("stdout-0")).strip()).isEqualTo(nurl.toString());
        assertThat(Files.readString(dir.resolve("stderr-0"))).doesNotContain("Exception");

        Files.delete(nurlFile);
        Process again = start("--storage-dir", storage.toString(), "--nurl-file", nurlFile.toString());
        try {
            Nurl second = awaitNurl(nurlFile, again);
            assertThat(second.spkiHash()).isEqualTo(nurl.spkiHash());
            assertThat(second.swissnum()).isEqualTo(nurl.swissnum());
        } finally {
            again.destroy();
            again.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void anOccupiedPortIsOneClearSentence() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process server = start("--storage-dir", dir.resolve("s").toString(),
                    "--listen", "127.0.0.1:" + taken.getLocalPort());
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).isEqualTo(2);
            String err = Files.readString(dir.resolve("stderr-0")).strip();
            assertThat(err).startsWith("lafsfs: cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void sizesAreReadAsTahoeWritesThem() {
        assertThat(Sizes.parse("0")).isZero();
        assertThat(Sizes.parse("10k")).isEqualTo(10_000);
        assertThat(Sizes.parse("5M")).isEqualTo(5_000_000);
        assertThat(Sizes.parse("1GiB")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("2 GB")).isEqualTo(2_000_000_000L);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sizes.parse("lots"))
                .hasMessageContaining("not a size");
    }

    private static StorageServerCommand parse(String... args) {
        StorageServerCommand command = new StorageServerCommand();
        new picocli.CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void garbageCollectionIsOffUnlessAnExpireModeIsGiven() {
        assertThat(parse("--storage-dir", "s").expirationPolicy()).isEqualTo(ExpirationPolicy.DISABLED);
    }

    @Test
    void expireOptionsAreTahoesStorageSettings() {
        ExpirationPolicy age = parse("--storage-dir", "s", "--expire-mode", "age",
                "--expire-override-lease-duration", "60days", "--no-expire-mutable").expirationPolicy();
        assertThat(age).isEqualTo(new ExpirationPolicy(true, ExpirationPolicy.Mode.AGE, Duration.ofDays(60), null,
                true, false));
        ExpirationPolicy cutoff = parse("--storage-dir", "s", "--expire-mode", "cutoff-date",
                "--expire-cutoff-date", "2026-01-01", "--no-expire-immutable").expirationPolicy();
        assertThat(cutoff).isEqualTo(new ExpirationPolicy(true, ExpirationPolicy.Mode.CUTOFF_DATE, null,
                Instant.parse("2026-01-01T00:00:00Z"), false, true));
    }

    @Test
    void badExpireOptionsAreRefusedBeforeAnythingStarts() {
        Path storage = dir.resolve("never");
        assertThat(Main.run("storage-server", "--storage-dir", storage.toString(), "--expire-mode", "cutoff-date"))
                .isEqualTo(2);
        assertThat(Main.run("storage-server", "--storage-dir", storage.toString(), "--expire-mode", "age",
                "--expire-override-lease-duration", "soon")).isEqualTo(2);
        assertThat(Main.run("storage-server", "--storage-dir", storage.toString(), "--expire-cutoff-date",
                "2026-01-01")).isEqualTo(2);
        assertThat(storage).doesNotExist();
    }
}
