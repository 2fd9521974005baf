package org.lafsfs.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The machine's own OpenSSH as a reference: sshd started per connection by the client's ProxyCommand, in
 * inetd mode (no port, no service), serving {@code internal-sftp} to a key made here. Used by the SFTP
 * benchmark (OpenSSH's {@code sftp} against it) and the VFS benchmark (sshfs over it).
 */
final class LocalSshd {
    static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path key;
    private final Path config;

    private LocalSshd(Path key, Path config) {
        this.key = key;
        this.config = config;
    }

    static boolean available() {
        return Files.isExecutable(SSHD);
    }

    /** Host key, client key and sshd_config in {@code dir}; {@code clientKey} (and its .pub) is the login. */
    static LocalSshd in(Path dir, Path clientKey) throws Exception {
        if (!available()) {
            throw new IllegalStateException("the reference needs OpenSSH's sshd: apt-get install openssh-server");
        }
        Files.createDirectories(dir);
        Path privsep = Path.of("/run/sshd"); // sshd refuses to start without it (the service makes it at boot)
        if (!Files.isDirectory(privsep)) {
            Files.createDirectories(privsep);
        }
        Path hostKey = dir.resolve("host_key");
        LocalGrid.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()), Map.of());
        Files.writeString(dir.resolve("authorized_keys"), Files.readString(Path.of(clientKey + ".pub"),
                StandardCharsets.UTF_8).strip() + "\n");
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "HostKey " + hostKey,
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PidFile none",
                "StrictModes no",
                "UsePAM no",
                "PermitRootLogin yes",
                "Subsystem sftp internal-sftp",
                ""));
        return new LocalSshd(clientKey, config);
    }

    /** A new ed25519 key pair at {@code file} and {@code file}.pub. */
    static Path newClientKey(Path file) throws Exception {
        LocalGrid.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", file.toString()), Map.of());
        return file;
    }

    /** Options for ssh, sftp or sshfs ({@code -o} pairs) that reach this sshd. */
    List<String> options() {
        List<String> o = new ArrayList<>();
        for (String option : List.of("ProxyCommand=" + SSHD + " -i -f " + config, "StrictHostKeyChecking=no",
                "UserKnownHostsFile=/dev/null", "BatchMode=yes", "IdentityFile=" + key)) {
            o.add("-o");
            o.add(option);
        }
        return o;
    }

    /** user@localhost for the running user. */
    static String login() {
        return System.getProperty("user.name") + "@localhost";
    }
}
