package org.lafsfs.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host keys: generated once, kept private, read back the same, and never silently replaced. */
class HostKeysTest {
    @TempDir
    Path dir;

    @Test
    void aMissingKeyIsGeneratedOnceAndKept() throws Exception {
        for (String type : List.of(KeyPairProvider.SSH_ED25519, KeyPairProvider.SSH_RSA)) {
            Path file = dir.resolve("key-" + type);
            KeyPair first = HostKeys.readOrGenerate(file, type);
            assertThat(KeyUtils.getKeyType(first)).isEqualTo(type);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(Files.readString(file.resolveSibling(file.getFileName() + ".pub"))).startsWith(type + " ");
            KeyPair again = HostKeys.readOrGenerate(file, type);
            assertThat(KeyUtils.compareKeys(first.getPublic(), again.getPublic())).isTrue();
        }
    }

    @Test
    void anUnreadableKeyStopsTheServerInsteadOfBeingReplaced() throws Exception {
        Path file = dir.resolve(HostKeys.ED25519);
        Files.writeString(file, "-----BEGIN OPENSSH PRIVATE KEY-----\ngarbage\n-----END OPENSSH PRIVATE KEY-----\n");
        Throwable thrown = catchThrowable(() -> HostKeys.readOrGenerate(file, KeyPairProvider.SSH_ED25519));
        assertThat(thrown).isInstanceOf(IOException.class).hasMessageContaining(file.toString());
        assertThat(Files.readString(file)).contains("garbage");
    }

    @Test
    void keysMadeBySshKeygenAreRead() throws Exception {
        RealClientsTest.requireTool("ssh-keygen");
        for (String type : List.of("ed25519", "rsa")) {
            Path file = dir.resolve("ssh_host_" + type + "_key");
            Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", type, "-N", "", "-f", file.toString())
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor()).isZero();
            KeyPair pair = HostKeys.read(file);
            assertThat(KeyUtils.getKeyType(pair)).isEqualTo("ssh-" + type);
        }
    }
}
