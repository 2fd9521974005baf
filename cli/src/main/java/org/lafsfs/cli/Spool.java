package org.lafsfs.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.lafsfs.core.cap.DirectoryCap;
import org.lafsfs.vfs.VfsConfig;

/**
 * The one spool per served root (files waiting for upload, directory edits
 * waiting to be published) under NODEDIR/private/spool, named by a hash of the
 * root cap so the cap itself is not written into a directory name, and locked
 * so that a mount and an SFTP server of one node directory never share it.
 */
final class Spool {
    final Path dir;
    final FileLock lock;

    private Spool(Path dir, FileLock lock) {
        this.dir = dir;
        this.lock = lock;
    }

    static Spool claim(NodeDirectory node, DirectoryCap root) throws IOException {
        Path dir;
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(root.uri().getBytes(StandardCharsets.UTF_8));
            dir = Files.createDirectories(node.path().resolve("private").resolve("spool")
                    .resolve(HexFormat.of().formatHex(hash, 0, 8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        FileChannel channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new IOException("the spool " + dir + " of this root is in use by another lafsfs of this node"
                    + " directory (a mount or an sftp-server)");
        }
        return new Spool(dir, lock);
    }

    /** The VFS settings for this spool, from tahoe.cfg's [lafsfs] section. */
    VfsConfig config(NodeDirectory node) throws IOException {
        return VfsConfig.fromSettings(dir, node.convergenceSecret(), node.section("lafsfs"));
    }
}
