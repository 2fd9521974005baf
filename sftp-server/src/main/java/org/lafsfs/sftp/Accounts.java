package org.lafsfs.sftp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.KeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.lafsfs.core.cap.Cap;
import org.lafsfs.core.cap.DirectoryCap;

/**
 * The SFTP accounts: who may log in, how, and which directory cap is their
 * root. The file is Tahoe's accounts file (docs/frontends/FTP-and-SFTP.rst),
 * one account per line, blank lines and {@code #} comments ignored:
 *
 * <pre>
 * alice ssh-ed25519 AAAAC3Nza... alice@laptop URI:DIR2:...
 * bob   pbkdf2-sha256$600000$SALT$HASH            URI:DIR2-RO:...
 * </pre>
 *
 * A key line is Tahoe's: the name, an OpenSSH public key (type, base64, an
 * optional comment) and the root cap last; several lines may give one name
 * several keys. A password line (Tahoe before 1.17 had them, WinSCP users
 * expect them) is the name, the password and the root cap; the password
 * should be stored as {@link #hashPassword a salted PBKDF2 hash}, and a
 * plain one is accepted with a warning, as old Tahoe files have them.
 */
public final class Accounts {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Accounts.class);
    private static final String HASH_PREFIX = "pbkdf2-sha256$";
    private static final int ITERATIONS = 600_000;

    /** One account: its root directory and the keys and password hash (each possibly absent) that open it. */
    public record Account(String name, DirectoryCap root, List<PublicKey> keys, String password) {
        public Account {
            keys = List.copyOf(keys);
        }
    }

    private final Map<String, Account> accounts;

    private Accounts(Map<String, Account> accounts) {
        this.accounts = Collections.unmodifiableMap(accounts);
    }

    public static Accounts of(Collection<Account> accounts) {
        Map<String, Account> byName = new LinkedHashMap<>();
        for (Account a : accounts) {
            if (byName.putIfAbsent(a.name(), a) != null) {
                throw new IllegalArgumentException("account '" + a.name() + "' is given twice");
            }
        }
        return new Accounts(byName);
    }

    /** Reads an accounts file; a line that does not parse is an IllegalArgumentException naming it. */
    public static Accounts read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    public static Accounts parse(List<String> lines, String source) {
        Map<String, Account> accounts = new LinkedHashMap<>();
        int number = 0;
        for (String raw : lines) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + number;
            String[] fields = line.split("\\s+");
            if (fields.length < 3) {
                throw new IllegalArgumentException(where + ": an account line is 'NAME KEYTYPE KEY ROOTCAP' or"
                        + " 'NAME PASSWORD ROOTCAP'");
            }
            String name = fields[0];
            DirectoryCap root = rootCap(fields[fields.length - 1], where);
            List<PublicKey> keys = new ArrayList<>();
            String password = null;
            if (isKeyType(fields[1])) {
                keys.add(publicKey(String.join(" ", java.util.Arrays.copyOfRange(fields, 1, fields.length - 1)),
                        where));
            } else if (fields.length == 3) {
                password = fields[1];
                if (!password.startsWith(HASH_PREFIX)) {
                    log.warn("{}: the password of '{}' is stored in plain text; store a hash instead"
                            + " (lafsfs sftp-server --hash-password)", where, name);
                }
            } else {
                throw new IllegalArgumentException(where + ": '" + fields[1] + "' is not a key type (ssh-ed25519,"
                        + " ssh-rsa, ecdsa-sha2-...) and a password line has three fields");
            }
            Account before = accounts.get(name);
            if (before != null) {
                if (!before.root().uri().equals(root.uri())) {
                    throw new IllegalArgumentException(where + ": '" + name + "' already has another root cap");
                }
                if (password != null && before.password() != null) {
                    throw new IllegalArgumentException(where + ": '" + name + "' already has a password");
                }
                keys.addAll(0, before.keys());
                password = password != null ? password : before.password();
            }
            accounts.put(name, new Account(name, root, keys, password));
        }
        return new Accounts(accounts);
    }

    private static boolean isKeyType(String field) {
        return field.startsWith("ssh-") || field.startsWith("ecdsa-") || field.startsWith("sk-");
    }

    private static DirectoryCap rootCap(String text, String where) {
        Cap cap;
        try {
            cap = Cap.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": the root cap does not parse: " + e.getMessage());
        }
        if (!(cap instanceof DirectoryCap dir)) {
            throw new IllegalArgumentException(where + ": the root cap must be a directory cap (URI:DIR2...), not "
                    + cap.kind());
        }
        return dir;
    }

    /** An OpenSSH public key line ("TYPE BASE64 [COMMENT]"); {@code where} names it in the error. */
    public static PublicKey publicKey(String entry, String where) {
        try {
            return PublicKeyEntry.parsePublicKeyEntry(entry).resolvePublicKey(null, Map.of(),
                    PublicKeyEntryResolver.FAILING);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(where + ": the public key does not parse: " + e.getMessage());
        }
    }

    public Optional<Account> get(String name) {
        return Optional.ofNullable(accounts.get(name));
    }

    public Collection<Account> all() {
        return accounts.values();
    }

    /** True if {@code key} is one of the account's keys. */
    public boolean acceptsKey(String name, PublicKey key) {
        Account a = accounts.get(name);
        return a != null && a.keys().stream().anyMatch(k -> KeyUtils.compareKeys(k, key));
    }

    /** True if {@code password} is the account's (compared in constant time, or through its hash). */
    public boolean acceptsPassword(String name, String password) {
        Account a = accounts.get(name);
        if (a == null || a.password() == null || password == null) {
            return false;
        }
        if (!a.password().startsWith(HASH_PREFIX)) {
            return MessageDigest.isEqual(a.password().getBytes(StandardCharsets.UTF_8),
                    password.getBytes(StandardCharsets.UTF_8));
        }
        String[] parts = a.password().split("\\$");
        if (parts.length != 4) {
            log.warn("the password hash of '{}' is malformed (pbkdf2-sha256$ITERATIONS$SALT$HASH)", name);
            return false;
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            return MessageDigest.isEqual(expected, pbkdf2(password, salt, iterations, expected.length * 8));
        } catch (IllegalArgumentException e) {
            log.warn("the password hash of '{}' is malformed: {}", name, e.getMessage());
            return false;
        }
    }

    /** The form a password is kept in an accounts file: {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (base64). */
    public static String hashPassword(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return HASH_PREFIX + ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(pbkdf2(password, salt, ITERATIONS, 256));
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations, int bits) {
        try {
            KeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, bits);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17", e);
        }
    }
}
