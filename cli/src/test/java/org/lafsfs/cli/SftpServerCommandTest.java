package org.lafsfs.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lafsfs sftp-server} as a real process over ten HTTPS storage servers:
 * it reports the port it chose, serves an account of the accounts file, keeps
 * its host key across restarts, and finishes its uploads when stopped.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SftpServerCommandTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private int starts;

    private Process start(Path node, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--node-dir", node.toString(),
                "sftp-server"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(dir.resolve("stdout-" + starts).toFile())
                .redirectError(dir.resolve("stderr-" + starts++).toFile()).start();
    }

    private int awaitPort(Path file, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(file) || Files.readString(file).isBlank()) {
            if (!process.isAlive()) {
                throw new AssertionError("sftp-server exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("stderr-" + (starts - 1))));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no port file after 60 s");
            }
            Thread.sleep(50);
        }
        return Integer.parseInt(Files.readString(file).strip());
    }

    @Test
    void servesAnAccountReportsItsPortKeepsItsHostKeyAndStopsCleanly() throws Exception {
        try (TestGrid grid = TestGrid.start(dir.resolve("storage"))) {
            Path node = grid.node(dir.resolve("node"));
            CapCommandTest.Result mkdir = CapCommandTest.run("--node-dir", node.toString(), "mkdir");
            assertThat(mkdir.exitCode()).as(mkdir.err()).isZero();
            String root = mkdir.out().strip();
            KeyPair key = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
            Files.writeString(node.resolve("private/accounts"), "# name key rootcap\nalice "
                    + PublicKeyEntry.toString(key.getPublic()) + " alice@test " + root + "\n", UTF_8);

            Path portFile = dir.resolve("port");
            Process server = start(node, "--port-file", portFile.toString());
            String hostKey;
            try {
                int port = awaitPort(portFile, server);
                assertThat(port).isPositive();
                assertThat(Files.readString(dir.resolve("stdout-0"))).contains("listening on 127.0.0.1:" + port);
                hostKey = Files.readString(node.resolve("private/ssh_host_ed25519_key.pub"));
                try (SshClient client = SshClient.setUpDefaultClient()) {
                    java.security.PublicKey expected = PublicKeyEntry.parsePublicKeyEntry(hostKey.strip())
                            .resolvePublicKey(null, java.util.Map.of(), null);
                    client.setServerKeyVerifier((s, a, k) -> KeyUtils.compareKeys(k, expected));
                    client.start();
                    try (ClientSession session = client.connect("alice", "127.0.0.1", port).verify(TIMEOUT)
                            .getSession()) {
                        session.addPublicKeyIdentity(key);
                        session.auth().verify(TIMEOUT);
                        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
                            sftp.mkdir("/docs");
                            try (SftpClient.CloseableHandle h = sftp.open("/docs/hello.txt", SftpClient.OpenMode.Write,
                                    SftpClient.OpenMode.Create)) {
                                sftp.write(h, 0, "hello over sftp\n".getBytes(UTF_8));
                            }
                        }
                    }
                }
            } finally {
                server.destroy(); // SIGTERM: closes the server, then finishes every upload
                assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(server.exitValue()).as(Files.readString(dir.resolve("stderr-0"))).isIn(0, 143);
            CapCommandTest.Result get = CapCommandTest.run("--node-dir", node.toString(), "get",
                    root + "/docs/hello.txt");
            assertThat(get.out()).isEqualTo("hello over sftp\n");

            // A restart keeps the host key.
            Files.delete(portFile);
            Process again = start(node, "--port-file", portFile.toString());
            try {
                awaitPort(portFile, again);
                assertThat(Files.readString(node.resolve("private/ssh_host_ed25519_key.pub"))).isEqualTo(hostKey);
            } finally {
                again.destroy();
                again.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void withoutAnAccountsFileItSaysWhatToWriteAndExits2() throws Exception {
        try (TestGrid grid = TestGrid.start(dir.resolve("storage"))) {
            Path node = grid.node(dir.resolve("node"));
            CapCommandTest.Result r = CapCommandTest.run("--node-dir", node.toString(), "sftp-server");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("lafsfs: no accounts file at").doesNotContain("\n");
        }
    }

    @Test
    void hashPasswordPrintsAHashTheAccountsFileAccepts() {
        CapCommandTest.Result r = CapCommandTest.runWithInput("s3cret\n".getBytes(UTF_8), "sftp-server",
                "--hash-password");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().strip()).startsWith("pbkdf2-sha256$");
        org.lafsfs.sftp.Accounts accounts = org.lafsfs.sftp.Accounts.parse(List.of("bob " + r.out().strip()
                + " URI:DIR2:ovjy4yhylqlfoqg2vcze36dhde:4d4f47qko2xm5g7osgo2yyidi5m4muyo2vjjy53q4vjju2u55mfa"), "test");
        assertThat(accounts.acceptsPassword("bob", "s3cret")).isTrue();
    }

    @Test
    void addressesInLafsfsAndTahoeForms() {
        assertThat(SftpServerCommand.address(null)).containsExactly("127.0.0.1", "0");
        assertThat(SftpServerCommand.address("0.0.0.0:2222")).containsExactly("0.0.0.0", "2222");
        assertThat(SftpServerCommand.address("tcp:8022:interface=127.0.0.1")).containsExactly("127.0.0.1", "8022");
        assertThat(SftpServerCommand.address("8022")).containsExactly("127.0.0.1", "8022");
    }
}
