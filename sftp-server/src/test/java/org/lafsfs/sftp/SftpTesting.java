package org.lafsfs.sftp;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.client.SftpErrorDataHandler;
import org.apache.sshd.sftp.client.SftpMessage;
import org.apache.sshd.sftp.client.SftpVersionSelector;
import org.apache.sshd.sftp.client.impl.DefaultSftpClient;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.vfs.Vfs;

/** Servers on port 0 and MINA SFTP clients logged in to them, for the tests. */
final class SftpTesting {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String USER = "tester";

    private static KeyPair hostKey;
    private static KeyPair userKey;

    private SftpTesting() {
    }

    static synchronized KeyPair hostKey() throws GeneralSecurityException {
        if (hostKey == null) {
            hostKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        }
        return hostKey;
    }

    /** The key of {@link #USER} in the accounts of {@link #serve}. */
    static synchronized KeyPair userKey() throws GeneralSecurityException {
        if (userKey == null) {
            userKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        }
        return userKey;
    }

    /** A server on a free port whose one account, {@link #USER} with {@link #userKey()}, is rooted at {@code vfs}. */
    static SftpServer serve(Vfs vfs, DirectoryCap root) throws IOException, GeneralSecurityException {
        Accounts accounts = Accounts.of(List.of(new Accounts.Account(USER, root, List.of(userKey().getPublic()), null)));
        return SftpServer.start("127.0.0.1", 0, List.of(hostKey()), accounts, r -> vfs);
    }

    /** An SSH client logged in to a server, with an SFTP channel (version 6 unless asked otherwise). */
    record Connection(SshClient client, ClientSession session, SftpClient sftp) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                sftp.close();
                session.close(false).await(TIMEOUT);
            } finally {
                client.stop();
            }
        }

        /** Drops the connection at once (a client that vanishes). */
        void kill() {
            try {
                session.close(true);
            } finally {
                client.stop();
            }
        }
    }

    /**
     * MINA's SFTP client with its request sending serialized: its DefaultSftpClient lets two threads
     * write requests at once, and the second fails with WritePendingException (seen with 2.16.0). Replies
     * are still awaited concurrently, so many requests stay in flight, as with any SFTP client.
     */
    static final class SerializedSftpClient extends DefaultSftpClient {
        SerializedSftpClient(ClientSession session) throws IOException {
            super(session, SftpVersionSelector.CURRENT, SftpErrorDataHandler.EMPTY);
        }

        @Override
        public synchronized int send(int cmd, Buffer buffer) throws IOException {
            return super.send(cmd, buffer);
        }

        @Override
        public synchronized SftpMessage write(int cmd, Buffer buffer) throws IOException {
            return super.write(cmd, buffer);
        }
    }

    static Connection connect(int port, String user, KeyPair key) throws IOException {
        return connect(port, user, key, null);
    }

    /** Logs in with {@code key} or, if it is null, with {@code password}. */
    static Connection connect(int port, String user, KeyPair key, String password) throws IOException {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, address, serverKey) -> {
            try {
                return KeyUtils.compareKeys(serverKey, hostKey().getPublic());
            } catch (GeneralSecurityException e) {
                return false;
            }
        });
        client.start();
        try {
            ClientSession session = client.connect(user, "127.0.0.1", port).verify(TIMEOUT).getSession();
            if (key != null) {
                session.addPublicKeyIdentity(key);
            }
            if (password != null) {
                session.addPasswordIdentity(password);
            }
            session.auth().verify(TIMEOUT);
            SerializedSftpClient sftp = new SerializedSftpClient(session);
            try {
                sftp.negotiateVersion(SftpVersionSelector.CURRENT);
            } catch (IOException | RuntimeException e) {
                sftp.close();
                throw e;
            }
            return new Connection(client, session, sftp);
        } catch (IOException | RuntimeException e) {
            client.stop();
            throw e;
        }
    }
}
