package org.lafsfs.sftp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelSubsystem;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.cap.LiteralCap;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.VfsFixture;

/**
 * Who gets in and how far: wrong keys, wrong passwords and unknown users are
 * refused; an account sees its root cap and nothing above it; a read-only
 * root cap refuses every change with a permission error; a client speaking
 * SFTP v3 gets statuses v3 defines; garbage on the wire harms nobody else.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecurityTest {
    @TempDir
    Path dir;

    private VfsFixture fixture;
    private VfsPool pool;
    private SftpServer server;
    private KeyPair aliceKey;
    private DirectoryCap aliceRoot;
    private DirectoryCap readOnlyRoot;
    private final List<SftpTesting.Connection> connections = new ArrayList<>();

    @BeforeEach
    void serve() throws Exception {
        fixture = new VfsFixture(dir);
        Dirnode top = fixture.rootDirnode();
        top.link("secret.txt", new LiteralCap("outside alice's root".getBytes(UTF_8)), null, false);
        Dirnode alice = top.createSubdirectory("alice", MutableFormat.SDMF);
        alice.link("mine.txt", new LiteralCap("alice's file".getBytes(UTF_8)), null, false);
        aliceRoot = alice.cap();
        readOnlyRoot = (DirectoryCap) alice.cap().readOnly().orElseThrow();
        aliceKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        String alicePublic = org.apache.sshd.common.config.keys.PublicKeyEntry.toString(aliceKey.getPublic());
        String carolPublic = org.apache.sshd.common.config.keys.PublicKeyEntry.toString(
                SftpTesting.userKey().getPublic());
        Accounts accounts = Accounts.parse(List.of(
                "alice " + alicePublic + " alice@laptop " + aliceRoot.uri(),
                "bob " + Accounts.hashPassword("correct horse") + " " + aliceRoot.uri(),
                "carol " + carolPublic + " " + readOnlyRoot.uri()), "accounts");
        pool = new VfsPool(root -> {
            VfsFixture.Client c = fixture.client();
            return LafsVfs.open(c.grid(), root, c.config());
        });
        server = SftpServer.start("127.0.0.1", 0, List.of(SftpTesting.hostKey()), accounts, pool);
    }

    @AfterEach
    void stop() throws Exception {
        for (SftpTesting.Connection c : connections) {
            c.kill();
        }
        if (server != null) {
            server.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private SftpClient login(String user, KeyPair key, String password) throws IOException {
        SftpTesting.Connection c = SftpTesting.connect(server.port(), user, key, password);
        connections.add(c);
        return c.sftp();
    }

    @Test
    void aKeyAccountLogsInAndSeesItsRoot() throws Exception {
        SftpClient sftp = login("alice", aliceKey, null);
        assertThat(names(sftp, "/")).containsExactly("mine.txt");
    }

    @Test
    void aPasswordAccountLogsInWithItsPasswordOnly() throws Exception {
        assertThat(names(login("bob", null, "correct horse"), "/")).containsExactly("mine.txt");
        assertThat(catchThrowable(() -> login("bob", null, "wrong horse"))).isInstanceOf(IOException.class);
        assertThat(catchThrowable(() -> login("bob", aliceKey, null))).isInstanceOf(IOException.class);
    }

    @Test
    void aWrongKeyAndAnUnknownUserAreRefused() throws Exception {
        KeyPair stranger = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        assertThat(catchThrowable(() -> login("alice", stranger, null))).isInstanceOf(IOException.class);
        assertThat(catchThrowable(() -> login("mallory", aliceKey, null))).isInstanceOf(IOException.class);
        assertThat(catchThrowable(() -> login("alice", null, "any password"))).isInstanceOf(IOException.class);
    }

    @Test
    void noPathLeavesTheAccountsRoot() throws Exception {
        SftpClient sftp = login("alice", aliceKey, null);
        for (String escape : List.of("/../secret.txt", "../secret.txt", "/../../secret.txt", "/./../secret.txt",
                "..//secret.txt", "/alice/../../secret.txt")) {
            Throwable thrown = catchThrowable(() -> sftp.stat(escape));
            assertThat(thrown).as(escape).isInstanceOf(SftpException.class);
            assertThat(((SftpException) thrown).getStatus()).as(escape).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
        }
        assertThat(names(sftp, "/..")).containsExactly("mine.txt");
        assertThat(names(sftp, "../..")).containsExactly("mine.txt");
        assertThat(sftp.canonicalPath("..")).isEqualTo("/");
        assertThat(sftp.canonicalPath("/../../x")).isEqualTo("/x");
        // A file written "above" the root lands in the root.
        try (SftpClient.CloseableHandle h = sftp.open("../../escaped.txt", OpenMode.Write, OpenMode.Create)) {
            sftp.write(h, 0, "stays inside".getBytes(UTF_8));
        }
        assertThat(names(sftp, "/")).containsExactlyInAnyOrder("mine.txt", "escaped.txt");
        assertThat(fixture.rootDirnode().list().keySet()).containsExactlyInAnyOrder("secret.txt", "alice");
        // And the grid has no symbolic links to follow out.
        Throwable link = catchThrowable(() -> sftp.symLink("/link", "/../secret.txt"));
        assertThat(((SftpException) link).getStatus()).isEqualTo(SftpConstants.SSH_FX_OP_UNSUPPORTED);
    }

    @Test
    void aReadOnlyRootCapReadsAndRefusesEveryChangeWithAPermissionError() throws Exception {
        SftpClient v3 = SftpClientFactory.instance().createSftpClient(session("carol"), SftpVersionSelector
                .fixedVersionSelector(SftpConstants.SFTP_V3));
        try (SftpClient.CloseableHandle h = v3.open("/mine.txt", OpenMode.Read)) {
            byte[] buffer = new byte[100];
            int n = v3.read(h, 0, buffer, 0, buffer.length);
            assertThat(new String(buffer, 0, n, UTF_8)).isEqualTo("alice's file");
        }
        assertThat(v3.stat("/").getPermissions() & 0222).isZero();
        List<Refused> writes = List.of(
                () -> v3.open("/new.txt", OpenMode.Write, OpenMode.Create).close(),
                () -> v3.open("/mine.txt", OpenMode.Write).close(),
                () -> v3.mkdir("/d"),
                () -> v3.remove("/mine.txt"),
                () -> v3.rename("/mine.txt", "/other.txt"),
                () -> v3.setStat("/mine.txt", new SftpClient.Attributes().perms(0444)));
        for (Refused write : writes) {
            Throwable thrown = catchThrowable(write::run);
            assertThat(thrown).isInstanceOf(SftpException.class);
            assertThat(((SftpException) thrown).getStatus()).isEqualTo(SftpConstants.SSH_FX_PERMISSION_DENIED);
            assertThat(thrown.getMessage()).isNotBlank();
        }
        // SFTP v6 has a status of its own for a read-only filesystem.
        SftpClient v6 = login("carol", SftpTesting.userKey(), null);
        Throwable thrown = catchThrowable(() -> v6.mkdir("/d"));
        assertThat(((SftpException) thrown).getStatus()).isEqualTo(SftpConstants.SSH_FX_WRITE_PROTECT);
        assertThat(names(v6, "/")).containsExactly("mine.txt");
    }

    @Test
    void anSftpV3ClientGetsOnlyV3StatusesWithTheReasonInTheMessage() throws Exception {
        SftpClient v3 = SftpClientFactory.instance().createSftpClient(session("alice"), SftpVersionSelector
                .fixedVersionSelector(SftpConstants.SFTP_V3));
        v3.mkdir("/full");
        try (SftpClient.CloseableHandle h = v3.open("/full/f", EnumSet.of(OpenMode.Write, OpenMode.Create))) {
            v3.write(h, 0, "x".getBytes(UTF_8));
        }
        Throwable notEmpty = catchThrowable(() -> v3.rmdir("/full"));
        assertThat(((SftpException) notEmpty).getStatus()).isEqualTo(SftpConstants.SSH_FX_FAILURE);
        assertThat(notEmpty.getMessage()).contains("not empty");
        Throwable exists = catchThrowable(() -> v3.mkdir("/full"));
        assertThat(((SftpException) exists).getStatus()).isEqualTo(SftpConstants.SSH_FX_FAILURE);
        Throwable missing = catchThrowable(() -> v3.stat("/nothing/here"));
        assertThat(((SftpException) missing).getStatus()).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
        Throwable throughFile = catchThrowable(() -> v3.stat("/mine.txt/child"));
        assertThat(((SftpException) throughFile).getStatus()).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
        Throwable directory = catchThrowable(() -> v3.remove("/full"));
        assertThat(((SftpException) directory).getStatus()).isEqualTo(SftpConstants.SSH_FX_FAILURE);
        // Plain v3 rename never replaces; posix-rename@openssh.com does.
        Throwable replace = catchThrowable(() -> v3.rename("/full/f", "/mine.txt"));
        assertThat(((SftpException) replace).getStatus()).isEqualTo(SftpConstants.SSH_FX_FAILURE);
    }

    @Test
    void garbageOnTheWireEndsThatChannelOnly() throws Exception {
        SftpClient bystander = login("alice", aliceKey, null);
        for (byte[] junk : List.of(new byte[] {0, 0, 0, 5, (byte) 200, 1, 2, 3, 4},
                new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3},
                new byte[] {0, 0, 0, 1, 3}, // SSH_FXP_OPEN with nothing in it
                hugeRequest(), // announces 256 MiB, sends 1.5 MiB: refused, not buffered
                "not sftp at all, just text\n".getBytes(UTF_8))) {
            ClientSession session = session("alice");
            try (ChannelSubsystem channel = session.createSubsystemChannel("sftp")) {
                channel.open().verify(SftpTesting.TIMEOUT);
                OutputStream in = channel.getInvertedIn();
                in.write(junk);
                in.flush();
                Thread.sleep(200);
            } catch (IOException e) {
                // the server may hang up: that is an acceptable answer to garbage
            }
        }
        assertThat(names(bystander, "/")).containsExactly("mine.txt");
        assertThat(names(login("alice", aliceKey, null), "/")).containsExactly("mine.txt");
    }

    @Test
    void oneAccountsSessionsAndASessionsChannelsAreCapped() throws Exception {
        // What each channel may queue (its window) times these caps bounds the memory one account can take.
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, address, key) -> true);
        client.start();
        try {
            List<ClientSession> held = new ArrayList<>();
            for (int i = 0; i < SftpServer.MAX_SESSIONS_PER_ACCOUNT; i++) {
                held.add(clientSession(client, "bob"));
            }
            assertThat(catchThrowable(() -> clientSession(client, "bob"))).as("one session too many")
                    .isInstanceOf(IOException.class);
            assertThat(names(login("alice", aliceKey, null), "/")).as("another account").containsExactly("mine.txt");
            held.remove(0).close(false).await(SftpTesting.TIMEOUT);
            ClientSession again = eventuallyLoggedIn(client);
            held.add(again);

            List<ChannelSubsystem> channels = new ArrayList<>();
            for (int i = 0; i < SftpServer.MAX_CHANNELS_PER_SESSION; i++) {
                ChannelSubsystem channel = again.createSubsystemChannel("sftp");
                channel.open().verify(SftpTesting.TIMEOUT);
                channels.add(channel);
            }
            assertThat(catchThrowable(() -> again.createSubsystemChannel("sftp").open().verify(SftpTesting.TIMEOUT)))
                    .as("one channel too many").isNotNull();
            assertThat(again.isOpen()).as("the session, after a channel was refused").isTrue();
            assertThat(channels).as("its channels").allMatch(ChannelSubsystem::isOpen);
            channels.remove(0).close(false).await(SftpTesting.TIMEOUT);
            // The server counts the channel gone once its side has closed too.
            long deadline = System.nanoTime() + SftpTesting.TIMEOUT.toNanos();
            while (true) {
                try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(again)) {
                    assertThat(names(sftp, "/")).as("a channel once one closed").containsExactly("mine.txt");
                    break;
                } catch (IOException refused) {
                    if (System.nanoTime() > deadline) {
                        throw refused;
                    }
                    Thread.sleep(50);
                }
            }
        } finally {
            client.stop();
        }
    }

    private ClientSession clientSession(SshClient client, String user) throws IOException {
        ClientSession session = client.connect(user, "127.0.0.1", server.port()).verify(SftpTesting.TIMEOUT)
                .getSession();
        session.addPasswordIdentity("correct horse");
        try {
            session.auth().verify(SftpTesting.TIMEOUT);
        } catch (IOException | RuntimeException e) {
            session.close(true);
            throw e;
        }
        return session;
    }

    /** The server counts a session gone once its connection has closed on its side too. */
    private ClientSession eventuallyLoggedIn(SshClient client) throws Exception {
        long deadline = System.nanoTime() + SftpTesting.TIMEOUT.toNanos();
        while (true) {
            try {
                return clientSession(client, "bob");
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static byte[] hugeRequest() {
        byte[] junk = new byte[3 << 19];
        junk[0] = 0x10;
        junk[4] = 3;
        return junk;
    }

    @FunctionalInterface
    private interface Refused {
        void run() throws Exception;
    }

    private ClientSession session(String user) throws IOException {
        KeyPair key;
        try {
            key = user.equals("carol") ? SftpTesting.userKey() : aliceKey;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        SftpTesting.Connection c = SftpTesting.connect(server.port(), user, key);
        connections.add(c);
        return c.session();
    }

    private static List<String> names(SftpClient sftp, String path) throws IOException {
        List<String> names = new ArrayList<>();
        for (SftpClient.DirEntry e : sftp.readDir(path)) {
            if (!e.getFilename().equals(".") && !e.getFilename().equals("..")) {
                names.add(e.getFilename());
            }
        }
        return names;
    }
}
