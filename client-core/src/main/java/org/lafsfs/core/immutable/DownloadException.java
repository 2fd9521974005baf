package org.lafsfs.core.immutable;

import java.io.IOException;

/** A file could not be read: not enough shares, no servers, or no share that passes its integrity checks. */
public class DownloadException extends IOException {
    private static final long serialVersionUID = 1L;

    public DownloadException(String message) {
        super(message);
    }

    public DownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
