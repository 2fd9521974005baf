package org.lafsfs.core.dirnode;

import java.io.IOException;

/** The name is taken and the caller asked not to replace it (Tahoe's ExistingChildError). */
public class ExistingChildException extends IOException {
    public ExistingChildException(String message) {
        super(message);
    }
}
