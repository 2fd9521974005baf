package org.lafsfs.sftp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.vfs.FileHandle;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.OpenOption;
import org.lafsfs.vfs.VfsFixture;

/**
 * Real SFTP clients from Debian's packages against the server, logging in with
 * an OpenSSH key made by ssh-keygen: OpenSSH's sftp in batch mode, sshfs,
 * rclone and restic. A missing tool fails the test under CI=true (.ci/run
 * installs them all) and skips it elsewhere.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RealClientsTest {
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(3);
    private static final String USER = "alice";
    /** alice also has a password (Tahoe's accounts file allows a key line and a password line for one name). */
    private static final String PASSWORD = "hunter2-is-not-a-good-password";

    @TempDir
    Path dir;

    private VfsFixture fixture;
    private LafsVfs served;
    private SftpServer server;
    private Path key;
    private Path local;

    @BeforeEach
    void serve() throws Exception {
        requireTool("ssh-keygen");
        Files.createDirectories(dir.resolve("grid"));
        fixture = new VfsFixture(dir.resolve("grid"));
        key = dir.resolve("id_ed25519");
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@test", "-f", key.toString()),
                Map.of());
        start(fixture.client());
        local = Files.createDirectories(dir.resolve("local"));
    }

    /** Serves {@code client}'s root to {@link #USER}, logging in with {@link #key}. */
    private void start(VfsFixture.Client client) throws Exception {
        served = LafsVfs.open(client.grid(), client.root(), client.config());
        String publicKey = Files.readString(dir.resolve("id_ed25519.pub"), UTF_8).strip();
        Accounts accounts = Accounts.parse(List.of(
                "# an accounts file in Tahoe's format",
                USER + " " + publicKey + " " + client.root().uri(),
                USER + " " + Accounts.hashPassword(PASSWORD) + " " + client.root().uri()),
                "accounts");
        server = SftpServer.start("127.0.0.1", 0, List.of(SftpTesting.hostKey()), accounts,
                (DirectoryCap root) -> served);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (served != null) {
            served.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    // ---------------------------------------------------------------- OpenSSH sftp

    @Test
    void opensshSftpBatchPutsGetsListsRenamesAndRemoves() throws Exception {
        requireTool("sftp");
        byte[] big = random(3 * 1024 * 1024 + 17, 1);
        Files.write(local.resolve("big.bin"), big);
        Files.writeString(local.resolve("small.txt"), "small file\n", UTF_8);
        Files.writeString(local.resolve("gr\u00fc\u00dfe.txt"), "non-ASCII name\n", UTF_8);
        // Resumed transfers: reput continues a partial upload at its end, reget a partial download.
        Files.write(local.resolve("first-half.bin"), java.util.Arrays.copyOf(big, big.length / 2));
        Files.write(local.resolve("partial.back"), java.util.Arrays.copyOf(big, 123_457));
        Path batch = dir.resolve("batch");
        Files.writeString(batch, String.join("\n",
                "mkdir backups",
                "mkdir doomed",
                "put " + local.resolve("big.bin") + " backups/big.bin",
                "put " + local.resolve("small.txt") + " small.txt",
                "put " + local.resolve("gr\u00fc\u00dfe.txt"),
                "ls -l backups",
                "rename small.txt backups/renamed.txt",
                "chmod 444 backups/renamed.txt",
                "get backups/big.bin " + local.resolve("big.back"),
                "get backups/renamed.txt " + local.resolve("small.back"),
                "get gr\u00fc\u00dfe.txt " + local.resolve("gruesse.back"),
                "rm backups/renamed.txt",
                "put " + local.resolve("first-half.bin") + " resumed.bin",
                "reput " + local.resolve("big.bin") + " resumed.bin",
                "get resumed.bin " + local.resolve("resumed.back"),
                "reget backups/big.bin " + local.resolve("partial.back"),
                "ln backups/big.bin hardlink.bin",
                "rmdir doomed",
                "ls -l",
                "df -h",
                ""), UTF_8);
        String out = run(List.of("sftp", "-b", batch.toString(), "-P", Integer.toString(server.port()),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes", "-i", key.toString(), USER + "@127.0.0.1"), Map.of());

        assertThat(sha256(local.resolve("big.back"))).isEqualTo(sha256(local.resolve("big.bin")));
        assertThat(Files.readString(local.resolve("small.back"), UTF_8)).isEqualTo("small file\n");
        assertThat(Files.readString(local.resolve("gruesse.back"), UTF_8)).isEqualTo("non-ASCII name\n");
        assertThat(sha256(local.resolve("resumed.back"))).as("reput").isEqualTo(sha256(local.resolve("big.bin")));
        assertThat(sha256(local.resolve("partial.back"))).as("reget").isEqualTo(sha256(local.resolve("big.bin")));
        assertThat(out).contains("big.bin").contains("gr\u00fc\u00dfe.txt");
        served.sync();
        assertThat(names(served.readdir("/"))).containsExactlyInAnyOrder("backups", "gr\u00fc\u00dfe.txt",
                "resumed.bin", "hardlink.bin");
        assertThat(read("/hardlink.bin")).isEqualTo(big);
        assertThat(names(served.readdir("/backups"))).containsExactly("big.bin");
        assertThat(served.stat("/backups/big.bin").size()).isEqualTo(big.length);
    }

    /** Tahoe ticket #1059 with a real client: a put whose upload fails is a failed put, and says so. */
    @Test
    void opensshSftpPutFailsWhenTheUploadFails() throws Exception {
        requireTool("sftp");
        server.close();
        served.close();
        // Directory listings stay cached for the length of the test, so that only the upload needs the grid.
        VfsFixture.Client patient = fixture.client().with(c -> c.withCache(new org.lafsfs.cache.CacheConfig(
                Duration.ofHours(1), 1000, 1000, 1 << 20, Duration.ofHours(1), 1000)));
        start(patient);
        served.stat("/");
        served.readdir("/");
        Files.write(local.resolve("doomed.bin"), random(500_000, 3));
        Path batch = dir.resolve("batch");
        Files.writeString(batch, "put " + local.resolve("doomed.bin") + " doomed.bin\n", UTF_8);
        fixture.serversDown();
        try {
            Result result = runAllowingFailure(List.of("sftp", "-b", batch.toString(), "-P",
                    Integer.toString(server.port()), "-o", "StrictHostKeyChecking=no", "-o",
                    "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i",
                    key.toString(), USER + "@127.0.0.1"), Map.of());
            assertThat(result.exit()).as("sftp's exit status after a failed upload:%n%s", result.output())
                    .isNotZero();
            assertThat(result.output()).containsIgnoringCase("close");
        } finally {
            fixture.serversUp();
        }
        // Kept in the spool, it reaches the grid once the servers are back.
        served.sync();
        assertThat(read("/doomed.bin")).isEqualTo(random(500_000, 3));
    }

    // ---------------------------------------------------------------- sshfs

    @Test
    void sshfsMountCopiesListsRenamesAndRemoves() throws Exception {
        requireTool("sshfs");
        requireTool("fusermount3");
        if (!Files.exists(Path.of("/dev/fuse"))) {
            missing("/dev/fuse");
        }
        Path mount = Files.createDirectories(dir.resolve("mnt"));
        run(List.of("sshfs", "-p", Integer.toString(server.port()), "-o",
                "IdentityFile=" + key + ",IdentitiesOnly=yes,StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,"
                        + "BatchMode=yes",
                USER + "@127.0.0.1:/", mount.toString()), Map.of());
        try {
            Map<String, byte[]> files = new TreeMap<>();
            for (int i = 0; i < 12; i++) {
                files.put("file-" + i + ".bin", random(1_000 + i * 37_000, 10 + i));
            }
            Path src = Files.createDirectories(local.resolve("tree"));
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Files.write(src.resolve(f.getKey()), f.getValue());
            }
            run(List.of("cp", "-r", src.toString(), mount.resolve("tree").toString()), Map.of());
            String listing = run(List.of("ls", "-l", mount.resolve("tree").toString()), Map.of());
            for (String name : files.keySet()) {
                assertThat(listing).contains(name);
                assertThat(sha256(mount.resolve("tree").resolve(name))).as(name)
                        .isEqualTo(sha256(src.resolve(name)));
            }
            run(List.of("mv", mount.resolve("tree/file-0.bin").toString(), mount.resolve("moved.bin").toString()),
                    Map.of());
            run(List.of("rm", mount.resolve("tree/file-1.bin").toString()), Map.of());
            run(List.of("df", mount.toString()), Map.of());
            assertThat(Files.readAllBytes(mount.resolve("moved.bin"))).isEqualTo(files.get("file-0.bin"));
            assertThat(Files.exists(mount.resolve("tree/file-1.bin"))).isFalse();
            // an open-write-rename, as editors and sshfs users save files
            Files.writeString(mount.resolve("doc.txt.tmp"), "saved by an editor\n", UTF_8);
            run(List.of("mv", mount.resolve("doc.txt.tmp").toString(), mount.resolve("doc.txt").toString()),
                    Map.of());
        } finally {
            run(List.of("fusermount3", "-u", mount.toString()), Map.of());
        }
        served.sync();
        assertThat(names(served.readdir("/"))).containsExactlyInAnyOrder("tree", "moved.bin", "doc.txt");
        assertThat(served.readdir("/tree")).hasSize(10);
        assertThat(new String(read("/doc.txt"), UTF_8)).isEqualTo("saved by an editor\n");
        assertThat(read("/moved.bin")).isEqualTo(random(1_000, 10));
    }

    // ---------------------------------------------------------------- rclone

    @Test
    void rcloneSyncsATreeAndChecksIt() throws Exception {
        requireTool("rclone");
        Path src = makeTree(local.resolve("src"));
        Files.writeString(dir.resolve("rclone.conf"), "", UTF_8);
        Map<String, String> env = Map.of(
                "RCLONE_CONFIG", dir.resolve("rclone.conf").toString(),
                "RCLONE_CONFIG_LAFS_TYPE", "sftp",
                "RCLONE_CONFIG_LAFS_HOST", "127.0.0.1",
                "RCLONE_CONFIG_LAFS_PORT", Integer.toString(server.port()),
                "RCLONE_CONFIG_LAFS_USER", USER,
                "RCLONE_CONFIG_LAFS_KEY_FILE", key.toString(),
                // no shell on this server to run md5sum: compare contents by downloading them
                "RCLONE_CONFIG_LAFS_DISABLE_HASHCHECK", "true");
        run(List.of("rclone", "sync", src.toString(), "lafs:backup"), env);
        run(List.of("rclone", "check", "--download", src.toString(), "lafs:backup"), env);
        // a second sync after a change moves only the change
        Files.writeString(src.resolve("a/changed.txt"), "changed contents\n", UTF_8);
        Files.delete(src.resolve("top-0.bin"));
        run(List.of("rclone", "sync", src.toString(), "lafs:backup"), env);
        run(List.of("rclone", "check", "--download", src.toString(), "lafs:backup"), env);
        served.sync();
        assertThat(new String(read("/backup/a/changed.txt"), UTF_8)).isEqualTo("changed contents\n");
    }

    // ---------------------------------------------------------------- restic

    @Test
    void resticBacksUpChecksAndRestoresATree() throws Exception {
        requireTool("restic");
        requireTool("ssh");
        Path src = makeTree(local.resolve("src"));
        Path cache = Files.createDirectories(dir.resolve("restic-cache"));
        String ssh = "ssh -p " + server.port() + " -i " + key + " -o IdentitiesOnly=yes -o StrictHostKeyChecking=no"
                + " -o UserKnownHostsFile=/dev/null -o BatchMode=yes " + USER + "@127.0.0.1 -s sftp";
        Map<String, String> env = Map.of("RESTIC_PASSWORD", "correct horse battery staple",
                "RESTIC_CACHE_DIR", cache.toString());
        List<String> restic = List.of("restic", "--no-cache", "-r", "sftp:" + USER + "@127.0.0.1:/restic-repo",
                "-o", "sftp.command=" + ssh);
        run(with(restic, "init"), env);
        run(with(restic, "backup", src.toString()), env);
        run(with(restic, "check", "--read-data"), env);
        Path restored = dir.resolve("restored");
        run(with(restic, "restore", "latest", "--target", restored.toString()), env);
        Path copy = restored.resolve(src.toString().substring(1));
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(sha256(copy.resolve(src.relativize(f)))).as(f.toString()).isEqualTo(sha256(f));
            }
        }
        served.sync();
        assertThat(names(served.readdir("/restic-repo"))).contains("config", "data", "index", "keys", "snapshots");
    }

    // ---------------------------------------------------------------- password accounts

    /**
     * The same clients logging in with alice's password instead of her key: OpenSSH (sftp, and restic through
     * ssh) reads it from an SSH_ASKPASS program, sshfs from stdin, rclone from its obscured config value.
     */
    @Test
    void passwordAccountsWorkWithOpenSshSftpSshfsRcloneAndRestic() throws Exception {
        requireTool("sftp");
        String password = PASSWORD;
        Path askpass = dir.resolve("askpass.sh");
        Files.writeString(askpass, "#!/bin/sh\necho '" + password + "'\n", UTF_8);
        askpass.toFile().setExecutable(true, true);
        Map<String, String> askEnv = Map.of("SSH_ASKPASS", askpass.toString(), "SSH_ASKPASS_REQUIRE", "force",
                "DISPLAY", ":0");
        String noKey = "-o PreferredAuthentications=password -o PubkeyAuthentication=no"
                + " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null";

        // OpenSSH sftp: commands on stdin (its -b batch mode turns password prompts off)
        Files.writeString(local.resolve("p.txt"), "put with a password\n", UTF_8);
        Files.writeString(dir.resolve("cmds"), "mkdir pw\nput " + local.resolve("p.txt") + " pw/p.txt\nget pw/p.txt "
                + local.resolve("p.back") + "\n", UTF_8);
        run(List.of("bash", "-c", "sftp -P " + server.port() + " " + noKey + " " + USER + "@127.0.0.1 < "
                + dir.resolve("cmds")), askEnv);
        assertThat(Files.readString(local.resolve("p.back"), UTF_8)).isEqualTo("put with a password\n");

        // A wrong password is refused.
        Path wrong = dir.resolve("wrong.sh");
        Files.writeString(wrong, "#!/bin/sh\necho 'not it'\n", UTF_8);
        wrong.toFile().setExecutable(true, true);
        Result refused = runAllowingFailure(List.of("bash", "-c", "echo ls | sftp -P " + server.port() + " "
                + noKey + " -o NumberOfPasswordPrompts=1 " + USER + "@127.0.0.1"), Map.of("SSH_ASKPASS",
                wrong.toString(), "SSH_ASKPASS_REQUIRE", "force", "DISPLAY", ":0"));
        assertThat(refused.exit()).as(refused.output()).isNotZero();

        // rclone with the obscured password
        if (toolPresent("rclone")) {
            String obscured = run(List.of("rclone", "obscure", password), Map.of()).strip();
            Path src = makeTree(local.resolve("rclone-src"));
            Files.writeString(dir.resolve("rclone.conf"), "", UTF_8);
            Map<String, String> env = Map.of("RCLONE_CONFIG", dir.resolve("rclone.conf").toString(),
                    "RCLONE_CONFIG_PW_TYPE", "sftp", "RCLONE_CONFIG_PW_HOST", "127.0.0.1",
                    "RCLONE_CONFIG_PW_PORT", Integer.toString(server.port()), "RCLONE_CONFIG_PW_USER", USER,
                    "RCLONE_CONFIG_PW_PASS", obscured, "RCLONE_CONFIG_PW_DISABLE_HASHCHECK", "true");
            run(List.of("rclone", "sync", src.toString(), "pw:rclone"), env);
            run(List.of("rclone", "check", "--download", src.toString(), "pw:rclone"), env);
        } else {
            requireTool("rclone");
        }

        // restic through ssh, which asks SSH_ASKPASS
        if (toolPresent("restic")) {
            Path src = makeTree(local.resolve("restic-src"));
            String ssh = "ssh -p " + server.port() + " " + noKey + " " + USER + "@127.0.0.1 -s sftp";
            Map<String, String> env = new java.util.HashMap<>(askEnv);
            env.put("RESTIC_PASSWORD", "correct horse battery staple");
            List<String> restic = List.of("restic", "--no-cache", "-r", "sftp:" + USER + "@127.0.0.1:/pw-restic",
                    "-o", "sftp.command=" + ssh);
            run(with(restic, "init"), env);
            run(with(restic, "backup", src.toString()), env);
            run(with(restic, "check", "--read-data"), env);
        } else {
            requireTool("restic");
        }

        // sshfs reading the password from stdin
        if (toolPresent("sshfs") && toolPresent("fusermount3") && Files.exists(Path.of("/dev/fuse"))) {
            Path mount = Files.createDirectories(dir.resolve("pw-mnt"));
            Files.writeString(dir.resolve("pw"), password + "\n", UTF_8);
            run(List.of("bash", "-c", "sshfs -p " + server.port() + " -o password_stdin " + noKey + " " + USER
                    + "@127.0.0.1:/ " + mount + " < " + dir.resolve("pw")), Map.of());
            try {
                Files.writeString(mount.resolve("pw/from-sshfs.txt"), "sshfs with a password\n", UTF_8);
                assertThat(Files.readString(mount.resolve("pw/p.txt"), UTF_8)).isEqualTo("put with a password\n");
            } finally {
                run(List.of("fusermount3", "-u", mount.toString()), Map.of());
            }
        } else {
            requireTool("sshfs");
        }
        served.sync();
        assertThat(names(served.readdir("/pw"))).contains("p.txt");
    }

    // ---------------------------------------------------------------- helpers

    /** A small tree: files of several sizes (empty, small, a few MiB) in nested directories. */
    private static Path makeTree(Path root) throws IOException {
        Files.createDirectories(root.resolve("a/b"));
        Files.createDirectories(root.resolve("empty-dir"));
        Files.write(root.resolve("top-0.bin"), random(2 * 1024 * 1024 + 5, 20));
        Files.write(root.resolve("empty.txt"), new byte[0]);
        Files.writeString(root.resolve("a/changed.txt"), "first contents\n", UTF_8);
        for (int i = 0; i < 5; i++) {
            Files.write(root.resolve("a/b/f" + i + ".dat"), random(100 + i * 50_000, 30 + i));
        }
        return root;
    }

    private static List<String> with(List<String> command, String... more) {
        List<String> all = new ArrayList<>(command);
        all.addAll(List.of(more));
        return all;
    }

    private byte[] read(String path) throws Exception {
        try (FileHandle h = served.open(path, java.util.Set.of(OpenOption.READ))) {
            byte[] data = new byte[(int) h.size()];
            for (int at = 0, n; at < data.length; at += n) {
                n = h.read(at, data, at, data.length - at);
                if (n <= 0) {
                    throw new IOException("short read of " + path);
                }
            }
            return data;
        }
    }

    private static List<String> names(List<org.lafsfs.vfs.DirectoryListing> listing) {
        return listing.stream().map(org.lafsfs.vfs.DirectoryListing::name).toList();
    }

    private static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** A tool the test needs: under CI=true its absence is a failure (.ci/run installs it), elsewhere a skip. */
    private static boolean toolPresent(String name) {
        try {
            return new ProcessBuilder("bash", "-c", "command -v " + name).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static void requireTool(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return;
            }
        }
        missing(name);
    }

    private static void missing(String what) {
        if ("true".equals(System.getenv("CI"))) {
            fail(what + " is missing (CI=true: .ci/run installs it)");
        }
        Assumptions.abort(what + " is not installed here");
    }

    /** Runs a command to completion; a non-zero exit fails the test with everything it printed. */
    private String run(List<String> command, Map<String, String> env) throws Exception {
        Result result = runAllowingFailure(command, env);
        if (result.exit() != 0) {
            fail(String.join(" ", command) + " exited " + result.exit() + ":\n" + result.output());
        }
        return result.output();
    }

    private record Result(int exit, String output) {
    }

    private Result runAllowingFailure(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
        pb.environment().putAll(env);
        Path output = Files.createTempFile(dir, "out", ".txt");
        pb.redirectOutput(output.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long started = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + TOOL_TIMEOUT + ":\n"
                    + Files.readString(output, UTF_8));
        }
        String out = Files.readString(output, UTF_8);
        System.out.printf("%.1f s: %s%n", (System.nanoTime() - started) / 1e9, String.join(" ", command));
        return new Result(p.exitValue(), out);
    }
}
