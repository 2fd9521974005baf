package org.lafsfs.vfs;

import java.io.IOException;

/** A failed filesystem operation: the errno a frontend reports, and a sentence saying why. */
public class VfsException extends IOException {
    private final Errno errno;

    public VfsException(Errno errno, String message) {
        super(message);
        this.errno = errno;
    }

    public VfsException(Errno errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
