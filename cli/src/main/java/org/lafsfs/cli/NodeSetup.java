package org.lafsfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.core.dirnode.Dirnode;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.sftp.Accounts;
import org.lafsfs.storage.ServerIdentity;

/**
 * What {@code lafsfs up} sets up once and finds again afterwards: the node
 * directory itself (Tahoe's layout), the choice between the embedded grid and
 * the servers of private/servers.yaml, the root directory behind the
 * {@code lafsfs:} alias, and an SFTP account for the local user.
 */
final class NodeSetup {
    /** The alias of the directory {@code lafsfs up} serves. */
    static final String ROOT_ALIAS = "lafsfs";

    private NodeSetup() {
    }

    /**
     * Creates a node directory for the embedded grid where none exists, and makes an existing one that names
     * no storage servers use the embedded grid too. A node directory with servers and no embedded setting is
     * left exactly as it is: it is somebody's Tahoe client.
     *
     * @return a sentence for the user when something was created, else empty
     */
    static Optional<String> prepare(Path dir) throws IOException {
        Path cfg = dir.resolve("tahoe.cfg");
        if (!Files.exists(cfg)) {
            ServerIdentity.createPrivateDirectory(dir);
            ServerIdentity.createPrivateDirectory(dir.resolve("private"));
            Files.writeString(cfg, String.join("\n",
                    "# A Tahoe-LAFS client node directory, created by lafsfs up.",
                    "[node]",
                    "nickname = lafsfs",
                    "",
                    "[client]",
                    "shares.needed = 3",
                    "shares.happy = 7",
                    "shares.total = 10",
                    "",
                    "[lafsfs]",
                    embeddedSettings(10)), StandardCharsets.UTF_8);
            return Optional.of("created the node directory " + dir);
        }
        NodeDirectory node = NodeDirectory.open(dir);
        if (embeddedServers(node) > 0 || hasServers(dir)) {
            return Optional.empty();
        }
        if (!node.get("client", "introducer.furl", "").isBlank()
                || Files.exists(dir.resolve("private").resolve("introducers.yaml"))) {
            // A Tahoe node that finds its servers through an introducer: it is not ours to turn into a local grid.
            throw new IllegalArgumentException(dir + " finds its storage servers through an introducer, which"
                    + " lafsfs does not speak: list them in " + dir.resolve("private/servers.yaml")
                    + " (their anonymous-storage-NURLs), as Tahoe's static servers");
        }
        int servers = Math.max(node.encoding().total(), node.encoding().happy()); // a server per share
        String text = Files.readString(cfg, StandardCharsets.UTF_8);
        java.util.regex.Matcher header = java.util.regex.Pattern.compile("(?m)^\\s*\\[lafsfs\\]\\s*$").matcher(text);
        String updated = header.find()
                ? text.substring(0, header.end()) + "\n" + embeddedSettings(servers) + text.substring(header.end())
                : text + (text.endsWith("\n") ? "" : "\n") + "\n[lafsfs]\n" + embeddedSettings(servers);
        Files.writeString(cfg, updated, StandardCharsets.UTF_8);
        return Optional.of(dir + " names no storage servers (private/servers.yaml): it now uses the embedded grid");
    }

    private static String embeddedSettings(int servers) {
        return String.join("\n",
                "# Storage servers run inside lafsfs up, their shares in embedded-grid/ here. To use a real",
                "# Tahoe-LAFS grid instead, remove these two lines and list its storage servers in",
                "# private/servers.yaml.",
                "embedded-servers = " + servers,
                "embedded-reserved-space = 1G",
                "");
    }

    private static boolean hasServers(Path dir) throws IOException {
        Path yaml = dir.resolve("private").resolve("servers.yaml");
        return Files.exists(yaml) && !org.lafsfs.core.storage.ServersYaml.read(yaml).isEmpty();
    }

    /** How many storage servers {@code lafsfs up} runs itself: tahoe.cfg [lafsfs] embedded-servers (0: none). */
    static int embeddedServers(NodeDirectory node) {
        String value = node.get("lafsfs", "embedded-servers", "0");
        try {
            int n = Integer.parseInt(value.strip());
            if (n < 0 || n > 255) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tahoe.cfg [lafsfs] embedded-servers must be a number from 0 to 255,"
                    + " not '" + value + "'");
        }
    }

    static long embeddedReservedSpace(NodeDirectory node) {
        return Sizes.parse(node.get("lafsfs", "embedded-reserved-space", "1G"));
    }

    /** The directory {@code lafsfs up} serves: what {@code --root} names, or the lafsfs: alias, made on first use. */
    static DirectoryCap root(NodeDirectory node, GridSession session, String rootSpec) throws IOException {
        Aliases aliases = Aliases.load(node.path());
        if (rootSpec == null) {
            if (aliases.contains(ROOT_ALIAS)) {
                return aliases.directory(ROOT_ALIAS);
            }
            DirectoryCap made = Dirnode.create(session.grid(), node.mutableFormat()).cap();
            aliases.add(ROOT_ALIAS, made);
            return made;
        }
        GridPath path = GridPath.parse(rootSpec, aliases);
        if (!(path.resolve(session.grid()).cap() instanceof DirectoryCap dir)) {
            throw new IllegalArgumentException(rootSpec + " is a file, not a directory");
        }
        return dir;
    }

    /** The accounts file the SFTP server reads: tahoe.cfg [sftpd] accounts.file, else private/accounts. */
    static Path accountsFile(NodeDirectory node) {
        return node.path().resolve(node.get("sftpd", "accounts.file", "private/accounts"));
    }

    /**
     * Writes an accounts file for the local user where there is none: their public keys from ~/.ssh, or,
     * without any, a new password, returned so that it can be shown once (only its hash is kept).
     */
    static Optional<String> createAccounts(Path file, String user, Path home, DirectoryCap root) throws IOException {
        if (Files.exists(file)) {
            return Optional.empty();
        }
        List<String> lines = new ArrayList<>();
        lines.add("# SFTP accounts of lafsfs up, in Tahoe-LAFS's format: NAME KEYTYPE KEY ROOTCAP, or");
        lines.add("# NAME PASSWORDHASH ROOTCAP (hash made with: lafsfs sftp-server --hash-password).");
        for (String key : userKeys(home)) {
            lines.add(user + " " + key + " " + root.uri());
        }
        String password = null;
        if (lines.size() == 2) {
            byte[] random = new byte[15];
            new SecureRandom().nextBytes(random);
            password = Base32.encode(random).toLowerCase(Locale.ROOT);
            lines.add(user + " " + Accounts.hashPassword(password) + " " + root.uri());
        }
        Accounts.parse(lines, file.toString()); // what we write must read back
        ServerIdentity.createPrivateDirectory(file.getParent());
        ServerIdentity.writePrivately(file, String.join("\n", lines) + "\n");
        return Optional.ofNullable(password);
    }

    /** The public keys of ~/.ssh/*.pub, as "TYPE BASE64" (comments dropped: the accounts line ends in a cap). */
    static List<String> userKeys(Path home) throws IOException {
        Path ssh = home.resolve(".ssh");
        List<String> keys = new ArrayList<>();
        if (!Files.isDirectory(ssh)) {
            return keys;
        }
        try (var files = Files.list(ssh)) {
            for (Path pub : files.filter(p -> p.getFileName().toString().endsWith(".pub")).sorted().toList()) {
                for (String line : Files.readAllLines(pub, StandardCharsets.UTF_8)) {
                    String[] fields = line.strip().split("\\s+");
                    if (fields.length >= 2 && (fields[0].startsWith("ssh-") || fields[0].startsWith("ecdsa-"))) {
                        try {
                            Accounts.publicKey(fields[0] + " " + fields[1], pub.toString());
                            keys.add(fields[0] + " " + fields[1]);
                        } catch (IllegalArgumentException unusable) {
                            // a key type MINA cannot read (or a damaged file): not offered
                        }
                    }
                }
            }
        }
        return keys;
    }
}
