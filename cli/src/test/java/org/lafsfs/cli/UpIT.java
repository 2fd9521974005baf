package org.lafsfs.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lafsfs up} as a user runs it: the repository's launcher, a fresh
 * HOME, Ctrl-C (SIGTERM) and a second start. A file written over SFTP is read
 * through the kernel mount, and is still there after the restart. Runs on the
 * embedded grid, and on a node directory whose servers.yaml names standalone
 * {@code lafsfs storage-server} processes (the stand-in for a real Tahoe grid).
 *
 * <p>Under CI=true the mount must work (.ci/run installs FUSE); elsewhere a
 * machine without /dev/fuse checks SFTP only.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class UpIT {
    private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent().resolve("lafsfs");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SFTP_LINE = Pattern.compile("(?m)^  SFTP: +127\\.0\\.0\\.1:(\\d+), user tester");
    private static final Pattern DRIVE_LINE = Pattern.compile("(?m)^  drive: +(.*)$");

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();
    private Path home;
    private KeyPair key;

    /** A started {@code lafsfs up}: its process, what it printed, and what it said about itself. */
    private record Up(Process process, Output out, Output err, int port, String drive) {
    }

    /**
     * What a process prints, in a file (a pipe read after the process ended can lose its last lines: the JDK
     * drains and closes it under a reader).
     */
    private record Output(Path file) {
        String text() throws IOException {
            return Files.exists(file) ? Files.readString(file, UTF_8) : "";
        }
    }

    private void newHome() throws Exception {
        home = Files.createDirectories(dir.resolve("home"));
        key = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(ssh.resolve("id_ed25519.pub"), PublicKeyEntry.toString(key.getPublic()) + " tester@it\n");
    }

    private int launched;

    /** Starts ./lafsfs with ARGS; what it prints goes to files named after it, read with {@link Output}. */
    private Process launch(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(LAUNCHER.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null")));
        builder.redirectOutput(dir.resolve("out-" + launched).toFile());
        builder.redirectError(dir.resolve("err-" + launched++).toFile());
        builder.environment().putAll(Map.of("HOME", home.toString(), "USER", "tester"));
        Process p = builder.start();
        processes.add(p);
        return p;
    }

    private Output out(Process p) {
        return new Output(dir.resolve("out-" + processes.indexOf(p)));
    }

    private Output err(Process p) {
        return new Output(dir.resolve("err-" + processes.indexOf(p)));
    }

    private Up up(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("up"));
        all.addAll(List.of(args));
        Process p = launch(all);
        Output out = out(p);
        Output err = err(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180); // the first run may build the jar
        while (!out.text().contains("Stop: Ctrl-C.")) {
            if (!p.isAlive()) {
                throw new AssertionError("lafsfs up exited with " + p.exitValue() + ":\n" + out.text() + err.text());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("lafsfs up did not report ready:\n" + out.text() + err.text());
            }
            Thread.sleep(100);
        }
        Matcher sftp = SFTP_LINE.matcher(out.text());
        Matcher drive = DRIVE_LINE.matcher(out.text());
        assertThat(sftp.find()).as(out.text()).isTrue();
        assertThat(drive.find()).as(out.text()).isTrue();
        return new Up(p, out, err, Integer.parseInt(sftp.group(1)), drive.group(1));
    }

    /** Ctrl-C, as the user does it: everything stops in order and the process ends. */
    private void stop(Up up) throws Exception {
        up.process().destroy(); // SIGTERM
        assertThat(up.process().waitFor(120, TimeUnit.SECONDS)).as("stopped within 120 s").isTrue();
        assertThat(up.process().exitValue()).as(up.err().text()).isIn(0, 143); // 143: ended by SIGTERM
        assertThat(up.err().text()).contains("lafsfs: stopped").doesNotContain("lafsfs: stopped (see above)");
    }

    private static boolean fuseExpected() {
        return "true".equals(System.getenv("CI")) || Files.exists(Path.of("/dev/fuse"));
    }

    private SftpClient sftp(ClientSession session) throws IOException {
        return SftpClientFactory.instance().createSftpClient(session);
    }

    private void withSftp(int port, SftpAction action) throws Exception {
        try (SshClient client = SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier((s, a, k) -> true); // the host key is checked by SftpServerCommandTest
            client.start();
            try (ClientSession session = client.connect("tester", "127.0.0.1", port).verify(TIMEOUT).getSession()) {
                session.addPublicKeyIdentity(key);
                session.auth().verify(TIMEOUT);
                try (SftpClient sftp = sftp(session)) {
                    action.run(sftp);
                }
            }
        }
    }

    @FunctionalInterface
    private interface SftpAction {
        void run(SftpClient sftp) throws Exception;
    }

    private static void write(SftpClient sftp, String path, byte[] data) throws IOException {
        try (SftpClient.CloseableHandle h = sftp.open(path, SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
                SftpClient.OpenMode.Truncate)) {
            sftp.write(h, 0, data);
        }
    }

    private static byte[] read(SftpClient sftp, String path) throws IOException {
        try (var in = sftp.read(path)) {
            return in.readAllBytes();
        }
    }

    private JsonNode status(String... nodeDirArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of(nodeDirArgs));
        args.addAll(List.of("status", "--json"));
        Process p = launch(args);
        Output out = out(p);
        Output err = err(p);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        JsonNode status = JSON.readTree(out.text());
        assertThat(p.exitValue()).as(err.text()).isEqualTo(status.path("running").asBoolean() ? 0 : 3);
        return status;
    }

    /**
     * The walk-through both grids get: write over SFTP and read through the mount (and the other way), status
     * while up, Ctrl-C, status while down, start again, and everything is where it was.
     */
    private void writeStopStartAndFind(int servers, String... nodeDirArgs) throws Exception {
        byte[] big = new byte[3 * 1024 * 1024 + 17]; // CHK, several segments
        new java.util.Random(9).nextBytes(big);
        List<String> upArgs = new ArrayList<>(List.of(nodeDirArgs));
        Up first = up(upArgs.toArray(String[]::new));
        boolean mounted = !first.drive().startsWith("not mounted");
        if (fuseExpected() && "true".equals(System.getenv("CI"))) {
            assertThat(mounted).as("the mount (CI has FUSE): " + first.drive()).isTrue();
        }
        withSftp(first.port(), sftp -> {
            sftp.mkdir("/docs");
            write(sftp, "/docs/from-sftp.txt", "written over SFTP\n".getBytes(UTF_8));
            write(sftp, "/big.bin", big);
        });
        if (mounted) {
            Path drive = Path.of(first.drive());
            assertThat(Files.readString(drive.resolve("docs/from-sftp.txt"))).isEqualTo("written over SFTP\n");
            assertThat(Files.readAllBytes(drive.resolve("big.bin"))).isEqualTo(big);
            Files.writeString(drive.resolve("docs/from-mount.txt"), "written through the mount\n");
            withSftp(first.port(), sftp -> assertThat(new String(read(sftp, "/docs/from-mount.txt"), UTF_8))
                    .isEqualTo("written through the mount\n"));
        }

        JsonNode running = status(nodeDirArgs);
        assertThat(running.path("running").asBoolean()).isTrue();
        assertThat(running.path("sftp").path("port").asInt()).isEqualTo(first.port());
        assertThat(running.path("root").asText()).startsWith("URI:DIR2");
        assertThat(running.path("grid").path("servers")).hasSize(servers)
                .allMatch(s -> s.path("reachable").asBoolean() && s.path("available_space").asLong() > 0);
        assertThat(running.path("uploads").path("failed")).isEmpty();
        assertThat(running.path("mount").path("mounted").asBoolean()).isEqualTo(mounted);
        // Another process reaches the servers over HTTPS (up's own client calls its embedded ones directly):
        // it finds the shares where up put them, once the root's edit is published (within its edit window).
        Path fetched = dir.resolve("fetched-" + System.nanoTime() + ".bin");
        List<String> get = new ArrayList<>(List.of(nodeDirArgs));
        get.addAll(List.of("get", "lafsfs:big.bin", "-o", fetched.toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Process p = launch(get);
            Output getErr = err(p);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            if (p.exitValue() == 0 || System.nanoTime() > deadline) {
                assertThat(p.exitValue()).as(getErr.text()).isZero();
                break;
            }
            Thread.sleep(500);
        }
        assertThat(Files.readAllBytes(fetched)).isEqualTo(big);

        stop(first);
        if (mounted) {
            assertThat(Files.readString(Path.of("/proc/mounts"))).doesNotContain(" " + first.drive() + " ");
        }
        assertThat(status(nodeDirArgs).path("running").asBoolean()).isFalse();

        Up second = up(upArgs.toArray(String[]::new));
        assertThat(second.port()).as("the SFTP port of the last run, still free").isEqualTo(first.port());
        assertThat(second.out().text()).contains(running.path("root").asText());
        withSftp(second.port(), sftp -> {
            assertThat(new String(read(sftp, "/docs/from-sftp.txt"), UTF_8)).isEqualTo("written over SFTP\n");
            assertThat(read(sftp, "/big.bin")).isEqualTo(big);
        });
        if (mounted) {
            Path drive = Path.of(second.drive());
            assertThat(Files.readString(drive.resolve("docs/from-sftp.txt"))).isEqualTo("written over SFTP\n");
            assertThat(Files.readString(drive.resolve("docs/from-mount.txt"))).isEqualTo("written through the mount\n");
        }
        stop(second);
    }

    @Test
    void onAFreshMachineUpRunsTheEmbeddedGridAndFindsEverythingAgainAfterARestart() throws Exception {
        newHome();
        writeStopStartAndFind(10);
        Path node = home.resolve(".lafsfs");
        assertThat(node.resolve("tahoe.cfg")).exists();
        assertThat(Files.readString(node.resolve("private/aliases"))).startsWith("lafsfs: URI:DIR2:");
        assertThat(Files.readString(node.resolve("private/accounts"))).contains("tester ssh-ed25519 ");
        assertThat(node.resolve("embedded-grid/server-09/shares")).isDirectory();
        assertThat(Files.readString(node.resolve("logs/lafsfs.log"))).contains("SFTP server listening on");
        assertThat(Files.readString(node.resolve("private/lease-renewal.json"))).contains("\"last_renewal\"");
    }

    @Test
    void anExistingNodeDirectoryIsUsedWithItsOwnServersAndNoEmbeddedOnes() throws Exception {
        newHome();
        Path grid = Files.createDirectories(dir.resolve("grid"));
        StringBuilder yaml = new StringBuilder("storage:\n");
        List<Process> servers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path nurl = grid.resolve("s" + i + ".nurl");
            Process p = launch(List.of("storage-server", "--storage-dir", grid.resolve("s" + i).toString(),
                    "--nurl-file", nurl.toString()));
            servers.add(p);
        }
        for (int i = 0; i < 4; i++) {
            Path nurl = grid.resolve("s" + i + ".nurl");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(nurl)) {
                assertThat(servers.get(i).isAlive()).as("storage server " + i + " runs").isTrue();
                assertThat(System.nanoTime()).as("storage server " + i + " ready in time").isLessThan(deadline);
                Thread.sleep(100);
            }
            List<String> entry = Files.readAllLines(grid.resolve("s" + i + "/server/servers.yaml"), UTF_8);
            entry.subList(2, entry.size()).forEach(line -> yaml.append(line).append('\n')); // below "---", "storage:"
        }
        Path node = Files.createDirectories(dir.resolve("tahoe-node").resolve("private"));
        Files.writeString(node.resolve("servers.yaml"), yaml.toString());
        Files.writeString(node.getParent().resolve("tahoe.cfg"),
                "[node]\nnickname = a tahoe client\n\n[client]\nshares.needed = 2\nshares.happy = 3\n"
                        + "shares.total = 4\n");

        writeStopStartAndFind(4, "--node-dir", node.getParent().toString());
        assertThat(node.getParent().resolve("embedded-grid")).doesNotExist();
        assertThat(Files.readString(node.resolve("servers.yaml"))).isEqualTo(yaml.toString());
        for (int i = 0; i < 4; i++) {
            try (var shares = Files.walk(grid.resolve("s" + i).resolve("shares"))) {
                assertThat(shares.filter(Files::isRegularFile).count()).as("shares on server " + i).isPositive();
            }
        }
    }

    @Test
    void dropUploadConfiguredAsTahoeHadItRunsWithUp() throws Exception {
        newHome();
        stop(up("--no-mount")); // the first run makes the node directory and the root
        Path node = home.resolve(".lafsfs");
        String root = Files.readString(node.resolve("private/aliases")).strip().substring("lafsfs: ".length());
        Path folder = Files.createDirectories(home.resolve("Drop Box"));
        Files.writeString(folder.resolve("before.txt"), "made while lafsfs was stopped\n");
        Files.writeString(node.resolve("tahoe.cfg"), Files.readString(node.resolve("tahoe.cfg"))
                + "\n[drop_upload]\nenabled = true\nlocal.directory = ~/Drop Box\n");
        Files.writeString(node.resolve("private/drop_upload_dircap"), root + "\n");

        Up running = up("--no-mount");
        assertThat(running.out().text()).contains("drop-upload: " + folder);
        Files.createDirectories(folder.resolve("sub"));
        Files.writeString(folder.resolve("sub/after.txt"), "made while it runs\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean both = false;
        while (!both && System.nanoTime() < deadline) {
            Thread.sleep(500);
            JsonNode drop = status().path("drop_upload");
            both = drop.path("uploaded").asLong() >= 2 && drop.path("waiting").asInt() == 0
                    && drop.path("uploading").asInt() == 0;
        }
        assertThat(both).as("both files uploaded, as status says").isTrue();
        withSftp(running.port(), sftp -> {
            assertThat(new String(read(sftp, "/before.txt"), UTF_8)).isEqualTo("made while lafsfs was stopped\n");
            assertThat(new String(read(sftp, "/sub/after.txt"), UTF_8)).isEqualTo("made while it runs\n");
        });
        stop(running);
        assertThat(node.resolve("private/drop-upload")).isDirectory();
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        if (home != null) {
            Path drive = home.resolve("lafsfs-drive");
            if (Files.readString(Path.of("/proc/mounts")).contains(" " + drive + " ")) {
                new ProcessBuilder("fusermount", "-u", "-z", drive.toString()).inheritIO().start().waitFor();
            }
        }
    }
}
