package org.lafsfs.sftp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.file.FileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.session.helpers.AbstractConnectionService;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.vfs.Vfs;

/**
 * The grid over SFTP: an SSH server (Apache MINA SSHD) whose only service is
 * the "sftp" subsystem, and whose file system for each account is the VFS of
 * that account's root cap. No shell, no commands, no port forwarding.
 *
 * <p>Accounts log in with a key or a password from {@link Accounts}; each
 * sees its root cap as "/" and nothing outside it ({@link VfsPath} resolves
 * ".." at the root to the root, and the grid has no symbolic links). The
 * server binds the port it is given, 0 meaning any free one:
 * {@link #port()} says which.
 */
public final class SftpServer implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SftpServer.class);

    /** Gives the VFS of a root cap; sessions of the same root should share one (see {@link VfsPool}). */
    @FunctionalInterface
    public interface Roots {
        Vfs open(DirectoryCap root) throws IOException;
    }

    /** Open handles allowed per session: a client that abandons handles cannot exhaust the server. */
    public static final int MAX_OPEN_HANDLES = 1024;

    /**
     * Each channel's receive window: how much a client may send before the server has handled it. OpenSSH's
     * sftp keeps 64 writes in flight, of 255 KiB each once limits@openssh.com says the server takes 256 KiB;
     * MINA's default 2 MiB window holds eight of them, and a 1 GiB put spent half its time waiting for window
     * adjusts (6.2 s, against 2.8 s with 8 MiB). It is also what a session can make the server buffer.
     */
    static final long WINDOW_SIZE = 8 << 20;

    /**
     * Sessions one account may hold at once, and channels per session: with {@link #WINDOW_SIZE} they bound
     * what one account's clients can make the server buffer (32 x 4 x 8 MiB). Backup tools open a few
     * connections (rclone about one per transfer and checker), file managers one or two.
     */
    static final int MAX_SESSIONS_PER_ACCOUNT = 32;
    static final int MAX_CHANNELS_PER_SESSION = 4;

    /** How long closing waits for sessions to end politely before dropping them. */
    private static final java.time.Duration CLOSE_GRACE = java.time.Duration.ofSeconds(10);

    private final SshServer sshd;

    private SftpServer(SshServer sshd) {
        this.sshd = sshd;
    }

    /**
     * Starts serving on {@code host}:{@code port} (port 0: any free port) with
     * {@code hostKeys} (see {@link HostKeys}).
     */
    public static SftpServer start(String host, int port, List<KeyPair> hostKeys, Accounts accounts, Roots roots)
            throws IOException {
        if (hostKeys.isEmpty()) {
            throw new IllegalArgumentException("an SSH server needs at least one host key");
        }
        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost(host);
        sshd.setPort(port);
        sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKeys));
        sshd.setPublickeyAuthenticator((user, key, session) -> accounts.acceptsKey(user, key));
        sshd.setPasswordAuthenticator((user, password, session) -> accounts.acceptsPassword(user, password));
        sshd.setSubsystemFactories(List.of(new LafsSftpSubsystemFactory()));
        sshd.setFileSystemFactory(new AccountFileSystems(accounts, roots));
        SftpModuleProperties.MAX_OPEN_HANDLES_PER_SESSION.set(sshd, MAX_OPEN_HANDLES);
        CoreModuleProperties.WINDOW_SIZE.set(sshd, WINDOW_SIZE);
        CoreModuleProperties.MAX_CONCURRENT_SESSIONS.set(sshd, MAX_SESSIONS_PER_ACCOUNT);
        // Session channels only (no port forwarding), and a few per session. MINA's own cap
        // (MAX_CONCURRENT_CHANNELS) ends the whole session when it is hit; this refuses just the new channel.
        sshd.setChannelFactories(List.of(new CappedSessionChannels()));
        sshd.start();
        log.info("SFTP server listening on {}:{}", host, sshd.getPort());
        return new SftpServer(sshd);
    }

    /** The port the server listens on (the one chosen when it was started with 0). */
    public int port() {
        return sshd.getPort();
    }

    /** The address the server is bound to. */
    public InetSocketAddress address() {
        return (InetSocketAddress) sshd.getBoundAddresses().iterator().next();
    }

    /**
     * Stops listening and ends every session; their open files are closed (and
     * so published). The VFSs stay open: they belong to whoever gave
     * {@link Roots}.
     */
    @Override
    public void close() throws IOException {
        // Sessions are closed politely; a client that does not answer is dropped after a while.
        if (!sshd.close(false).await(CLOSE_GRACE)) {
            sshd.close(true).await(CLOSE_GRACE);
        }
    }

    /** Stops at once, as a crash would (for tests): sessions are dropped without waiting for anything. */
    public void kill() throws IOException {
        sshd.close(true).await(CLOSE_GRACE);
    }

    /** "session" channels, refused (SSH_MSG_CHANNEL_OPEN_FAILURE) beyond {@link #MAX_CHANNELS_PER_SESSION}. */
    private static final class CappedSessionChannels implements ChannelFactory {
        @Override
        public String getName() {
            return ChannelSessionFactory.INSTANCE.getName();
        }

        @Override
        public Channel createChannel(Session session) throws IOException {
            if (session.getService(ConnectionService.class) instanceof AbstractConnectionService connections
                    && connections.getChannels().size() >= MAX_CHANNELS_PER_SESSION) {
                log.info("session {}: refusing a channel beyond {}", session, MAX_CHANNELS_PER_SESSION);
                return null; // MINA answers "unsupported channel type"; the session and its channels go on
            }
            return ChannelSessionFactory.INSTANCE.createChannel(session);
        }
    }

    /** Each session's file system: its account's root cap, through the VFS of that root. */
    private static final class AccountFileSystems implements FileSystemFactory {
        private final Accounts accounts;
        private final Roots roots;
        private final int uid;
        private final int gid;

        AccountFileSystems(Accounts accounts, Roots roots) {
            this.accounts = accounts;
            this.roots = roots;
            this.uid = processId("uid");
            this.gid = processId("gid");
        }

        /** The server process's uid or gid, shown as the owner to SFTP v3 clients (0 where it cannot be told). */
        private static int processId(String which) {
            try {
                return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:" + which)).intValue();
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        @Override
        public Path getUserHomeDir(SessionContext session) {
            return null; // "/" of the session's file system
        }

        @Override
        public FileSystem createFileSystem(SessionContext session) throws IOException {
            String user = session.getUsername();
            Accounts.Account account = accounts.get(user)
                    .orElseThrow(() -> new IOException("no account '" + user + "'"));
            Vfs vfs = roots.open(account.root());
            return VfsFileSystemProvider.INSTANCE.newFileSystem(vfs, new VfsFileSystem.Owner(user, uid, gid));
        }
    }
}
