package org.lafsfs.core.dirnode;

/**
 * A child's caps break a rule of the directory they are put in (Tahoe's
 * CapConstraintError): a write cap in a read-only context, or an unknown kind
 * of cap given only as a possible write cap, which nobody can safely diminish
 * to a read cap.
 *
 * <p>{@link DirnodeContents#pack} throws it; {@link DirnodeContents#unpack}
 * drops such a child instead, as Tahoe does when it reads one.
 */
public class CapConstraintException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public CapConstraintException(String message) {
        super(message);
    }
}
