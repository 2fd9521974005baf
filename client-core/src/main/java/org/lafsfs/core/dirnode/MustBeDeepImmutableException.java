package org.lafsfs.core.dirnode;

/**
 * An immutable directory (DIR2-CHK, DIR2-LIT) may only hold children that can
 * never change: no write caps and no caps to mutable files or directories
 * (Tahoe's MustBeDeepImmutableError). Otherwise "immutable" would only be true
 * of the directory's own bytes, not of what it names.
 */
public class MustBeDeepImmutableException extends CapConstraintException {
    private static final long serialVersionUID = 1L;

    public MustBeDeepImmutableException(String message) {
        super(message);
    }
}
