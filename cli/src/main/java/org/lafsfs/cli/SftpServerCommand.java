package org.lafsfs.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.BindException;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.sftp.Accounts;
import org.lafsfs.sftp.HostKeys;
import org.lafsfs.sftp.SftpServer;
import org.lafsfs.sftp.VfsPool;
import org.lafsfs.vfs.LafsVfs;
import org.lafsfs.vfs.VfsConfig;
import org.lafsfs.vfs.VfsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lafsfs sftp-server}: the grid over SFTP for the accounts of the node
 * directory's accounts file, until interrupted; then open files are closed
 * and pending uploads finished.
 */
@Command(name = "sftp-server", mixinStandardHelpOptions = true,
        description = {"Serve the grid over SFTP (OpenSSH sftp, sshfs, WinSCP, rclone, restic) until interrupted.",
            "Accounts are read from NODEDIR/private/accounts (tahoe.cfg [sftpd] accounts.file), one per line as "
                + "Tahoe has them: 'NAME ssh-ed25519 KEY [COMMENT] ROOTCAP' or 'NAME PASSWORDHASH ROOTCAP' "
                + "(make the hash with --hash-password). Each account sees its root cap as '/'.",
            "Host keys are NODEDIR/private/ssh_host_ed25519_key and ssh_host_rsa_key, generated on first start "
                + "(or tahoe.cfg [sftpd] host_privkey_file). Prints the address it listens on."})
final class SftpServerCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "where to listen (default: tahoe.cfg [sftpd] port, else 127.0.0.1:0, any free port)")
    String listen;

    @Option(names = "--accounts", paramLabel = "FILE",
            description = "the accounts file (default: tahoe.cfg [sftpd] accounts.file, else NODEDIR/private/accounts)")
    Path accountsFile;

    @Option(names = "--port-file", paramLabel = "FILE", description = "write the port listened on here once serving")
    Path portFile;

    @Option(names = "--hash-password", description = "read a password from stdin, print the form the accounts file"
            + " keeps it in, and exit")
    boolean hashPassword;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws Exception {
        if (hashPassword) {
            String password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("--hash-password reads the password as one line on stdin");
            }
            Print.out(Accounts.hashPassword(password));
            return 0;
        }
        NodeDirectory node = NodeDirectory.open(main.node.nodeDir());
        Map<String, String> sftpd = node.section("sftpd");
        Path accountsPath = accountsFile != null ? accountsFile
                : node.path().resolve(sftpd.getOrDefault("accounts.file", "private/accounts"));
        if (!Files.exists(accountsPath)) {
            throw new IllegalArgumentException("no accounts file at " + accountsPath + ": write one line per account,"
                    + " 'NAME ssh-ed25519 KEY ROOTCAP' (see lafsfs sftp-server --help)");
        }
        Accounts accounts = Accounts.read(accountsPath);
        if (accounts.all().isEmpty()) {
            throw new IllegalArgumentException(accountsPath + " has no accounts");
        }
        List<KeyPair> hostKeys = hostKeys(node, sftpd);
        String[] where = address(listen != null ? listen : sftpd.get("port"));

        GridSession session = GridSession.open(node);
        session.keepKeysReady();
        Serving serving = new Serving(session, new ServedRoots(node, session));
        try {
            // Every root is opened now: uploads a previous run left in its spool resume at once.
            for (Accounts.Account account : accounts.all()) {
                serving.roots.pool().open(account.root());
            }
            serving.server = listen(where, hostKeys, accounts, serving.roots.pool());
        } catch (Exception | Error e) {
            serving.stop();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(serving::stop, "lafsfs-sftp-shutdown"));
        int port = serving.server.port();
        Print.out("lafsfs: SFTP server listening on " + where[0] + ":" + port + " for " + accounts.all().size()
                + " account(s) from " + accountsPath);
        if (portFile != null) { // last: whoever waits for it may rely on everything above
            Files.writeString(portFile.toAbsolutePath(), port + "\n", StandardCharsets.UTF_8);
        }
        serving.stopped.await();
        return serving.clean ? 0 : 1;
    }

    /** Starts the server at HOST:PORT; an address in use is the user's to fix, in one sentence. */
    static SftpServer listen(String[] where, List<KeyPair> hostKeys, Accounts accounts, VfsPool pool)
            throws IOException {
        try {
            return SftpServer.start(where[0], Integer.parseInt(where[1]), hostKeys, accounts, pool);
        } catch (IOException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("cannot listen on " + where[0] + ":" + where[1] + ": "
                    + (cause instanceof BindException ? "the address is in use or not available here"
                            : cause.getMessage()));
        }
    }

    /** tahoe.cfg's [sftpd] host key, or the two lafsfs generates in NODEDIR/private on first start. */
    static List<KeyPair> hostKeys(NodeDirectory node, Map<String, String> sftpd) throws IOException {
        String configured = sftpd.get("host_privkey_file");
        if (configured != null) {
            Path file = node.path().resolve(configured);
            if (!Files.exists(file)) {
                throw new IllegalArgumentException("tahoe.cfg [sftpd] host_privkey_file " + file + " does not exist"
                        + " (make it with ssh-keygen -f " + file + ")");
            }
            return List.of(HostKeys.read(file));
        }
        return HostKeys.readOrGenerateDefaults(node.path().resolve("private"));
    }

    /**
     * HOST:PORT, or Tahoe's endpoint forms of [sftpd] port: "8022", "tcp:8022",
     * "tcp:8022:interface=127.0.0.1". Without an interface, Tahoe listens on
     * every address; lafsfs keeps to 127.0.0.1 unless told otherwise.
     */
    static String[] address(String spec) {
        if (spec == null || spec.isBlank()) {
            return new String[] {"127.0.0.1", "0"};
        }
        String s = spec.strip();
        String host = "127.0.0.1";
        String port;
        if (s.startsWith("tcp:")) {
            String[] parts = s.split(":");
            port = parts.length > 1 ? parts[1] : "";
            for (int i = 2; i < parts.length; i++) {
                if (parts[i].startsWith("interface=")) {
                    host = parts[i].substring("interface=".length());
                }
            }
        } else if (s.matches("\\d+")) {
            port = s;
        } else {
            int colon = s.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("the SFTP address must be HOST:PORT, not '" + spec + "'");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("the SFTP address needs a port number, not '" + spec + "'");
        }
        return new String[] {host, port};
    }

    /** The running server, its VFSs with their spool locks, and its orderly end. */
    private static final class Serving {
        private final GridSession session;
        private final ServedRoots roots;
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final CountDownLatch stopped = new CountDownLatch(1);
        private volatile SftpServer server;
        private volatile boolean clean;

        Serving(GridSession session, ServedRoots roots) {
            this.session = session;
            this.roots = roots;
        }

        /** Closes the server (open files are closed and published), then every VFS (pending uploads finish). */
        void stop() {
            if (!stopping.compareAndSet(false, true)) {
                return;
            }
            try {
                if (server != null) {
                    server.close();
                }
                roots.close();
                clean = true;
            } catch (VfsException e) {
                Print.err("lafsfs: " + e.getMessage() + " (kept in the spool: it resumes at the next start)");
            } catch (IOException | RuntimeException e) {
                Print.err("lafsfs: stopping the SFTP server: " + e.getMessage());
            } finally {
                session.close();
                stopped.countDown();
            }
        }
    }
}
