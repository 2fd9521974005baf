package org.lafsfs.core.dirnode;

/**
 * A directory's contents cannot be read: broken netstrings, a name or metadata
 * that is not what Tahoe writes, an encrypted write cap whose MAC does not
 * match, or a write cap inside an immutable directory.
 */
public class CorruptDirnodeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public CorruptDirnodeException(String message) {
        super(message);
    }

    public CorruptDirnodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
