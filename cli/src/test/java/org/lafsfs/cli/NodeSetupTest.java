package org.lafsfs.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.cap.CapParser;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.sftp.Accounts;

/** What lafsfs up sets up in a node directory, and what it leaves alone. */
class NodeSetupTest {
    private static final DirectoryCap ROOT = (DirectoryCap) CapParser.parse(
            "URI:DIR2:ovjy4yhylqlfoqg2vcze36dhde:4d4f47qko2xm5g7osgo2yyidi5m4muyo2vjjy53q4vjju2u55mfa");

    @TempDir
    Path dir;

    @Test
    void aMissingNodeDirectoryIsCreatedForTheEmbeddedGridWithTahoesDefaults() throws Exception {
        Path node = dir.resolve("node");
        assertThat(NodeSetup.prepare(node)).contains("created the node directory " + node);
        NodeDirectory opened = NodeDirectory.open(node);
        assertThat(NodeSetup.embeddedServers(opened)).isEqualTo(10);
        assertThat(NodeSetup.embeddedReservedSpace(opened)).isEqualTo(1_000_000_000L);
        assertThat(opened.encoding().needed()).isEqualTo(3);
        assertThat(opened.encoding().happy()).isEqualTo(7);
        assertThat(opened.encoding().total()).isEqualTo(10);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(node.resolve("private"))))
                .isEqualTo("rwx------");
        assertThat(NodeSetup.prepare(node)).as("the second run changes nothing").isEmpty();
    }

    @Test
    void aNodeDirectoryWithServersIsLeftExactlyAsItIs() throws Exception {
        Path node = Files.createDirectories(dir.resolve("tahoe").resolve("private")).getParent();
        String cfg = "[client]\nshares.needed = 2\n";
        Files.writeString(node.resolve("tahoe.cfg"), cfg);
        Files.writeString(node.resolve("private/servers.yaml"), String.join("\n",
                "storage:",
                "  v0-bhiealzbgtdod4jcu34aj7qmkeusdaegc6umyw5meut42655mgbq:",
                "    ann:",
                "      nickname: a real server",
                "      anonymous-storage-NURLs:",
                "      - pb://CdBALyE0xuHxIqb4BP4MUSkhgIYXqMxbrCUnzXu9YYM@192.0.2.7:40421/pbbbs2aarfgboov2in5eo6nkjbfuxv7m#v=1",
                ""));
        assertThat(NodeSetup.prepare(node)).isEmpty();
        assertThat(Files.readString(node.resolve("tahoe.cfg"))).isEqualTo(cfg);
        assertThat(NodeSetup.embeddedServers(NodeDirectory.open(node))).isZero();
    }

    @Test
    void aNodeDirectoryWithoutServersGetsTheEmbeddedGridInItsOwnLafsfsSection() throws Exception {
        Path node = Files.createDirectories(dir.resolve("bare"));
        Files.writeString(node.resolve("tahoe.cfg"), "[client]\nshares.total = 5\nshares.happy = 4\n\n[lafsfs]\n"
                + "convergence = false\n");
        assertThat(NodeSetup.prepare(node)).hasValueSatisfying(s -> assertThat(s).contains("embedded grid"));
        NodeDirectory opened = NodeDirectory.open(node);
        assertThat(NodeSetup.embeddedServers(opened)).as("one server per share").isEqualTo(5);
        assertThat(opened.get("lafsfs", "convergence", "")).isEqualTo("false");
        assertThat(Files.readString(node.resolve("tahoe.cfg"))).containsOnlyOnce("[lafsfs]");
    }

    @Test
    void aTahoeNodeThatUsesAnIntroducerIsRefusedNotTurnedIntoALocalGrid() throws Exception {
        Path node = Files.createDirectories(dir.resolve("tahoe-with-introducer"));
        String cfg = "[client]\nintroducer.furl = pb://abc@tcp:example.org:1234/introducer\n";
        Files.writeString(node.resolve("tahoe.cfg"), cfg);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeSetup.prepare(node))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("introducer")
                .hasMessageContaining("servers.yaml");
        assertThat(Files.readString(node.resolve("tahoe.cfg"))).isEqualTo(cfg);
        assertThat(node.resolve("private/servers.yaml")).doesNotExist();
    }

    @Test
    void leaseRenewalIntervalsAreReadInTheUnitsTheReadmeShows() throws Exception {
        Path node = Files.createDirectories(dir.resolve("intervals"));
        for (var c : java.util.Map.of("7d", java.time.Duration.ofDays(7), "12h", java.time.Duration.ofHours(12),
                "30m", java.time.Duration.ofMinutes(30), "1h30m", java.time.Duration.ofMinutes(90)).entrySet()) {
            Files.writeString(node.resolve("tahoe.cfg"), "[lafsfs]\nlease-renewal-interval = " + c.getKey() + "\n");
            assertThat(LeaseRenewal.interval(NodeDirectory.open(node))).as(c.getKey()).isEqualTo(c.getValue());
        }
        Files.writeString(node.resolve("tahoe.cfg"), "[lafsfs]\nlease-renewal-interval = soon\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LeaseRenewal.interval(NodeDirectory.open(node)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("such as 7d");
    }

    @Test
    void theLocalUsersSshKeysBecomeTheirAccount() throws Exception {
        Path home = dir.resolve("home");
        KeyPair ed = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        KeyPair rsa = KeyUtils.generateKeyPair(KeyPairProvider.SSH_RSA, 2048);
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(ssh.resolve("id_ed25519.pub"), PublicKeyEntry.toString(ed.getPublic()) + " me@laptop\n");
        Files.writeString(ssh.resolve("id_rsa.pub"), PublicKeyEntry.toString(rsa.getPublic()) + " me with spaces\n");
        Files.writeString(ssh.resolve("broken.pub"), "ssh-ed25519 not-base64!\n");
        Path file = dir.resolve("node/private/accounts");

        assertThat(NodeSetup.createAccounts(file, "me", home, ROOT)).as("no password with keys").isEmpty();
        Accounts accounts = Accounts.read(file);
        assertThat(accounts.all()).hasSize(1);
        assertThat(accounts.acceptsKey("me", ed.getPublic())).isTrue();
        assertThat(accounts.acceptsKey("me", rsa.getPublic())).isTrue();
        assertThat(accounts.get("me").orElseThrow().root().uri()).isEqualTo(ROOT.uri());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        String before = Files.readString(file, UTF_8);
        assertThat(NodeSetup.createAccounts(file, "someone-else", home, ROOT)).isEmpty();
        assertThat(Files.readString(file, UTF_8)).as("an existing accounts file is kept").isEqualTo(before);
    }

    @Test
    void withoutKeysTheAccountGetsAPasswordShownOnceAndKeptAsAHash() throws Exception {
        Path file = dir.resolve("private/accounts");
        Optional<String> password = NodeSetup.createAccounts(file, "me", dir.resolve("no-home"), ROOT);
        assertThat(password).hasValueSatisfying(p -> assertThat(p).hasSizeGreaterThanOrEqualTo(20));
        assertThat(Files.readString(file, UTF_8)).doesNotContain(password.get()).contains("pbkdf2-sha256$");
        Accounts accounts = Accounts.read(file);
        assertThat(accounts.acceptsPassword("me", password.get())).isTrue();
        assertThat(accounts.acceptsPassword("me", password.get() + "x")).isFalse();
    }

    @Test
    void sizesAreShownInBinaryUnits() {
        assertThat(List.of(Sizes.describe(512), Sizes.describe(1536), Sizes.describe(76_700_000_000L)))
                .containsExactly("512 B", "1.5 KiB", "71.4 GiB");
    }
}
