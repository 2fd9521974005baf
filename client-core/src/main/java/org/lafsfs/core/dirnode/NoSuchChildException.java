package org.lafsfs.core.dirnode;

import java.io.IOException;

/** The directory has no child of that name (Tahoe's NoSuchChildError). */
public class NoSuchChildException extends IOException {
    public NoSuchChildException(String message) {
        super(message);
    }
}
