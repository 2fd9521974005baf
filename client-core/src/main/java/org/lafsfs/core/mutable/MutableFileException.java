package org.lafsfs.core.mutable;

import java.io.IOException;

/** A mutable file could not be read or written: no recoverable version, too few servers, corrupt shares. */
public class MutableFileException extends IOException {
    public MutableFileException(String message) {
        super(message);
    }

    public MutableFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
