package org.lafsfs.core.immutable;

import java.io.IOException;

/** An upload did not reach the grid as required (too few servers, too many failures); nothing was linked. */
public class UploadException extends IOException {
    private static final long serialVersionUID = 1L;

    public UploadException(String message) {
        super(message);
    }
}
