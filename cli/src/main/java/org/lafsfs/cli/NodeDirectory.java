package org.lafsfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lafsfs.core.cap.MutableFormat;
import org.lafsfs.core.codec.Base32;
import org.lafsfs.core.grid.ClientSecrets;
import org.lafsfs.core.grid.GridServer;
import org.lafsfs.core.immutable.EncodingParameters;
import org.lafsfs.core.storage.HttpStorageClient;
import org.lafsfs.core.storage.Nurl;
import org.lafsfs.core.storage.ServerAnnouncement;
import org.lafsfs.core.storage.ServersYaml;
import org.lafsfs.core.storage.StorageServer;
import org.lafsfs.storage.ServerIdentity;

/**
 * A Tahoe-LAFS client node directory, read as Tahoe reads it: tahoe.cfg
 * ([client] shares.needed / shares.happy / shares.total),
 * private/servers.yaml (static storage servers), private/convergence and
 * private/secret (the lease secret), both base32, created on first use.
 */
final class NodeDirectory {
    private final Path dir;
    private final Map<String, Map<String, String>> config;

    private NodeDirectory(Path dir, Map<String, Map<String, String>> config) {
        this.dir = dir;
        this.config = config;
    }

    static NodeDirectory open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("node directory " + dir + " does not exist (create it, or give"
                    + " --node-dir)");
        }
        Path cfg = dir.resolve("tahoe.cfg");
        return new NodeDirectory(dir, Files.exists(cfg) ? parseIni(Files.readAllLines(cfg, StandardCharsets.UTF_8))
                : Map.of());
    }

    /** An INI file as Tahoe's configparser reads it: [sections], key = value, # and ; comments. */
    static Map<String, Map<String, String>> parseIni(List<String> lines) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1).strip(),
                        s -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (current == null || eq < 0) {
                throw new IllegalArgumentException("tahoe.cfg line '" + raw + "' is not 'key = value' in a section");
            }
            current.put(line.substring(0, eq).strip().toLowerCase(Locale.ROOT), line.substring(eq + 1).strip());
        }
        return sections;
    }

    Path path() {
        return dir;
    }

    /** The format of new mutable files and directories: tahoe.cfg [client] mutable.format, SDMF unless set. */
    MutableFormat mutableFormat() {
        return Formats.mutable(get("client", "mutable.format", "sdmf"), "tahoe.cfg [client] mutable.format");
    }

    /** Every key of one tahoe.cfg section (empty if the section is absent). */
    Map<String, String> section(String name) {
        return Map.copyOf(config.getOrDefault(name, Map.of()));
    }

    String get(String section, String key, String fallback) {
        return config.getOrDefault(section, Map.of()).getOrDefault(key, fallback);
    }

    EncodingParameters encoding() {
        try {
            return new EncodingParameters(Integer.parseInt(get("client", "shares.needed", "3")),
                    Integer.parseInt(get("client", "shares.happy", "7")),
                    Integer.parseInt(get("client", "shares.total", "10")),
                    EncodingParameters.DEFAULT.maxSegmentSize());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tahoe.cfg [client] shares.* must be numbers: " + e.getMessage());
        }
    }

    /**
     * The convergence secret, created on first use as Tahoe does; null when lafsfs's own setting
     * {@code [lafsfs] convergence = false} asks for a random key per upload (identical files then no
     * longer share storage, and nobody can test whether a given file was uploaded).
     */
    byte[] convergenceSecret() throws IOException {
        String setting = get("lafsfs", "convergence", "true").toLowerCase(Locale.ROOT);
        if (setting.equals("false") || setting.equals("no") || setting.equals("off")) {
            return null;
        }
        if (!setting.equals("true") && !setting.equals("yes") && !setting.equals("on")) {
            throw new IllegalArgumentException("tahoe.cfg [lafsfs] convergence must be true or false, not '"
                    + setting + "'");
        }
        return privateSecret("convergence");
    }

    ClientSecrets clientSecrets() throws IOException {
        return new ClientSecrets(privateSecret("secret"));
    }

    private byte[] privateSecret(String name) throws IOException {
        Path file = dir.resolve("private").resolve(name);
        if (!Files.exists(file)) {
            ServerIdentity.createPrivateDirectory(file.getParent());
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            ServerIdentity.writePrivately(file, Base32.encode(secret) + "\n");
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        try {
            return Base32.decode(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " does not hold a base32 secret: " + e.getMessage());
        }
    }

    /** Releases the connections of servers from {@link #servers()}. */
    static void close(List<GridServer> servers) {
        for (GridServer s : servers) {
            if (s.storage() instanceof HttpStorageClient client) {
                client.close();
            }
        }
    }

    /** The storage servers of private/servers.yaml that speak HTTPS, ready to use; {@link #close} them after. */
    List<GridServer> servers() throws IOException {
        return servers(Map.of());
    }

    /**
     * As {@link #servers()}, but a server found in {@code inProcess} (by server id: the embedded grid of this
     * process) is called directly instead of over HTTPS.
     */
    List<GridServer> servers(Map<String, StorageServer> inProcess) throws IOException {
        List<GridServer> servers = new ArrayList<>();
        for (ServerAnnouncement a : ServersYaml.read(dir.resolve("private").resolve("servers.yaml"))) {
            if (a.nurls().isEmpty() || a.tubId() == null) {
                continue; // Foolscap-only servers are beyond this client
            }
            Nurl nurl = a.nurls().get(0);
            // Nicknames need not be unique; the id's first characters tell servers apart in messages.
            String shortId = a.serverId().startsWith("v0-") ? a.serverId().substring(3, Math.min(11,
                    a.serverId().length())) : a.serverId();
            String name = a.nickname().isEmpty() ? shortId : a.nickname() + "/" + shortId;
            StorageServer storage = inProcess.get(a.serverId());
            if (storage == null) {
                storage = new HttpStorageClient(nurl, name, HttpStorageClient.DEFAULT_TIMEOUT);
            }
            servers.add(new GridServer(storage, a.writeEnablerNodeId(), a.permutationSeed()));
        }
        return servers;
    }
}
