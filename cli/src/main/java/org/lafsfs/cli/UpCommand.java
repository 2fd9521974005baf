package org.lafsfs.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.lafsfs.cache.CacheConfig;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.storage.ServersYaml;
import org.lafsfs.fuse.FuseMount;
import org.lafsfs.sftp.Accounts;
import org.lafsfs.storage.EmbeddedGrid;
import org.lafsfs.storage.ServerIdentity;
import org.lafsfs.vfs.Vfs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code lafsfs up}: everything at once, on the embedded grid or on the
 * servers of an existing node directory. Sets up what is missing (node
 * directory, root directory and alias, SFTP account), starts the grid, one
 * VFS of the root behind both the SFTP server and the FUSE mount, answers
 * {@code lafsfs status}, and says how to connect. Runs until Ctrl-C or
 * SIGTERM, then stops in order: no new requests, pending uploads finished,
 * servers last.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Run lafsfs: the grid over SFTP and as a mounted drive, until Ctrl-C.",
            "The first run creates the node directory (default ~/.lafsfs) with an embedded grid of storage servers "
                + "in it, a root directory (alias lafsfs:) and an SFTP account for you (your ~/.ssh/*.pub keys, or a "
                + "password shown once). A node directory whose private/servers.yaml names storage servers (a "
                + "Tahoe-LAFS client's) is used as it is, with no embedded servers. Logs go to NODEDIR/logs."})
final class UpCommand implements Callable<Integer> {
    @Option(names = "--mount-point", paramLabel = "DIR",
            description = "where to mount the root (default ~/lafsfs-drive, created if missing)")
    Path mountPoint;

    @Option(names = "--no-mount", description = "serve SFTP only")
    boolean noMount;

    @Option(names = "--sftp-listen", paramLabel = "HOST:PORT", description = "where the SFTP server listens"
            + " (default: tahoe.cfg [sftpd] port, else the port of the last run, else any free port on 127.0.0.1)")
    String sftpListen;

    @Option(names = "--root", paramLabel = "PATH",
            description = "the directory to serve: ALIAS:[DIRS] or DIRCAP[/DIRS] (default lafsfs:, made on first run)")
    String root;

    @Option(names = {"-v", "--verbose"}, description = "log to the terminal too, not only to NODEDIR/logs")
    boolean verbose;

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws Exception {
        Path nodeDir = main.node.nodeDir().toAbsolutePath().normalize();
        Path home = home();
        Optional<String> created = NodeSetup.prepare(nodeDir);
        Path logFile = Logs.toNodeDirectory(nodeDir, verbose);
        Running up = new Running(nodeDir, logFile, lockNode(nodeDir));
        // From now on Ctrl-C stops in order, even while starting (start() checks between its steps).
        Runtime.getRuntime().addShutdownHook(new Thread(up::stop, "lafsfs-up-shutdown"));
        try {
            created.ifPresent(what -> Print.err("lafsfs: " + what));
            start(up, NodeDirectory.open(nodeDir), home);
        } catch (Exception | Error e) {
            up.stop();
            throw e;
        }
        up.awaitStopped();
        return up.stoppedCleanly() ? 0 : 1;
    }

    private void start(Running up, NodeDirectory node, Path home) throws IOException {
        // Settings a user can get wrong are read before anything starts.
        java.time.Duration renewalInterval = LeaseRenewal.interval(node);
        int embedded = NodeSetup.embeddedServers(node);
        if (embedded > 0) {
            up.grid = EmbeddedGrid.start(node.path().resolve("embedded-grid"), embedded,
                    NodeSetup.embeddedReservedSpace(node),
                    org.lafsfs.storage.ExpirationPolicy.fromConfig(node.section("storage")));
            // Their ports are new each run; other lafsfs commands find them here while this one runs.
            ServersYaml.write(node.path().resolve("private").resolve("servers.yaml"), up.grid.announcements());
        }
        up.requireRunning();
        // This process's own client calls its embedded servers directly; other processes use HTTPS.
        up.session = GridSession.open(node, up.grid != null ? up.grid.inProcess() : java.util.Map.of());
        up.session.keepKeysReady();
        if (up.session.grid().servers().isEmpty()) {
            throw new IllegalArgumentException(node.path().resolve("private/servers.yaml") + " names no storage"
                    + " server this client can reach over HTTPS (anonymous-storage-NURLs)");
        }
        up.roots = new ServedRoots(node, up.session);
        up.root = NodeSetup.root(node, up.session, root);
        up.rootName = root != null ? root : NodeSetup.ROOT_ALIAS + ":";

        Path accountsFile = NodeSetup.accountsFile(node);
        String user = localUser();
        Optional<String> password = NodeSetup.createAccounts(accountsFile, user, home, up.root);
        Accounts accounts = Accounts.read(accountsFile);
        if (accounts.all().isEmpty()) {
            throw new IllegalArgumentException(accountsFile + " has no accounts");
        }
        Vfs vfs = up.roots.pool().open(up.root);
        for (Accounts.Account account : accounts.all()) {
            up.roots.pool().open(account.root()); // what a previous run left in their spools resumes now
        }

        up.requireRunning();
        List<KeyPair> hostKeys = SftpServerCommand.hostKeys(node, node.section("sftpd"));
        up.sftp = listenSftp(node, hostKeys, accounts, up);
        up.users = accounts.all().stream().map(Accounts.Account::name).toList();

        up.requireRunning();
        if (!noMount) {
            up.mountPoint = (mountPoint != null ? mountPoint : home.resolve("lafsfs-drive")).toAbsolutePath()
                    .normalize();
            up.fuse = mount(vfs, up.mountPoint, CacheConfig.fromSettings(node.section("lafsfs")), up);
        }
        Optional<DropUploadSetup.Configured> drop = DropUploadSetup.configured(node);
        DirectoryCap dropTarget = null;
        if (drop.isPresent()) {
            DirectoryCap target = DropUploadSetup.target(node, up.session, drop.get().target());
            dropTarget = target;
            up.dropUpload = org.lafsfs.dropupload.DropUploader.start(up.roots.pool().open(target),
                    DropUploadSetup.config(node, drop.get().localDir(), target));
        }
        java.util.Set<DirectoryCap> served = new java.util.LinkedHashSet<>();
        accounts.all().forEach(a -> served.add(a.root()));
        served.add(up.root);
        if (dropTarget != null) {
            served.add(dropTarget);
        }
        up.leases = new LeaseRenewal(up.session.grid(), List.copyOf(served),
                node.path().resolve("private").resolve("lease-renewal.json"), renewalInterval,
                java.time.Clock.systemUTC());
        up.leases.start();
        up.requireRunning();
        up.control = ControlSocket.serve(node.path(), up::statusJson);

        Print.out(ReadyMessage.of(up, user, password, home, node,
                KeyUtils.getFingerPrint(hostKeys.get(0).getPublic())));
    }

    /** The SFTP server on the address asked for, else on the port of the last run when it is still free. */
    private org.lafsfs.sftp.SftpServer listenSftp(NodeDirectory node, List<KeyPair> hostKeys, Accounts accounts,
            Running up) throws IOException {
        Path remembered = node.path().resolve("private").resolve("sftp-port");
        String configured = sftpListen != null ? sftpListen : node.section("sftpd").get("port");
        org.lafsfs.sftp.SftpServer server = null;
        if (configured == null && Files.exists(remembered)) {
            try {
                server = SftpServerCommand.listen(SftpServerCommand.address(Files.readString(remembered).strip()),
                        hostKeys, accounts, up.roots.pool());
            } catch (IllegalArgumentException taken) {
                Print.err("lafsfs: the SFTP port of the last run is taken; listening on another one");
            }
        }
        if (server == null) {
            server = SftpServerCommand.listen(SftpServerCommand.address(configured), hostKeys, accounts,
                    up.roots.pool());
        }
        up.sftpHost = server.address().getAddress().getHostAddress();
        ServerIdentity.writePrivately(remembered, up.sftpHost + ":" + server.port() + "\n");
        return server;
    }

    /** Mounts when FUSE can here; otherwise notes why not, and SFTP goes on alone. */
    private static FuseMount mount(Vfs vfs, Path where, CacheConfig cache, Running up) {
        try {
            FuseMount.clearStaleMount(where);
            Files.createDirectories(where);
            try (var entries = Files.list(where)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(where + " is not empty (give another with --mount-point)");
                }
            }
            return FuseMount.mount(vfs, where, MountCommand.options(cache));
        } catch (IOException e) {
            up.mountProblem = e.getMessage();
            return null;
        }
    }

    /** One lafsfs up per node directory: a second would start a second embedded grid over the same shares. */
    private static FileLock lockNode(Path nodeDir) throws IOException {
        Path file = nodeDir.resolve("private").resolve("up.lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new IllegalArgumentException("lafsfs up is already running for " + nodeDir
                    + " (see lafsfs status)");
        }
        channel.truncate(0).write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n")
                .getBytes(StandardCharsets.US_ASCII)));
        return lock;
    }

    static Path home() {
        String home = System.getenv("HOME"); // what ~ means to the user, which Java's user.home may not be
        return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"));
    }

    static String localUser() {
        String user = System.getenv("USER");
        return user != null && user.matches("[A-Za-z0-9._-]+") ? user : System.getProperty("user.name");
    }

    /** What the user reads once everything runs: where things are and each client's command line. */
    static final class ReadyMessage {
        private ReadyMessage() {
        }

        static String of(Running up, String user, Optional<String> password, Path home, NodeDirectory node,
                String hostKeyFingerprint) {
            String host = up.sftpHost;
            int port = up.sftp.port();
            String login = user + "@" + host;
            List<String> lines = new ArrayList<>();
            lines.add("lafsfs is up.");
            lines.add("  root:     " + up.root.uri() + " (" + up.rootName + ")");
            lines.add("  grid:     " + (up.grid != null ? up.grid.servers().size() + " embedded storage servers in "
                    + up.grid.directory() : up.session.grid().servers().size() + " storage servers of "
                    + node.path().resolve("private/servers.yaml")) + ", " + node.encoding().needed() + "-of-"
                    + node.encoding().total());
            lines.add("  drive:    " + (up.fuse != null ? up.mountPoint.toString()
                    : up.mountProblem != null ? "not mounted: " + up.mountProblem : "not mounted (--no-mount)"));
            lines.add("  SFTP:     " + host + ":" + port + ", user " + String.join(", ", up.users)
                    + ", host key " + hostKeyFingerprint);
            password.ifPresent(p -> lines.add("  password: " + p + "   (shown this once; no key in " + home.resolve(
                    ".ssh") + ". Forgot it? Remove " + NodeSetup.accountsFile(node) + " and start again)"));
            if (up.dropUpload != null) {
                lines.add("  drop-upload: " + up.dropUpload.status().localDir() + " is mirrored into the grid");
            }
            lines.add("  logs:     " + up.logFile);
            lines.add("Connect:");
            lines.add("  sftp -P " + port + " " + login);
            lines.add("  sshfs -p " + port + " " + login + ":/ MOUNTPOINT");
            lines.add("  rclone lsd :sftp,host=" + host + ",port=" + port + ",user=" + user + ":"
                    + (password.isPresent() ? "   (add ,pass=$(rclone obscure PASSWORD))" : ""));
            lines.add("  restic -r sftp://" + login + ":" + port + "//restic init");
            lines.add("  WinSCP:   SFTP, host " + host + ", port " + port + ", user " + user);
            lines.add("Status: lafsfs status" + (node.path().equals(home.resolve(".lafsfs")) ? ""
                    : " --node-dir " + node.path()) + ". Stop: Ctrl-C.");
            return String.join(System.lineSeparator(), lines);
        }
    }
}
