package org.lafsfs.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.security.KeyPair;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.Test;

/** The accounts file in Tahoe's format, and password hashes. */
class AccountsTest {
    private static final String DIR = "URI:DIR2:ovjy4yhylqlfoqg2vcze36dhde:4d4f47qko2xm5g7osgo2yyidi5m4muyo2vjjy53q4vjju2u55mfa";
    private static final String RO = org.lafsfs.core.cap.Cap.parse(DIR).readOnly().orElseThrow().uri();

    @Test
    void keyLinesAsTahoeWritesThemWithCommentsAndSeveralKeysPerName() throws Exception {
        KeyPair ed = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        KeyPair rsa = KeyUtils.generateKeyPair(KeyPairProvider.SSH_RSA, 2048);
        KeyPair other = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        Accounts accounts = Accounts.parse(List.of(
                "# This is a public key line: username keytype pubkey cap",
                "",
                "carol " + PublicKeyEntry.toString(rsa.getPublic()) + " " + DIR,
                "  carol " + PublicKeyEntry.toString(ed.getPublic()) + " carol@laptop with spaces " + DIR + "  ",
                "dave " + PublicKeyEntry.toString(other.getPublic()) + " " + RO), "accounts");
        assertThat(accounts.get("carol").orElseThrow().keys()).hasSize(2);
        assertThat(accounts.get("carol").orElseThrow().root().uri()).isEqualTo(DIR);
        assertThat(accounts.acceptsKey("carol", ed.getPublic())).isTrue();
        assertThat(accounts.acceptsKey("carol", rsa.getPublic())).isTrue();
        assertThat(accounts.acceptsKey("carol", other.getPublic())).isFalse();
        assertThat(accounts.acceptsKey("dave", other.getPublic())).isTrue();
        assertThat(accounts.get("dave").orElseThrow().root().isReadOnly()).isTrue();
        assertThat(accounts.acceptsKey("nobody", ed.getPublic())).isFalse();
        assertThat(accounts.acceptsPassword("carol", "")).isFalse();
    }

    @Test
    void passwordsHashedOrPlain() {
        String hash = Accounts.hashPassword("s3cret pass");
        assertThat(hash).startsWith("pbkdf2-sha256$").doesNotContain("s3cret");
        assertThat(Accounts.hashPassword("s3cret pass")).as("salted").isNotEqualTo(hash);
        Accounts accounts = Accounts.parse(List.of("erin " + hash + " " + DIR, "frank plaintext " + DIR), "accounts");
        assertThat(accounts.acceptsPassword("erin", "s3cret pass")).isTrue();
        assertThat(accounts.acceptsPassword("erin", "s3cret pas")).isFalse();
        assertThat(accounts.acceptsPassword("frank", "plaintext")).isTrue();
        assertThat(accounts.acceptsPassword("frank", "Plaintext")).isFalse();
    }

    @Test
    void badLinesAreRefusedNamingTheLine() throws Exception {
        KeyPair ed = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        String key = PublicKeyEntry.toString(ed.getPublic());
        for (String line : List.of(
                "alice " + DIR,
                "alice " + key + " URI:CHK:a:b:3:10:100",
                "alice ssh-ed25519 AAAAnotbase64!! " + DIR,
                "alice password not-a-cap",
                "alice two words " + DIR)) {
            Throwable thrown = catchThrowable(() -> Accounts.parse(List.of("# first", line), "accounts"));
            assertThat(thrown).as(line).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("accounts line 2");
        }
        Throwable twoRoots = catchThrowable(() -> Accounts.parse(List.of("alice " + key + " " + DIR,
                "alice " + key + " " + RO), "accounts"));
        assertThat(twoRoots).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another root cap");
    }
}
