package org.lafsfs.sftp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * The server's SSH host keys, in OpenSSH's format (what {@code ssh-keygen}
 * writes and Tahoe's {@code [sftpd] host_privkey_file} names). A key file that
 * is missing is generated once and kept (with its {@code .pub} beside it); a
 * key file that exists but cannot be read stops the server: a host key is
 * never silently replaced, or every client would see a man in the middle.
 */
public final class HostKeys {
    /** Where a node directory keeps the keys lafsfs generates. */
    public static final String ED25519 = "ssh_host_ed25519_key";
    public static final String RSA = "ssh_host_rsa_key";

    private HostKeys() {
    }

    /** Reads a private key file (no passphrase). */
    public static KeyPair read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()),
                    in, null);
            Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
            if (it == null || !it.hasNext()) {
                throw new IOException("it holds no key");
            }
            return it.next();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IOException("the host key file " + file + " cannot be read (it is not replaced; fix or remove"
                    + " it): " + e.getMessage(), e);
        }
    }

    /**
     * The key in {@code file}, generated first if the file does not exist:
     * {@code type} is {@link KeyPairProvider#SSH_ED25519} or {@link KeyPairProvider#SSH_RSA}.
     */
    public static KeyPair readOrGenerate(Path file, String type) throws IOException {
        if (Files.exists(file)) {
            return read(file);
        }
        KeyPair pair;
        try {
            pair = KeyUtils.generateKeyPair(type, type.equals(KeyPairProvider.SSH_RSA) ? 3072 : 256);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate a " + type + " host key: " + e.getMessage(), e);
        }
        OpenSSHKeyPairResourceWriter writer = new OpenSSHKeyPairResourceWriter();
        ByteArrayOutputStream privateKey = new ByteArrayOutputStream();
        ByteArrayOutputStream publicKey = new ByteArrayOutputStream();
        try {
            writer.writePrivateKey(pair, "lafsfs host key", null, privateKey);
            writer.writePublicKey(pair.getPublic(), "lafsfs host key", publicKey);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encode the " + type + " host key: " + e.getMessage(), e);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        writePrivately(file, privateKey.toByteArray());
        Files.write(file.resolveSibling(file.getFileName() + ".pub"), publicKey.toByteArray());
        return pair;
    }

    /**
     * The keys lafsfs keeps in a node directory's {@code private} directory:
     * {@value #ED25519} and {@value #RSA} (3072 bits), generated on first use.
     */
    public static java.util.List<KeyPair> readOrGenerateDefaults(Path privateDir) throws IOException {
        return java.util.List.of(readOrGenerate(privateDir.resolve(ED25519), KeyPairProvider.SSH_ED25519),
                readOrGenerate(privateDir.resolve(RSA), KeyPairProvider.SSH_RSA));
    }

    /** Creates {@code file} readable by its owner only, failing if it appeared meanwhile (never overwrites). */
    private static void writePrivately(Path file, byte[] content) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("the host key file " + file + " appeared while generating it; start again", e);
        }
        Files.write(file, content, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
