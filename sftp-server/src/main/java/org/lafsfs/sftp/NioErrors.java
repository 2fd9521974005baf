package org.lafsfs.sftp;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.lafsfs.vfs.VfsException;

/**
 * A {@link VfsException} as the java.nio exception its callers expect (MINA's
 * SFTP code tells "missing" from "exists" by these types), keeping the
 * VfsException as the cause so that {@link ErrnoStatus} can still report the
 * exact errno to the client.
 */
final class NioErrors {
    private NioErrors() {
    }

    static IOException of(VfsException e, String path) {
        String reason = e.getMessage();
        FileSystemException nio = switch (e.errno()) {
            // A path through a file is "not there" too: MINA asks Files.notExists before mkdir and open.
            case ENOENT, ENOTDIR -> new NoSuchFileException(path, null, reason);
            case EEXIST -> new FileAlreadyExistsException(path, null, reason);
            case ENOTEMPTY -> new DirectoryNotEmptyException(path);
            case EACCES, EROFS -> new AccessDeniedException(path, null, reason);
            default -> new FileSystemException(path, null, reason);
        };
        nio.initCause(e);
        return nio;
    }

    /** The VfsException behind {@code t}, if there is one. */
    static VfsException vfsCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof VfsException v) {
                return v;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }
}
